"""Public pages of the territorial reference data: search, and one page per commune, EPCI and département."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from ctg.territories import selectors
from ctg.territories.models import Departement, Epci

FULL_SEARCH_LIMIT = 50
COMMUNES_PER_PAGE = 100


def _search_link():
    return {"url": reverse("territories:search"), "title": "Territoires"}


def _query(request) -> str:
    return request.GET.get("q", "").strip()[:100]


@require_GET
def search(request):
    """The search page; asked by HTMX, only the list of suggestions."""
    if request.htmx:
        return suggestions(request)
    q = _query(request)
    results = selectors.search_territories(q, limit=FULL_SEARCH_LIMIT) if q else []
    return render(
        request,
        "territories/search.html",
        {
            "title": f"Territoires : « {q} »" if q else "Territoires",
            "nav": "territories",
            "breadcrumb_data": {"links": [], "current": "Territoires"},
            "q": q,
            "results": results,
            "limit": FULL_SEARCH_LIMIT,
        },
    )


@require_GET
def suggestions(request):
    """The suggestions the search input fetches while typing; without JavaScript, the search page."""
    q = _query(request)
    if not request.htmx:
        url = reverse("territories:search")
        return redirect(f"{url}?{urlencode({'q': q})}" if q else url)
    results = selectors.search_territories(q) if q else []
    return render(request, "territories/_suggestions.html", {"q": q, "results": results})


@require_GET
def commune_detail(request, code):
    commune = selectors.commune_detail(code)
    if commune is None:
        current = selectors.resolve_commune_code(code)
        if current is None:
            raise Http404("Commune inconnue.")
        return redirect(current, permanent=True)
    return render(
        request,
        "territories/commune_detail.html",
        {
            "title": f"{commune.name} ({commune.code}) — commune",
            "nav": "territories",
            "breadcrumb_data": {
                "links": [
                    _search_link(),
                    {"url": commune.departement.get_absolute_url(), "title": str(commune.departement)},
                ],
                "current": commune.name,
            },
            "commune": commune,
            "former_codes": commune.former_codes.all(),
            "successor": None if commune.is_active else selectors.resolve_commune_code(commune.code),
        },
    )


@require_GET
def epci_detail(request, siren):
    epci = get_object_or_404(Epci, siren=siren)
    members = list(selectors.epci_members(epci))
    departements = list(selectors.epci_departements(epci))
    return render(
        request,
        "territories/epci_detail.html",
        {
            "title": f"{epci.name} — EPCI",
            "nav": "territories",
            "breadcrumb_data": {"links": [_search_link()], "current": epci.name},
            "epci": epci,
            "members": members,
            "members_population": sum(m.population or 0 for m in members),
            "departements": departements,
        },
    )


@require_GET
def departement_detail(request, code):
    departement = get_object_or_404(Departement.objects.select_related("region"), code=code)
    totals = selectors.departement_totals(departement)
    page_obj = Paginator(selectors.departement_communes(departement), COMMUNES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    page_obj.pages_list = _pages_list(page_obj)
    return render(
        request,
        "territories/departement_detail.html",
        {
            "title": f"{departement.name} ({departement.code}) — département",
            "nav": "territories",
            "breadcrumb_data": {"links": [_search_link()], "current": str(departement)},
            "departement": departement,
            "commune_count": totals["count"],
            "population": totals["population"],
            "epcis": selectors.departement_epcis(departement),
            "page_obj": page_obj,
        },
    )


def _pages_list(page_obj) -> list:
    """Page numbers around the current one, with "…" for the gaps, as the DSFR pagination tag shows them."""
    last = page_obj.paginator.num_pages
    numbers = sorted({1, 2, page_obj.number - 1, page_obj.number, page_obj.number + 1, last - 1, last})
    numbers = [n for n in numbers if 1 <= n <= last]
    pages = []
    for number in numbers:
        if pages and number - pages[-1] == 2:
            pages.append(number - 1)
        elif pages and number - pages[-1] > 2:
            pages.append("…")
        pages.append(number)
    return pages
