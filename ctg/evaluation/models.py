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


# --- the final evaluation of the CTG on the CNAF's four questions (issue 16) -----------------------------


class FinalEvaluation(TrackedModel):
    """The final evaluation of a CTG, opened in its « Évaluation » phase: the conclusions typed for each of
    the CNAF's four questions, the partners' commitments to continue (durability), the partners'
    questionnaire whose masked results enter it, and the COPIL's validation through a meeting decision."""

    ctg = models.OneToOneField(
        Ctg, on_delete=models.CASCADE, related_name="final_evaluation", verbose_name="dossier"
    )
    coherence = models.TextField("conclusion : cohérence et pertinence", blank=True)
    achievement = models.TextField("conclusion : atteinte des objectifs", blank=True)
    means = models.TextField("conclusion : moyens et efficience", blank=True)
    durability = models.TextField("conclusion : pérennité", blank=True)
    # {"o<organisation id>": text, "f<fiche id>": text}: what each partner (or for each fiche) commits to
    # continue after the CTG, typed by the coordination.
    commitments = models.JSONField("engagements de pérennité", default=dict, blank=True)
    questionnaire = models.ForeignKey(
        "surveys.Questionnaire",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="questionnaire aux partenaires",
    )
    decision = models.ForeignKey(
        "governance.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="décision de validation du COPIL",
    )
    validated_at = models.DateTimeField("validée le", null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="validation enregistrée par",
    )

    class Meta:
        verbose_name = "évaluation finale"
        verbose_name_plural = "évaluations finales"

    def __str__(self):
        return f"Évaluation finale — {self.ctg}"

    @property
    def validated(self) -> bool:
        return self.validated_at is not None


def final_version_path(instance, filename):
    return f"evaluations/{instance.evaluation.ctg_id}/versions/{instance.number}/{filename}"


class FinalEvaluationVersion(models.Model):
    """A generated report of the final evaluation (PDF and DOCX), kept and numbered, with what it showed."""

    evaluation = models.ForeignKey(
        FinalEvaluation, on_delete=models.CASCADE, related_name="versions", verbose_name="évaluation finale"
    )
    number = models.PositiveIntegerField("version")
    generated_at = models.DateTimeField("générée le", auto_now_add=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="générée par",
    )
    pdf = models.FileField("document PDF", upload_to=final_version_path, blank=True)
    docx = models.FileField("document modifiable (DOCX)", upload_to=final_version_path, blank=True)
    snapshot = models.JSONField("contenu", default=dict, blank=True)

    class Meta:
        verbose_name = "version de l'évaluation finale"
        verbose_name_plural = "versions de l'évaluation finale"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "number"], name="unique_final_evaluation_version")
        ]

    def __str__(self):
        return f"Évaluation finale (version {self.number})"
