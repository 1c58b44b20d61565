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
    """The CAF's co-funding of the post for one year, and its yearly funding convention: requested (amount,
    date, by whom), agreed (amount, decision), convention generated (its versions live in ctg.documents; the
    number of the last one is kept here), signed (date, signatories), advance paid once signed, balance paid
    once the year's activity report is accepted. A line recorded before the convention was followed (no
    request, no convention) keeps its amounts as they were."""

    post = models.ForeignKey(
        CoordinatorPost, on_delete=models.CASCADE, related_name="fundings", verbose_name="poste"
    )
    year = models.PositiveSmallIntegerField("année")
    amount_requested = models.DecimalField(
        "montant demandé (€)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    requested_on = models.DateField("demande faite le", null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="demande enregistrée par",
    )
    # None while the request awaits the CAF's decision.
    amount_agreed = models.DecimalField(
        "montant accordé (€)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    advance_rate = models.PositiveSmallIntegerField(
        "taux d'acompte (%)", null=True, blank=True, help_text="Part du montant accordé versée en acompte."
    )
    advance_paid = models.DecimalField("avance versée (€)", max_digits=12, decimal_places=2, default=0)
    advance_paid_on = models.DateField("acompte versé le", null=True, blank=True)
    balance_paid = models.DecimalField("solde versé (€)", max_digits=12, decimal_places=2, default=0)
    balance_paid_on = models.DateField("solde versé le", null=True, blank=True)
    decided_on = models.DateField("décision de financement le", null=True, blank=True)
    convention_version = models.PositiveIntegerField("dernière version de la convention générée", default=0)
    convention_generated_at = models.DateTimeField("convention générée le", null=True, blank=True)
    signed_on = models.DateField("convention signée le", null=True, blank=True)
    signatories = models.TextField("signataires de la convention", blank=True)

    class Meta:
        verbose_name = "financement CAF du poste"
        verbose_name_plural = "financements CAF du poste"
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["post", "year"], name="unique_post_funding_year")]

    def __str__(self):
        return f"Financement {self.year}"

    @property
    def remaining(self):
        """What is left to pay on the agreed amount; None while nothing is agreed."""
        if self.amount_agreed is None:
            return None
        return self.amount_agreed - self.advance_paid - self.balance_paid

    @property
    def is_agreed(self) -> bool:
        return self.amount_agreed is not None

    @property
    def follows_convention(self) -> bool:
        """True once the yearly funding convention is followed for this line (a request or a generated
        convention): its payments then go through the convention's steps only."""
        return self.requested_on is not None or self.convention_version > 0 or self.signed_on is not None


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
