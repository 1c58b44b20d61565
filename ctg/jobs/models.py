"""The jobs run in the background (issue 15): what was asked, by whom, for which dossier, its progress, its
French message and its result.

A job is one row here plus one task of django-tasks' database backend (`task_id`), run by `ctg db_worker`.
The dossier is named by the setting `CTG_DOSSIER_MODEL`, the way `ctg.core`'s history does it: this app sits
just above the core and imports no domain app.
"""

from django.conf import settings
from django.db import models
from django.urls import NoReverseMatch, reverse


class Job(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "en attente"
        RUNNING = "running", "en cours"
        DONE = "done", "terminé"
        FAILED = "failed", "échoué"

    kind = models.CharField("nature", max_length=64)
    label = models.CharField("intitulé", max_length=200)
    ctg = models.ForeignKey(
        settings.CTG_DOSSIER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name="dossier",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="demandé par",
    )
    function = models.CharField("fonction", max_length=200)
    arguments = models.JSONField("arguments", default=dict, blank=True)
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField("avancement (%)", default=0)
    message = models.CharField("message", max_length=300, blank=True)
    result_label = models.CharField("résultat", max_length=300, blank=True)
    result_url_name = models.CharField("page du résultat", max_length=100, blank=True)
    result_url_args = models.JSONField("arguments de la page du résultat", default=list, blank=True)
    result_file = models.FileField("fichier du résultat", upload_to="jobs/%Y/%m/", blank=True)
    error = models.TextField("erreur", blank=True)
    attempts = models.PositiveSmallIntegerField("essais", default=0)
    max_attempts = models.PositiveSmallIntegerField("essais au plus", default=3)
    task_id = models.CharField("identifiant de la tâche", max_length=64, blank=True)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    attempt_started_at = models.DateTimeField("essai en cours commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("fini le", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "travail en arrière-plan"
        verbose_name_plural = "travaux en arrière-plan"

    def __str__(self) -> str:
        return f"{self.label} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def result_url(self) -> str:
        """The page or file of the result, or "" (a result whose URL no longer resolves is not linked)."""
        if self.result_file:
            return reverse("jobs:file", args=[self.pk])
        if not self.result_url_name:
            return ""
        try:
            return reverse(self.result_url_name, args=self.result_url_args)
        except NoReverseMatch:
            return ""
