"""The départemental dashboard of the CAF (issue 14): `/caf/` and `/caf/<code>/`, its CSV and xlsx exports.

Who: `PlatformOp.VIEW_CAF_DASHBOARD` within `platform_scope` — a CAF adviser for the département of their
CAF, a person of the Département or one of its services for theirs (read-only: no link that writes), a
platform data manager for every département. As the statistics imports do, a person without the operation
gets 403 and a département outside their scope 404 (an unknown département too): its figures are not
revealed. The dossier links show only for the dossiers the person may open (`ctg_visible_to`).

Bad input answers 400 with its reason and no figure: a filter with an unknown value, a year out of
`MIN_YEAR`–`MAX_YEAR` (`dashboard.clean_filters`, `dashboard.check_year`)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods

from ctg.conventions.models import Field
from ctg.conventions.selectors import can_create_ctg, ctg_visible_to
from ctg.dashboard import exports
from ctg.dashboard.dashboard import (
    FILTER_NAMES,
    MAX_YEAR,
    MIN_YEAR,
    BadFilter,
    State,
    UnknownDepartement,
    build_dashboard,
    state_map,
)
from ctg.organisations.permissions import (
    PlatformOp,
    PlatformRole,
    platform_allows,
    platform_role,
    platform_scope,
)
from ctg.territories.models import Departement

FORBIDDEN = (
    "Le tableau de bord départemental est réservé aux CAF (pour leur département), aux services du "
    "Département (en lecture) et aux gestionnaires des données de la plateforme."
)
NOT_FOUND = "Tableau de bord introuvable."


def optional_url(name: str, *args) -> str | None:
    """The URL of `name`, or None when no such page exists (the pages of the other parts of /caf/ may not be
    installed): the link is then left out."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _check_access(user, code: str) -> None:
    """403 without the operation; 404 for a département outside the person's scope (or unknown)."""
    if not platform_allows(user, PlatformOp.VIEW_CAF_DASHBOARD):
        raise PermissionDenied(FORBIDDEN)
    scope = platform_scope(user, PlatformOp.VIEW_CAF_DASHBOARD)
    if scope is not None and code not in scope:
        raise Http404(NOT_FOUND)


def _request_filters(request) -> tuple[dict, str | None]:
    return {name: request.GET.get(name, "") for name in FILTER_NAMES}, request.GET.get("annee") or None


def _dashboard(request, code: str):
    """The dashboard's figures for the request, or the 400 page of its bad input (nothing of the
    département shown)."""
    _check_access(request.user, code)
    filters, year = _request_filters(request)
    try:
        return build_dashboard(code, year=year, filters=filters), None
    except UnknownDepartement:
        raise Http404(NOT_FOUND) from None
    except BadFilter as error:
        response = render(
            request,
            "dashboard/bad_request.html",
            {
                "title": "Filtre invalide",
                "reason": str(error),
                "back": reverse("dashboard:departement", args=[code]),
            },
            status=400,
        )
        return None, response


def _visible_ids(user, data) -> set[int]:
    ids = {r.ctg.pk for r in data["rows"] if r.ctg} | {r.renewal.pk for r in data["rows"] if r.renewal}
    ids |= set(data["ctg_ids"])
    if not ids:
        return set()
    return set(ctg_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


@login_required
@require_http_methods(["GET"])
def dashboard_home(request):
    """`/caf/`: the dashboard of the person's département, or the choice of a département."""
    if not platform_allows(request.user, PlatformOp.VIEW_CAF_DASHBOARD):
        raise PermissionDenied(FORBIDDEN)
    scope = platform_scope(request.user, PlatformOp.VIEW_CAF_DASHBOARD)
    if scope is not None and len(scope) == 1:
        return redirect("dashboard:departement", departement=next(iter(scope)))
    departements = Departement.objects.filter(is_active=True).order_by("code")
    if scope is not None:
        departements = departements.filter(code__in=scope)
    return render(
        request,
        "dashboard/choose.html",
        {"title": "Tableaux de bord départementaux", "nav": "caf", "departements": departements},
    )


@login_required
@require_http_methods(["GET"])
def departement_dashboard(request, departement: str):
    data, refusal = _dashboard(request, departement)
    if refusal is not None:
        return refusal
    role = platform_role(request.user)
    departement = data["departement"]  # the Departement
    query = request.GET.urlencode()
    suffix = f"?{query}" if query else ""
    filters = data["filters"]
    expiry_years = sorted({r.ctg.end_year for r in data["rows"] if r.ctg} | {data["year"], data["year"] + 1})
    return render(
        request,
        "dashboard/departement.html",
        {
            "title": f"Tableau de bord des CTG — {departement.name}",
            "nav": "caf",
            "data": data,
            "map": state_map(data),
            "visible_ids": _visible_ids(request.user, data),
            "read_only": role == PlatformRole.DEPARTEMENT_READER,
            "can_create": role != PlatformRole.DEPARTEMENT_READER and can_create_ctg(request.user),
            "comparison_url": optional_url("dashboard:comparison", departement.code),
            "axes_url": optional_url("dashboard:axes", departement.code),
            "csv_url": reverse("dashboard:departement_csv", args=[departement.code]) + suffix,
            "xlsx_url": reverse("dashboard:departement_xlsx", args=[departement.code]) + suffix,
            "filter_form": [
                {
                    "name": "etat",
                    "label": "État de la CTG",
                    "all": "Tous les états",
                    "options": State.choices,
                    "value": filters.get("etat", ""),
                },
                {
                    "name": "echeance",
                    "label": "Année d'échéance",
                    "all": "Toutes les années",
                    "options": [(str(y), str(y)) for y in expiry_years],
                    "value": str(filters.get("echeance", "")),
                },
                {
                    "name": "champ",
                    "label": "Champ d'intervention",
                    "all": "Tous les champs",
                    "options": Field.choices,
                    "value": filters.get("champ", ""),
                },
            ],
            "filtered": bool(filters),
            "year_range": (MIN_YEAR, MAX_YEAR),
            "breadcrumb_data": {
                "links": [{"url": reverse("dashboard:home"), "title": "Tableaux de bord des CAF"}],
                "current": departement.name,
            },
        },
    )


@login_required
@require_http_methods(["GET"])
def departement_csv(request, departement: str):
    data, refusal = _dashboard(request, departement)
    if refusal is not None:
        return refusal
    return exports.csv_response(data, _visible_ids(request.user, data), request)


@login_required
@require_http_methods(["GET"])
def departement_xlsx(request, departement: str):
    data, refusal = _dashboard(request, departement)
    if refusal is not None:
        return refusal
    return exports.xlsx_response(data, _visible_ids(request.user, data), request)
