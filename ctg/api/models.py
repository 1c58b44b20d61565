"""The personal API tokens (issue 15).

A token is shown once, when it is created; only a keyed hash of it is stored (`key_hash`, HMAC-SHA256 with the
site's secret key), with its first characters (`prefix`) so that its owner recognises it in the list."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="personne"
    )
    name = models.CharField("nom", max_length=100)
    key_hash = models.CharField("empreinte", max_length=64, unique=True)
    prefix = models.CharField("début du jeton", max_length=16)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    expires_at = models.DateTimeField("expire le", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def state_label(self) -> str:
        if self.revoked_at is not None:
            return "Révoqué"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "Expiré"
        return "Actif"
