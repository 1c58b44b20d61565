"""The yearly bilan of a CTG's plan d'action. Until issue 10 its table belonged to ctg.plans
(`plans_bilanannuel`): `evaluation.0001_initial` took it over without copying a row and renamed it."""

from django.conf import settings
from django.db import models

from ctg.conventions.models import Ctg
from ctg.core.models import TrackedModel


class BilanAnnuel(TrackedModel):
    """The yearly bilan of the plan: highlights typed by the coordination, validated with who and when."""

    class Status(models.TextChoices):
        DRAFT = "brouillon", "Brouillon"
        VALIDATED = "valide", "Validé"

    ctg = models.ForeignKey(Ctg, on_delete=models.CASCADE, related_name="bilans", verbose_name="dossier")
    year = models.PositiveSmallIntegerField("année")
    highlights = models.TextField("faits marquants", blank=True)
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.DRAFT)
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="validé par",
    )

    class Meta:
        verbose_name = "bilan annuel"
        verbose_name_plural = "bilans annuels"
        ordering = ["ctg", "year"]
        constraints = [models.UniqueConstraint(fields=["ctg", "year"], name="unique_bilan_year")]
