"""The CAF's yearly funding parameter tables (issue 14): written by the CAF's staff, history kept.

A CAF's value for (year, key) is the latest of its versions: versions are never changed nor deleted
(`services.parameter_set` appends one, with who, when, the value before and after and the comment); a version
whose value is empty takes the CAF's value away (the public value applies again)."""

from django.conf import settings
from django.db import models


class ParameterVersion(models.Model):
    caf = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="funding_parameter_versions",
        verbose_name="CAF",
    )
    year = models.PositiveSmallIntegerField("année")
    key = models.CharField("paramètre", max_length=64)
    value = models.DecimalField(
        "valeur", max_digits=14, decimal_places=4, null=True, blank=True, help_text="Vide : valeur retirée."
    )
    previous_value = models.DecimalField(
        "valeur précédente", max_digits=14, decimal_places=4, null=True, blank=True
    )
    comment = models.TextField("commentaire", blank=True)
    created_at = models.DateTimeField("enregistrée le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="enregistrée par",
    )

    class Meta:
        verbose_name = "version d'un paramètre de financement"
        verbose_name_plural = "versions des paramètres de financement"
        ordering = ["caf", "year", "key", "-created_at", "-pk"]
        indexes = [models.Index(fields=["caf", "year", "key"])]

    def __str__(self):
        return f"{self.caf} {self.year} {self.key} = {self.value}"
