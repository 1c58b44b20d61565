"""In-app notifications; reminders (`ctg send_reminders`) create them and send them by email once."""

from django.conf import settings
from django.db import models

from ctg.conventions.models import Ctg


class Notification(models.Model):
    class Kind(models.TextChoices):
        MEETING = "reunion", "Réunion à venir"
        MILESTONE = "jalon", "Jalon à venir"
        PERIOD_END = "fin_periode", "Fin de la période de la CTG"
        FUNDING = "financement", "Financement du poste à renouveler"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="destinataire",
    )
    ctg = models.ForeignKey(
        Ctg,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name="dossier",
    )
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    # What the reminder is about (e.g. "reunion:12:j-7"): one notification per person and key, ever.
    key = models.CharField("clé", max_length=120)
    title = models.CharField("titre", max_length=250)
    message = models.TextField("message", blank=True)
    url = models.CharField("lien", max_length=500, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("lue le", null=True, blank=True)
    emailed_at = models.DateTimeField("envoyée par courriel le", null=True, blank=True)
    # Set by the run that is emailing the notification, so that two overlapping runs never email it twice;
    # a claim older than CTG_REMINDER_CLAIM_MINUTES (a run that died while sending) may be taken again.
    email_claimed_at = models.DateTimeField("envoi en cours depuis", null=True, blank=True)

    class Meta:
        verbose_name = "notification"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="unique_notification_key")]

    def __str__(self):
        return self.title
