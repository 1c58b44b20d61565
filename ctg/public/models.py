"""The public page of a CTG (issue 13): one `Publication` per dossier, the signatories' choice of what the
inhabitants see and whether they see it. The page itself is computed at each visit from the dossier
(`ctg.public.content`): nothing of the dossier is copied here."""

from django.conf import settings
from django.db import models

from ctg.conventions.models import Ctg
from ctg.core.models import TrackedModel


class Publication(TrackedModel):
    """Whether the dossier's public page is published, under which address, and what it shows.

    The slug is readable (« cc-tarn-agout-2023-2026 »): a public page is meant to be found. It is chosen once,
    when the publication is first set up, and kept afterwards so that the pages and iframes of the EPCI's
    site that link to it keep working."""

    ctg = models.OneToOneField(
        Ctg, on_delete=models.CASCADE, related_name="publication", verbose_name="dossier"
    )
    slug = models.SlugField("adresse", max_length=100, unique=True)
    published = models.BooleanField("publiée", default=False)
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="publiée par",
    )
    withdrawn_at = models.DateTimeField("retirée le", null=True, blank=True)
    show_budgets = models.BooleanField(
        "montrer le budget de chaque fiche action",
        default=False,
        help_text="Le total prévu et réalisé de chaque fiche, jamais le détail par financeur.",
    )
    show_pilots = models.BooleanField(
        "montrer l'organisation pilote de chaque fiche action",
        default=True,
        help_text="Le nom de l'organisation, jamais celui d'une personne.",
    )
    show_key_figures = models.BooleanField("montrer les chiffres clés du diagnostic", default=True)
    show_progress = models.BooleanField("montrer l'avancement des fiches action", default=True)
    introduction = models.TextField("texte d'introduction", blank=True)
    contact_email = models.EmailField("adresse de contact", blank=True)

    class Meta:
        verbose_name = "page publique de la CTG"
        verbose_name_plural = "pages publiques des CTG"

    def __str__(self):
        return f"Page publique — {self.ctg}"
