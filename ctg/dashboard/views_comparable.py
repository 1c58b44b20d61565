"""Territories compared, for the CAF (issue 14): the EPCI of a département side by side on the portrait's key
figures (`/caf/<département>/comparaison/`, CSV and xlsx), and the « territoires comparables » of an EPCI, the
nearest EPCI of France (`/caf/territoires-comparables/<SIREN>/`, with a search by name).

Who: `PlatformOp.VIEW_CAF_DASHBOARD`. The comparison of a département is within `platform_scope` (the CAF's
staff and the Département's services of that département, the platform's data managers everywhere; another
département: 404, not revealed). The comparable territories are public statistics: whoever holds the
operation, in any scope, searches any EPCI of France. Without the operation: 403. The computations are in
`ctg.diagnostics.comparable`; these views only read them and write the page or the file.
"""

import io
import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ctg.datafiles import csv_writer, xlsx_append
from ctg.diagnostics import comparable
from ctg.diagnostics.catalogue import SOURCES, dataset_label
from ctg.diagnostics.engine import NON_DISPONIBLE
from ctg.diagnostics.presentation import STATUS_LABELS
from ctg.organisations.permissions import PlatformOp, platform_allows, platform_scope
from ctg.rendering import attachment
from ctg.territories.models import Departement, Epci
from ctg.territories.selectors import search_territories

FORBIDDEN = (
    "Seuls la CAF, les services du Département et les gestionnaires de la plateforme consultent la "
    "comparaison des territoires."
)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SIREN = re.compile(r"^[0-9]{9}$")
SEARCH_LIMIT = 30


def _allowed(user) -> None:
    if not platform_allows(user, PlatformOp.VIEW_CAF_DASHBOARD):
        raise PermissionDenied(FORBIDDEN)


def _departement(user, code: str) -> Departement:
    """The département `code` if `user` may see its comparison: 403 without the operation, 404 outside their
    scope or for an unknown code."""
    _allowed(user)
    scope = platform_scope(user, PlatformOp.VIEW_CAF_DASHBOARD)
    if scope is not None and code not in scope:
        raise Http404("Département introuvable.")
    return get_object_or_404(Departement, pk=code)


# --- comparison of the EPCI of a département ------------------------------------------------------------


def _sort(request) -> tuple[str, str] | None:
    key = request.GET.get("tri", "nom")
    order = request.GET.get("ordre", "asc")
    if key not in comparable.SORT_KEYS or order not in ("asc", "desc"):
        return None
    return key, order


def _status(cell: comparable.Cell) -> dict:
    label, css = STATUS_LABELS.get(cell.status, (cell.status, ""))
    return {"code": cell.status, "label": label, "css": css, "note": cell.note}


def _row_context(row: comparable.ComparisonRow, indicators, notes: list[str]) -> dict:
    """A row of the table; the status of a figure that is not complete is said in a numbered note under the
    table (each text once: `notes`), its number beside the figure."""
    cells = []
    for ind in indicators:
        cell = row.cells[ind.id]
        note = None
        if cell.note:
            if cell.note not in notes:
                notes.append(cell.note)
            note = notes.index(cell.note) + 1
        cells.append(
            {
                "text": comparable.cell_text(cell, ind),
                "missing": cell.value is None,
                "complete": cell.status == "ok",
                "status": _status(cell),
                "note": note,
            }
        )
    return {
        "code": row.code,
        "name": row.name,
        "kind": row.kind,
        "straddles": row.straddles,
        "cells": cells,
        "url": reverse("dashboard:comparable", args=[row.code]) if row.kind == "epci" else None,
        "portrait_url": reverse("diagnostics:territory", args=[row.code]) if row.kind == "epci" else None,
    }


def _columns(indicators, key: str, order: str) -> list[dict]:
    columns = [{"id": "nom", "label": "Intercommunalité", "unit": ""}] + [
        {"id": ind.id, "label": ind.label, "unit": ind.unit} for ind in indicators
    ]
    for column in columns:
        active = column["id"] == key
        column["aria_sort"] = ("ascending" if order == "asc" else "descending") if active else "none"
        next_order = "desc" if active and order == "asc" else "asc"
        column["href"] = f"?tri={column['id']}&ordre={next_order}#comparaison"
        column["next"] = "décroissant" if next_order == "desc" else "croissant"
    return columns


@login_required
@require_http_methods(["GET"])
def comparison(request, code):
    departement = _departement(request.user, code)
    sort = _sort(request)
    if sort is None:
        return HttpResponseBadRequest("Tri inconnu : choisissez une colonne du tableau.")
    key, order = sort
    data = comparable.departement_comparison(departement.code)
    notes: list[str] = []
    rows = [_row_context(row, data.indicators, notes) for row in data.sorted_rows(key, order)]
    references = [_row_context(row, data.indicators, notes) for row in data.references]
    title = f"Comparaison des intercommunalités — {departement.name}"
    query = f"?tri={key}&ordre={order}"
    context = {
        "title": title,
        "departement": departement,
        "columns": _columns(data.indicators, key, order),
        "rows": rows,
        "references": references,
        "notes": notes,
        "key": key,
        "order": order,
        "datasets": [
            {"label": dataset_label(kind), "source": SOURCES[kind].format(year=year)}
            for kind, year in sorted(data.datasets.items())
        ],
        "definitions": data.indicators,
        "csv_url": reverse("dashboard:comparison_csv", args=[departement.code]) + query,
        "xlsx_url": reverse("dashboard:comparison_xlsx", args=[departement.code]) + query,
        "dashboard_url": reverse("dashboard:departement", args=[departement.code]),
        "breadcrumb_data": {
            "links": [
                {"url": reverse("dashboard:departement", args=[departement.code]), "title": departement.name}
            ],
            "current": "Comparaison des intercommunalités",
        },
    }
    return render(request, "dashboard/comparison.html", context)


def _export_rows(code: str, request) -> tuple[list[str], list[list]] | None:
    sort = _sort(request)
    if sort is None:
        return None
    data = comparable.departement_comparison(code)
    header = ["Code", "Territoire", "Niveau"]
    for ind in data.indicators:
        header.append(f"{ind.label} ({ind.unit})")
    header.append("Statut des données")
    levels = {"epci": "EPCI", "departement": "Département", "france": "France"}
    body = []
    for row in [*data.sorted_rows(*sort), *data.references]:
        line = [row.code, row.name, levels[row.kind]]
        notes = []
        for ind in data.indicators:
            cell = row.cells[ind.id]
            line.append(None if cell.value is None else round(cell.value, ind.decimals + 2))
            if cell.status != "ok" or cell.note:
                label = STATUS_LABELS.get(cell.status, (cell.status,))[0].lower()
                notes.append(f"{ind.label} : {cell.note or label}")
        # A figure that is not complete says so beside the numbers (the numeric cells stay numbers).
        line.append(" | ".join(notes))
        body.append(line)
    return header, body


def _file_name(departement: Departement, extension: str) -> str:
    return f"comparaison-epci-{departement.code}-{timezone.localdate():%Y-%m-%d}.{extension}"


@login_required
@require_http_methods(["GET"])
def comparison_csv(request, code):
    departement = _departement(request.user, code)
    exported = _export_rows(departement.code, request)
    if exported is None:
        return HttpResponseBadRequest("Tri inconnu.")
    header, body = exported
    buffer = io.StringIO()
    writer = csv_writer(buffer)  # no cell run as a formula, decimal comma (ctg.datafiles)
    writer.writerow(header)
    for line in body:
        writer.writerow(["" if cell is None else cell for cell in line])
    content = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    return attachment(content, "text/csv; charset=utf-8", _file_name(departement, "csv"))


@login_required
@require_http_methods(["GET"])
def comparison_xlsx(request, code):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    departement = _departement(request.user, code)
    exported = _export_rows(departement.code, request)
    if exported is None:
        return HttpResponseBadRequest("Tri inconnu.")
    header, body = exported
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Comparaison des EPCI"
    xlsx_append(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "C2"
    for line in body:
        xlsx_append(sheet, line)
    output = io.BytesIO()
    workbook.save(output)
    return attachment(output.getvalue(), XLSX_TYPE, _file_name(departement, "xlsx"))


# --- territoires comparables ----------------------------------------------------------------------------


def _search_results(q: str) -> list:
    return [r for r in search_territories(q, limit=SEARCH_LIMIT) if r.kind == "epci"]


@login_required
@require_http_methods(["GET"])
def comparable_search(request):
    """Choose an EPCI by its name or SIREN; one exact SIREN goes straight to its page's link."""
    _allowed(request.user)
    q = (request.GET.get("q") or "").strip()[:100]
    results = _search_results(q) if q else []
    context = {
        "title": "Territoires comparables",
        "q": q,
        "results": [{**vars(r), "url": reverse("dashboard:comparable", args=[r.code])} for r in results],
        "searched": bool(q),
        "features": comparable.FEATURES,
        "breadcrumb_data": {"current": "Territoires comparables"},
    }
    return render(request, "dashboard/comparable_search.html", context)


@login_required
@require_http_methods(["GET"])
def comparable_epci(request, siren):
    _allowed(request.user)
    if not SIREN.match(siren):
        raise Http404("Aucune intercommunalité de ce numéro SIREN.")
    epci = get_object_or_404(Epci, siren=siren, is_active=True)
    try:
        found = comparable.nearest(epci.siren)
    except comparable.EpciNotFound:
        raise Http404("Aucune intercommunalité de ce numéro SIREN.") from None
    shown = [(epci.siren, epci.name, None, [])] + [
        (n.siren, n.name, n.distance, n.departements) for n in found.neighbours
    ]
    features = []
    for feature in comparable.FEATURES:
        cells = []
        for siren_shown, _name, _d, _deps in shown:
            measure = found.measures[siren_shown].get(feature.id) or comparable.Measure(None, NON_DISPONIBLE)
            cells.append(
                {
                    "text": comparable.measure_text(measure, feature),
                    "missing": measure.value is None,
                    "status": comparable.status_label(measure.status),
                    "complete": measure.status == "ok",
                    "note": measure.note,
                }
            )
        features.append({"feature": feature, "cells": cells})
    neighbours = [
        {
            "rank": index,
            "siren": n.siren,
            "name": n.name,
            "distance": f"{n.distance:.2f}".replace(".", ","),
            "departements": ", ".join(n.departements),
            "shared": [comparable.FEATURE_BY_ID[f].label for f in n.shared],
            "shared_count": len(n.shared),
            "url": reverse("dashboard:comparable", args=[n.siren]),
            "portrait_url": reverse("diagnostics:territory", args=[n.siren]),
        }
        for index, n in enumerate(found.neighbours, start=1)
    ]
    context = {
        "title": f"Territoires comparables — {epci.name}",
        "epci": epci,
        "portrait_url": reverse("diagnostics:territory", args=[epci.siren]),
        "departements": ", ".join(found.departements),
        "columns": [{"siren": s, "name": name} for s, name, _d, _deps in shown],
        "features": features,
        "neighbours": neighbours,
        "missing": [
            {"label": feature.label, "note": measure.note or comparable.status_label(measure.status)}
            for feature, measure in found.missing
        ],
        "unranked": found.unranked,
        "candidates": found.candidates,
        "all_features": comparable.FEATURES,
        "min_shared": round(comparable.MIN_SHARED_WEIGHT * 100),
        "min_coverage": round(comparable.MIN_COVERAGE * 100),
        "q": "",
        "breadcrumb_data": {
            "links": [{"url": reverse("dashboard:comparable_search"), "title": "Territoires comparables"}],
            "current": epci.name,
        },
    }
    return render(request, "dashboard/comparable.html", context)
