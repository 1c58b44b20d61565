"""« Besoins et offre » in the dossier's « Diagnostic » tab (issue 12, item 4): per field, the demand of the
portrait beside the offer of the inventory, and the white zones at a distance chosen on the page. Read-only:
every member of the dossier reads it (`Op.VIEW`)."""

from django.shortcuts import render

from ctg.conventions.frame import ctg_view, dossier_context
from ctg.diagnostics.portrait import of_territory, territory_of_ctg
from ctg.offer import needs as needs_module
from ctg.organisations.permissions import Op

DISTANCES = (5, 10, 15, 20, 30)


def _distance(params) -> float:
    default = needs_module.default_distance_km()
    try:
        value = float(params.get("distance", default))
    except (TypeError, ValueError):
        return default
    return value if value in DISTANCES or value == default else default


@ctg_view(Op.VIEW)
def needs(request, ctg, role):
    territory = territory_of_ctg(ctg)
    distance = _distance(request.GET)
    zones, contour_source = needs_module.white_zones(territory, distance)
    context = dossier_context(
        ctg,
        role,
        "diagnostic",
        "Besoins et offre",
        diagnostic_nav="needs",
        territory=territory,
        territory_of=of_territory(territory),
        rows=needs_module.needs_versus_offer(territory),
        zones=zones,
        contour_source=contour_source,
        method=needs_module.METHOD,
        distance=distance,
        distances=sorted({*DISTANCES, needs_module.default_distance_km()}),
    )
    return render(request, "offer/needs.html", context)
