"""The coordinator post (chargé·e de coopération) of a CTG, the CAF's yearly co-funding of the post and the
yearly activity report. Until issue 10 these tables belonged to ctg.governance (`governance_coordinatorpost`
…): `post.0001_initial` took them over without copying a row and renamed them."""

from django.conf import settings
from django.db import models

from ctg.conventions.models import Ctg
from ctg.core.models import TrackedModel
from ctg.organisations.models import Organisation


class CoordinatorPost(TrackedModel):
    """The chargé·e de coopération of the dossier, whose post the CAF co-funds year by year."""

    ctg = models.OneToOneField(
        Ctg, on_delete=models.CASCADE, related_name="coordinator_post", verbose_name="dossier"
    )
    person_name = models.CharField("personne", max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="compte",
    )
    employer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="coordinator_posts", verbose_name="employeur"
    )
    fte = models.DecimalField(
        "ETP", max_digits=3, decimal_places=2, help_text="Équivalent temps plein, de 0,1 à 1."
    )
    start_date = models.DateField("date de prise de poste")
    end_date = models.DateField("date de fin", null=True, blank=True)
    missions = models.TextField("missions", blank=True)

    class Meta:
        verbose_name = "poste de chargé·e de coopération"
        verbose_name_plural = "postes de chargé·e de coopération"

    def __str__(self):
        return f"{self.person_name} ({self.employer})"


class PostFunding(TrackedModel):
    """The CAF's co-funding of the post for one year: agreed, advance paid, balance paid."""

    post = models.ForeignKey(
        CoordinatorPost, on_delete=models.CASCADE, related_name="fundings", verbose_name="poste"
    )
    year = models.PositiveSmallIntegerField("année")
    amount_agreed = models.DecimalField("montant accordé (€)", max_digits=12, decimal_places=2)
    advance_paid = models.DecimalField("avance versée (€)", max_digits=12, decimal_places=2, default=0)
    balance_paid = models.DecimalField("solde versé (€)", max_digits=12, decimal_places=2, default=0)
    decided_on = models.DateField("décision de financement le", null=True, blank=True)

    class Meta:
        verbose_name = "financement CAF du poste"
        verbose_name_plural = "financements CAF du poste"
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["post", "year"], name="unique_post_funding_year")]

    @property
    def remaining(self):
        return self.amount_agreed - self.advance_paid - self.balance_paid


class ActivityReport(TrackedModel):
    """The yearly activity report that supports the renewal of the CAF funding."""

    class Status(models.TextChoices):
        TO_PREPARE = "a_preparer", "À préparer"
        SENT = "envoye", "Envoyé"
        ACCEPTED = "accepte", "Accepté"

    post = models.ForeignKey(
        CoordinatorPost, on_delete=models.CASCADE, related_name="reports", verbose_name="poste"
    )
    year = models.PositiveSmallIntegerField("année")
    priorities = models.TextField("priorités de l'année suivante", blank=True)
    comments = models.TextField("activité de l'année (commentaire)", blank=True)
    status = models.CharField("statut", max_length=12, choices=Status.choices, default=Status.TO_PREPARE)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField("accepté le", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "rapport d'activité"
        verbose_name_plural = "rapports d'activité"
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["post", "year"], name="unique_activity_report_year")]
