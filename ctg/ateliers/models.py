"""The ateliers (workshops) of the diagnostic partagé (issue 13): an atelier on some CTG fields, its
invitations and registrations, who attended, the contributions gathered, its documents and report, and the
dot vote on the findings of the diagnostic. Every write goes through `ctg.ateliers.services`."""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from ctg.conventions.models import Ctg, DatePrecision, Field, date_label
from ctg.core.models import TrackedModel
from ctg.organisations.models import Organisation
from ctg.territories.models import Commune


class Atelier(TrackedModel):
    class Format(models.TextChoices):
        PRESENTIEL = "presentiel", "Présentiel"
        VISIO = "visio", "Visioconférence"
        HYBRIDE = "hybride", "Hybride"

    class Method(models.TextChoices):
        PARTICIPATIF = "participatif", "Atelier participatif"
        WORLD_CAFE = "world_cafe", "World café"
        GROUPE_TRAVAIL = "groupe_travail", "Groupe de travail"
        FOCUS_GROUPE = "focus_groupe", "Focus groupe"
        BALADE = "balade", "Balade urbaine ou diagnostic en marchant"
        AUTRE = "autre", "Autre"

    class Status(models.TextChoices):
        PLANNED = "prevu", "Prévu"
        HELD = "tenu", "Tenu"
        CANCELLED = "annule", "Annulé"

    ctg = models.ForeignKey(Ctg, on_delete=models.CASCADE, related_name="ateliers", verbose_name="dossier")
    title = models.CharField("intitulé", max_length=250)
    themes = models.JSONField("thématiques", default=list, help_text="Champs d'intervention de la CTG.")
    date = models.DateField("date", help_text="Le premier du mois quand seul le mois est connu.")
    date_precision = models.CharField(
        "précision de la date", max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    start_time = models.TimeField("heure de début", null=True, blank=True)
    end_time = models.TimeField("heure de fin", null=True, blank=True)
    format = models.CharField("format", max_length=12, choices=Format.choices, default=Format.PRESENTIEL)
    method = models.CharField("méthode d'animation", max_length=20, choices=Method.choices, blank=True)
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="commune",
    )
    address = models.CharField("adresse", max_length=250, blank=True)
    link = models.URLField("lien de visioconférence", blank=True)
    facilitator_name = models.CharField("animateur·rice", max_length=200, blank=True)
    facilitator_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="organisation qui anime",
    )
    capacity = models.PositiveIntegerField("nombre de places", null=True, blank=True)
    description = models.TextField("déroulé et ordre du jour", blank=True)
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.PLANNED)
    report = models.TextField("compte rendu", blank=True)
    is_fictitious = models.BooleanField("fictif", default=False)

    class Meta:
        verbose_name = "atelier"
        ordering = ["date", "start_time", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__isnull=True)
                | models.Q(start_time__isnull=True)
                | models.Q(end_time__gt=models.F("start_time")),
                name="atelier_ends_after_start",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ateliers:detail", args=[self.ctg_id, self.pk])

    @property
    def month_only(self) -> bool:
        return self.date_precision == DatePrecision.MONTH

    @property
    def date_label(self) -> str:
        """« 23 mai 2024 », or « mai 2024 » when only the month is known."""
        return date_label(self.date, self.date_precision)

    @property
    def when_label(self) -> str:
        """« 23 mai 2024, 14:00 – 16:30 », or « mai 2024 (jour non connu) »."""
        if self.month_only:
            return f"{self.date_label} (jour non connu)"
        text = self.date_label
        if self.start_time:
            text += f", {self.start_time:%H:%M}"
            if self.end_time:
                text += f" – {self.end_time:%H:%M}"
        return text

    @property
    def source_label(self) -> str:
        """« Atelier « Petite enfance » du 23 mai 2024 », « … de mai 2024 », « … d'avril 2024 »."""
        label = self.date_label
        if self.month_only:
            on = f"d'{label}" if label[:1] in "aeiouyàâéèêîôû" else f"de {label}"
        else:
            on = f"du {label}"
        return f"Atelier « {self.title} » {on}"

    @property
    def theme_labels(self) -> list[str]:
        labels = dict(Field.choices)
        return [labels.get(t, t) for t in self.themes]

    @property
    def last_day(self) -> datetime.date:
        """The last day the atelier may take place: its day, or the end of its month."""
        if not self.month_only:
            return self.date
        following = (self.date.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return following - datetime.timedelta(days=1)

    def is_upcoming(self, today=None) -> bool:
        return self.last_day >= (today or timezone.localdate())

    @property
    def place_label(self) -> str:
        parts = [self.address, self.commune.name if self.commune_id else ""]
        return ", ".join(p for p in parts if p)

    @property
    def status_badge(self) -> str:
        return {self.Status.HELD: "fr-badge--success", self.Status.CANCELLED: "fr-badge--error"}.get(
            self.status, "fr-badge--info"
        )


class Registration(TrackedModel):
    """A person invited to an atelier, or registered for it. Their name appears in the list shared with the
    dossier's members, and in the report, only with their consent (`consent_listed`)."""

    class Status(models.TextChoices):
        INVITED = "invite", "Invité·e"
        REGISTERED = "inscrit", "Inscrit·e"
        EXCUSED = "excuse", "Excusé·e"

    atelier = models.ForeignKey(
        Atelier, on_delete=models.CASCADE, related_name="registrations", verbose_name="atelier"
    )
    person_name = models.CharField("personne", max_length=200)
    email = models.EmailField("courriel", blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="organisation",
    )
    role = models.CharField(
        "qualité", max_length=200, blank=True, help_text="Par exemple : référent communal."
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="commune"
    )
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.INVITED)
    consent_listed = models.BooleanField("accepte d'apparaître dans la liste des participants", default=False)
    consent_listed_at = models.DateTimeField("accord pour la liste donné le", null=True, blank=True)
    consent_contact = models.BooleanField("accepte d'être recontacté·e", default=False)
    consent_contact_at = models.DateTimeField("accord pour être recontacté·e donné le", null=True, blank=True)

    class Meta:
        verbose_name = "inscription"
        ordering = ["person_name", "id"]

    def __str__(self):
        organisation = f" ({self.organisation.name})" if self.organisation_id else ""
        return f"{self.person_name}{organisation}"


class Attendance(TrackedModel):
    """One person present at the atelier: a registered person, a member of the dossier (the communal
    referents are proposed first) or someone who came without registering."""

    atelier = models.ForeignKey(
        Atelier, on_delete=models.CASCADE, related_name="attendances", verbose_name="atelier"
    )
    registration = models.OneToOneField(
        Registration,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attendance",
        verbose_name="inscription",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="membre du dossier",
    )
    person_name = models.CharField("personne", max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="organisation",
    )
    consent_listed = models.BooleanField("accepte d'apparaître dans la liste des participants", default=False)
    consent_listed_at = models.DateTimeField("accord pour la liste donné le", null=True, blank=True)

    class Meta:
        verbose_name = "présence"
        ordering = ["person_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["atelier", "user"], name="atelier_attendance_unique_user")
        ]

    def __str__(self):
        organisation = f" ({self.organisation.name})" if self.organisation_id else ""
        return f"{self.person_name}{organisation}"


class Contribution(TrackedModel):
    """A contribution gathered during the atelier (a sticky note, a remark), or added afterwards by a member
    who may contribute."""

    atelier = models.ForeignKey(
        Atelier, on_delete=models.CASCADE, related_name="contributions", verbose_name="atelier"
    )
    text = models.TextField("contribution")
    author_name = models.CharField("auteur·rice", max_length=200, blank=True)
    theme = models.CharField("thématique", max_length=30, choices=Field.choices, blank=True)

    class Meta:
        verbose_name = "contribution"
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:80]


def attachment_path(instance, filename):
    return f"ateliers/{instance.atelier.ctg_id}/{instance.atelier_id}/{filename}"


class Attachment(TrackedModel):
    atelier = models.ForeignKey(
        Atelier, on_delete=models.CASCADE, related_name="attachments", verbose_name="atelier"
    )
    file = models.FileField("fichier", upload_to=attachment_path)
    title = models.CharField("intitulé", max_length=250, blank=True)

    class Meta:
        verbose_name = "pièce jointe d'atelier"
        verbose_name_plural = "pièces jointes d'atelier"
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.title


class DotVote(TrackedModel):
    """The dots a finding of the diagnostic received at the atelier (« vote par gommettes »): the facilitator
    records the count; the findings are then ranked by their dots."""

    atelier = models.ForeignKey(
        Atelier, on_delete=models.CASCADE, related_name="votes", verbose_name="atelier"
    )
    finding = models.ForeignKey(
        "findings.Finding", on_delete=models.CASCADE, related_name="atelier_votes", verbose_name="constat"
    )
    dots = models.PositiveIntegerField("gommettes", default=0)

    class Meta:
        verbose_name = "vote par gommettes"
        verbose_name_plural = "votes par gommettes"
        ordering = ["-dots", "id"]
        constraints = [models.UniqueConstraint(fields=["atelier", "finding"], name="atelier_vote_unique")]

    def __str__(self):
        return f"{self.finding} : {self.dots}"
