"""Public endpoints (no token): the territories and their portrait."""

from django.http import Http404
from ninja import Path, Query, Router
from ninja.pagination import paginate

from ctg.api.pagination import Pagination
from ctg.api.schemas import Error, Invalid, PortraitOut, TerritoryOut
from ctg.diagnostics.portrait import TerritoryNotFound, build_portrait, resolve_territory
from ctg.territories.selectors import search_territories
from ctg.text import clean_text

router = Router(tags=["Territoires et portraits (publics)"], auth=None)


@router.get(
    "territoires",
    response={200: list[TerritoryOut], 422: Invalid},
    url_name="territories",
    summary="Rechercher un territoire (commune, EPCI, département)",
    auth=None,
)
@paginate(Pagination)
def territories(request, q: str = Query(..., min_length=1, max_length=100, description="Nom ou code")):
    found = search_territories(clean_text(q) or "", limit=100)
    return [
        {"kind": r.kind, "code": r.code, "name": r.name, "detail": r.detail, "population": r.population}
        for r in found
    ]


def _number(value):
    return None if value is None else float(value)


@router.get(
    "territoires/{code}/portrait",
    response={200: PortraitOut, 404: Error, 422: Invalid},
    url_name="portrait",
    summary="Le portrait statistique d'un territoire",
    description=(
        "Chaque chiffre avec son statut : ok, partiel (couverture), secret (secret statistique) ou "
        "non_disponible. Un chiffre secret ou absent vaut null, jamais 0."
    ),
    auth=None,
)
def portrait(request, code: str = Path(..., max_length=20, description="Code Insee, SIREN ou département")):
    try:
        territory = resolve_territory(clean_text(code) or "")
    except TerritoryNotFound as error:
        raise Http404(str(error)) from None
    result = build_portrait(territory, with_references=False)
    figures = []
    for item in result.results:
        value = item.value
        shown = value.status in ("ok", "partiel") and value.value is not None
        figures.append(
            {
                "indicator": item.indicator.id,
                "label": item.indicator.label,
                "theme": item.indicator.theme,
                "unit": item.indicator.unit,
                "value": _number(value.value) if shown else None,
                "status": value.status,
                "coverage": _number(value.coverage),
                "year": value.year,
                "note": value.note or "",
                "source": item.source or "",
            }
        )
    return {
        "territory": {
            "code": territory.code,
            "kind": territory.kind,
            "name": territory.name,
            "population": territory.population or 0,
            "communes": len(territory.communes),
        },
        "figures": figures,
        "fictitious_datasets": list(result.fictitious_datasets),
    }
