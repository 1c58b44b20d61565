"""The steering of a CTG: its bodies (COPIL, COTECH…), their meetings, attendance, minutes and decisions.
The coordinator post has its own app, ctg.post."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator

from ctg.conventions.models import Ctg, DatePrecision, date_label
from ctg.core.models import TrackedModel
from ctg.organisations.models import Organisation
from ctg.territories import french


class Body(TrackedModel):
    class Kind(models.TextChoices):
        COPIL = "copil", "Comité de pilotage (COPIL)"
        COTECH = "cotech", "Comité technique (COTECH)"
        COORDINATION = "coordination", "Comité de coordination"
        GROUPE_TRAVAIL = "groupe_travail", "Groupe de travail"

    ctg = models.ForeignKey(Ctg, on_delete=models.CASCADE, related_name="bodies", verbose_name="dossier")
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    name = models.CharField("nom", max_length=200)
    role = models.TextField("rôle et fréquence", blank=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "instance"
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["ctg", "name"], name="unique_body_name")]

    def __str__(self):
        return self.name


class BodyMember(TrackedModel):
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="members", verbose_name="instance")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="body_seats", verbose_name="organisation"
    )
    person_name = models.CharField("personne", max_length=200)
    capacity = models.CharField(
        "qualité", max_length=200, blank=True, help_text="Par exemple : Vice-présidente."
    )
    email = models.EmailField("courriel", blank=True, help_text="Pour l'envoi des invitations.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="body_seats",
        verbose_name="compte",
    )

    class Meta:
        verbose_name = "membre d'instance"
        verbose_name_plural = "membres d'instance"
        ordering = ["organisation__name", "person_name", "id"]

    def __str__(self):
        capacity = f", {self.capacity}" if self.capacity else ""
        return f"{self.person_name}{capacity} ({self.organisation})"


class Meeting(TrackedModel):
    class Status(models.TextChoices):
        PLANNED = "prevue", "Prévue"
        HELD = "tenue", "Tenue"
        CANCELLED = "annulee", "Annulée"

    ctg = models.ForeignKey(Ctg, on_delete=models.CASCADE, related_name="meetings", verbose_name="dossier")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings", verbose_name="instance")
    title = models.CharField("intitulé", max_length=250, blank=True)
    starts_at = models.DateTimeField(
        "début", help_text="Le premier du mois, à minuit, quand seul le mois est connu."
    )
    # A past meeting recorded afterwards whose day is unknown (« ateliers, mai 2024 »): the month only.
    date_precision = models.CharField(
        "précision de la date", max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    ends_at = models.DateTimeField("fin", null=True, blank=True)
    place = models.CharField("lieu", max_length=250, blank=True)
    link = models.URLField("lien de visioconférence", blank=True)
    agenda = models.TextField("ordre du jour", blank=True)
    minutes = models.TextField("compte rendu", blank=True)
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.PLANNED)
    # Increases at each change of date or place, so that calendar clients update the invitation (.ics).
    sequence = models.PositiveIntegerField("révision", default=0)

    class Meta:
        verbose_name = "réunion"
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
            )
        ]

    def __str__(self):
        return self.title or f"{self.body} {self.on_label}"

    @property
    def month_only(self) -> bool:
        """True for a meeting whose day is unknown (the month only)."""
        return self.date_precision == DatePrecision.MONTH

    @property
    def date_label(self) -> str:
        """« 23 mai 2024 », or « mai 2024 » when only the month is known."""
        return date_label(timezone.localdate(self.starts_at), self.date_precision)

    @property
    def date_short(self) -> str:
        """« 23/05/2024 », or « 05/2024 » when only the month is known."""
        local = timezone.localtime(self.starts_at)
        return f"{local:%m/%Y}" if self.month_only else f"{local:%d/%m/%Y}"

    @property
    def on_label(self) -> str:
        """« du 23/05/2024 », « de mai 2024 », « d'avril 2024 » (after the body's name)."""
        if self.month_only:
            label = self.date_label
            return f"d'{label}" if label[:1] in "aeiouyàâéèêîôû" else f"de {label}"
        return f"du {self.date_short}"

    @property
    def when_label(self) -> str:
        """The date and time as the pages show them: « jeudi 23 mai 2024, 14:00 – 16:00 », or « mai 2024 (jour
        non connu) »."""
        if self.month_only:
            return f"{self.date_label} (jour non connu)"
        text = date_format(timezone.localtime(self.starts_at), "l j F Y, H:i")
        if self.ends_at:
            text += f" – {timezone.localtime(self.ends_at):%H:%M}"
        return text

    TO_CLOSE_LABEL = "À clôturer"

    def is_to_close(self, now=None) -> bool:
        """Still « prévue » once it has begun: to mark as held or to cancel."""
        return self.status == self.Status.PLANNED and self.starts_at <= (now or timezone.now())

    @property
    def status_label(self) -> str:
        """The status as the pages show it: « À clôturer » for a planned meeting whose start is past."""
        return self.TO_CLOSE_LABEL if self.is_to_close() else self.get_status_display()

    @property
    def status_badge(self) -> str:
        """The DSFR badge class of `status_label`."""
        if self.is_to_close():
            return "fr-badge--warning"
        return {self.Status.HELD: "fr-badge--success", self.Status.CANCELLED: "fr-badge--error"}.get(
            self.status, "fr-badge--info"
        )


class Participant(models.Model):
    """One person invited to a meeting, and whether they came."""

    class Attendance(models.TextChoices):
        INVITED = "invite", "Invité·e"
        PRESENT = "present", "Présent·e"
        EXCUSED = "excuse", "Excusé·e"
        ABSENT = "absent", "Absent·e"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="participants", verbose_name="réunion"
    )
    member = models.ForeignKey(
        BodyMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participations",
        verbose_name="membre de l'instance",
    )
    person_name = models.CharField("personne", max_length=200)
    organisation_name = models.CharField("organisation", max_length=250, blank=True)
    email = models.EmailField("courriel", blank=True)
    attendance = models.CharField(
        "présence", max_length=10, choices=Attendance.choices, default=Attendance.INVITED
    )

    class Meta:
        verbose_name = "participant·e"
        ordering = ["organisation_name", "person_name", "id"]

    def __str__(self):
        return (
            f"{self.person_name} ({self.organisation_name})" if self.organisation_name else self.person_name
        )


class Decision(TrackedModel):
    """A decision taken in a meeting. Some act on the plan: applying them calls the plan's services, and
    the history lines they write point back to the decision (ctg.core.history.history_cause)."""

    class Kind(models.TextChoices):
        NOTE = "note", "Décision (sans effet sur le plan)"
        FICHE_STATUS = "fiche_status", "Changer le statut d'une fiche action"
        BUDGET = "budget", "Ajuster le budget d'une fiche action"
        FICHE_CREATE = "fiche_create", "Ajouter une fiche action"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name="réunion"
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)
    text = models.TextField("décision")
    kind = models.CharField("effet", max_length=20, choices=Kind.choices, default=Kind.NOTE)
    fiche = models.ForeignKey(
        "plans.FicheAction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name="fiche action",
    )
    # What it changes: {"status"} | {"year", "funder", "planned", "spent"} | {"title", "objective", …}
    payload = models.JSONField("paramètres", default=dict, blank=True)
    applied_at = models.DateTimeField("appliquée le", null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="appliquée par",
    )
    # Why applying it changed nothing on the plan (the fiche already had that status, the budget line those
    # amounts); empty when it did change the plan.
    applied_without_effect = models.CharField("appliquée sans effet", max_length=300, blank=True)

    class Meta:
        verbose_name = "décision"
        ordering = ["meeting__starts_at", "position", "id"]

    def __str__(self):
        return self.text[:80]

    # As the cause of history lines (ctg.core.history.history_cause): the link shown on the history pages.
    history_cause_select = ("meeting__body",)

    @property
    def history_cause_label(self) -> str:
        day = timezone.localtime(self.meeting.starts_at).strftime("%d/%m/%Y")
        body = french.body_of(self.meeting.body.name)
        return f"Décision {body} du {day} : {Truncator(self.text).chars(80)}"

    def get_absolute_url(self) -> str:
        return reverse("governance:meeting", args=[self.meeting.ctg_id, self.meeting_id])
