"""The plan's indicators linked to the portrait follow the statistics store: a new vintage updates them; the
findings of the diagnostic learn which enjeux cite them."""

import logging

from ctg.conventions.models import Ctg
from ctg.plans.services.indicators import plan_refresh_open_data

logger = logging.getLogger(__name__)


def refresh_open_data_indicators(sender, records, **kwargs) -> None:
    dossiers = Ctg.objects.filter(fiches__indicators__portrait_indicator__gt="").distinct()
    for ctg in dossiers:
        try:
            plan_refresh_open_data(ctg=ctg)
        except Exception:  # the import itself succeeded; a failed refresh must not undo it
            logger.exception(
                "Mise à jour des indicateurs du plan depuis les données ouvertes impossible (%s)", ctg
            )


def enjeux_citing(finding) -> list[tuple[str, str]]:
    """The enjeux that cite `finding` (« Enjeu « … » », their page), for the findings' pages
    (`ctg.findings.selectors.register_citing`)."""
    from django.urls import reverse

    return [
        (f"Enjeu « {enjeu.title} »", reverse("plans:enjeu_detail", args=[enjeu.ctg_id, enjeu.pk]))
        for enjeu in finding.enjeux.order_by("position", "id")
    ]
