"""The offer of services in the dossier's « Diagnostic » tab (issue 12): the list of the structures of the
dossier's territory with its filters, its CSV and XLSX exports, and a page per structure. Read-only: every
member of the dossier may read (`Op.VIEW`).

The inventory is shared by territory: a structure is found from a dossier only when its commune is one of the
dossier's territory's communes (404 otherwise, whatever its id).
"""

import datetime
import io
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from ctg.conventions.frame import ctg_view, dossier_context
from ctg.datafiles import csv_writer, xlsx_append
from ctg.diagnostics.portrait import of_territory
from ctg.offer import funding, selectors
from ctg.offer.models import Structure
from ctg.organisations.permissions import Op
from ctg.rendering import attachment, ctg_file_name

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PER_PAGE = 100

# The columns of the exports: (header, key of `selectors.structure_rows`).
EXPORT_COLUMNS = (
    ("Type (code)", "type"),
    ("Type", "type_label"),
    ("Champ d'intervention", "field_label"),
    ("Nom", "name"),
    ("Code commune", "commune_code"),
    ("Commune", "commune_name"),
    ("Adresse", "address"),
    ("Code postal", "postcode"),
    ("Public", "public"),
    ("Horaires (opening_hours)", "opening_hours"),
    ("Financements CAF", "caf_funding_labels"),
    ("Accessibilité", "accessibility_label"),
    ("Statut", "status_label"),
    ("Absente de la dernière source", "missing_text"),
    ("Source", "source"),
    ("Identifiant dans la source", "source_id"),
    ("Dernière mise à jour", "last_update"),
    ("Fictive", "fictitious_text"),
)


def _filtered(request, ctg):
    territory, structures = selectors.structures_of_ctg(ctg)
    choices = selectors.filter_choices(territory, structures)
    filters = selectors.read_filters(request.GET, choices)
    listed = selectors.filter_structures(structures, filters).order_by("commune__name", "type", "name", "pk")
    return territory, structures, choices, filters, listed


def _query(filters) -> str:
    active = filters.active
    return f"?{urlencode(active)}" if active else ""


@ctg_view(Op.VIEW)
def structure_list(request, ctg, role):
    territory, structures, choices, filters, listed = _filtered(request, ctg)
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("page"))
    page.pages_list = list(page.paginator.get_elided_page_range(page.number))
    rows = [
        {
            "structure": structure,
            "url": reverse("offer:structure", args=[ctg.pk, structure.pk]),
            "hours": selectors.hours_text(structure.opening_hours),
            "source": selectors.source_label(structure.source),
        }
        for structure in page
    ]
    form = [
        {
            "name": name,
            "label": label,
            "all": "Toutes" if name in selectors.FEMININE_FILTERS else "Tous",
            "options": choices[name],
            "value": filters.active.get(name, ""),
        }
        for name, label in selectors.FILTERS
    ]
    query = _query(filters)
    context = dossier_context(
        ctg,
        role,
        "diagnostic",
        "Offre de services",
        diagnostic_nav="offer",
        territory=territory,
        territory_of=of_territory(territory),
        form=form,
        filtered=bool(filters.active),
        page_obj=page,
        rows=rows,
        count=page.paginator.count,
        total=structures.count(),
        csv_url=reverse("offer:csv", args=[ctg.pk]) + query,
        xlsx_url=reverse("offer:xlsx", args=[ctg.pk]) + query,
    )
    return render(request, "offer/list.html", context)


def _export_rows(listed, *, dates_as_text: bool) -> list[list]:
    """The cells of the exports; the date of the last update as « 14/03/2025 » in CSV, a date in xlsx."""
    rows = []
    for row in selectors.structure_rows(listed):
        row["missing_text"] = "oui" if row["missing_from_source"] else "non"
        row["fictitious_text"] = "oui" if row["is_fictitious"] else "non"
        if row["last_update"]:
            day = datetime.date.fromisoformat(row["last_update"])
            row["last_update"] = day.strftime("%d/%m/%Y") if dates_as_text else day
        rows.append([row[key] or "" for _header, key in EXPORT_COLUMNS])
    return rows


@ctg_view(Op.VIEW)
def structure_csv(request, ctg, role):
    """The filtered list as CSV (semicolons, UTF-8 with BOM); no cell is run as a formula (ctg.datafiles)."""
    _territory, _structures, _choices, _filters, listed = _filtered(request, ctg)
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow([header for header, _key in EXPORT_COLUMNS])
    for row in _export_rows(listed, dates_as_text=True):
        writer.writerow(row)
    content = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    return attachment(content, "text/csv; charset=utf-8", f"{ctg_file_name(ctg, 'offre-de-services')}.csv")


@ctg_view(Op.VIEW)
def structure_xlsx(request, ctg, role):
    """The filtered list as an Excel workbook; every text is a text cell, never a formula (ctg.datafiles)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    territory, _structures, _choices, _filters, listed = _filtered(request, ctg)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Offre de services"
    xlsx_append(sheet, [header for header, _key in EXPORT_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in _export_rows(listed, dates_as_text=False):
        xlsx_append(sheet, row)
    date_column = [key for _header, key in EXPORT_COLUMNS].index("last_update") + 1
    for (cell,) in sheet.iter_rows(min_row=2, min_col=date_column, max_col=date_column):
        cell.number_format = "DD/MM/YYYY"
    output = io.BytesIO()
    workbook.save(output)
    return attachment(output.getvalue(), XLSX_TYPE, f"{ctg_file_name(ctg, 'offre-de-services')}.xlsx")


@ctg_view(Op.VIEW)
def structure_detail(request, ctg, role, structure_pk):
    territory, _structures = selectors.structures_of_ctg(ctg)
    structure = selectors.structure_in_territory(territory, structure_pk)
    if structure is None:
        raise Http404("Aucune structure de ce numéro dans le territoire de ce dossier.")
    events = list(structure.events.select_related("actor", "offer_import")[:20])
    context = dossier_context(
        ctg,
        role,
        "diagnostic",
        structure.name,
        diagnostic_nav="offer",
        structure=structure,
        type_info=structure.type_info,
        source=selectors.source_label(structure.source),
        hours=selectors.hours_by_day(structure.opening_hours),
        events=events,
        details=sorted(
            (str(key), ", ".join(map(str, value)) if isinstance(value, list) else str(value))
            for key, value in (structure.source_details or {}).items()
            if key != "services"  # data·inclusion services: their own section
        ),
        list_url=reverse("offer:list", args=[ctg.pk]),
        planned=structure.status == Structure.Status.PLANNED,
        funding_labels=funding.labels(structure.caf_funding),
    )
    context["breadcrumb_data"]["links"].append({"url": context["list_url"], "title": "Offre de services"})
    return render(request, "offer/structure.html", context)
