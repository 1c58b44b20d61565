"""Seeing the offer of services on a map, per commune, and in the data·inclusion format (issue 12, « voir
l'offre »). Read-only: every member of the dossier may read (`Op.VIEW`); the filters are those of the list
(`ctg.offer.views._filtered`), so the map, the table per commune and the exports show what the list shows.
"""

import io
import json
from collections import defaultdict
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse

from ctg.conventions.frame import ctg_view, dossier_context
from ctg.datafiles import csv_writer
from ctg.diagnostics.maps import load_contours
from ctg.diagnostics.portrait import of_territory
from ctg.offer import datainclusion, maps, selectors
from ctg.offer.views import _filtered, _query
from ctg.organisations.permissions import Op
from ctg.rendering import attachment, ctg_file_name


def _form(choices, filters, names=("champ", "type")) -> list[dict]:
    return [
        {
            "name": name,
            "label": label,
            "all": "Toutes" if name in selectors.FEMININE_FILTERS else "Tous",
            "options": choices[name],
            "value": filters.active.get(name, ""),
        }
        for name, label in selectors.FILTERS
        if name in names
    ]


def _context(request, ctg, role, title, territory, filters, **extra):
    query = _query(filters)
    context = dossier_context(
        ctg,
        role,
        "diagnostic",
        title,
        diagnostic_nav="offer",
        territory=territory,
        territory_of=of_territory(territory),
        filtered=bool(filters.active),
        list_url=reverse("offer:list", args=[ctg.pk]) + query,
        map_url=reverse("offer:map", args=[ctg.pk]) + query,
        communes_url=reverse("offer:communes", args=[ctg.pk]) + query,
        di_json_url=reverse("offer:datainclusion_json", args=[ctg.pk]) + query,
        di_csv_url=reverse("offer:datainclusion_csv", args=[ctg.pk]) + query,
        **extra,
    )
    context["breadcrumb_data"]["links"].append(
        {"url": reverse("offer:list", args=[ctg.pk]), "title": "Offre de services"}
    )
    return context


@ctg_view(Op.VIEW)
def offer_map(request, ctg, role):
    """The commune contours and one point per structure with coordinates; every point also in the table."""
    territory, _structures, choices, filters, listed = _filtered(request, ctg)
    located, unlocated = [], 0
    for structure in listed:
        if structure.latitude is None or structure.longitude is None:
            unlocated += 1
            continue
        info = structure.type_info
        located.append(
            {
                "structure": structure,
                "url": reverse("offer:structure", args=[ctg.pk, structure.pk]),
                "lon": structure.longitude,
                "lat": structure.latitude,
                "field": str(info.field.value),
                "field_label": str(info.field.label),
                "shape": maps.SHAPE_NAMES[maps.marker(str(info.field.value))[0]],
                "code": str(structure.pk),
                "label": f"{structure.name} — {info.label}, {structure.commune.name}",
            }
        )
    shapes, contour_source = load_contours(list(territory.communes))
    svg = maps.offer_map_svg(
        shapes, territory.commune_names, located, title=f"Offre de services {of_territory(territory)}"
    )
    context = _context(
        request,
        ctg,
        role,
        "Carte de l'offre de services",
        territory,
        filters,
        form=_form(choices, filters),
        svg=svg,
        contour_source=contour_source,
        points=located,
        unlocated=unlocated,
    )
    return render(request, "offer/map.html", context)


@ctg_view(Op.VIEW)
def offer_communes(request, ctg, role):
    """Per commune, what exists: commune × field, the number of structures and their places."""
    territory, _structures, choices, filters, listed = _filtered(request, ctg)
    fields = [
        (value, label) for value, label in choices["champ"] if not filters.field or value == filters.field
    ]
    cells = defaultdict(lambda: {"count": 0, "places": 0, "places_known": False})
    for structure in listed.only("type", "capacity", "commune_id"):
        cell = cells[(structure.commune_id, str(structure.type_info.field.value))]
        cell["count"] += 1
        if structure.capacity is not None:
            cell["places"] += structure.capacity
            cell["places_known"] = True
    list_url = reverse("offer:list", args=[ctg.pk])
    base = {k: v for k, v in filters.active.items() if k not in ("commune", "champ")}
    communes = sorted(territory.commune_names.items(), key=lambda item: (item[1], item[0]))
    if filters.commune:
        communes = [(code, name) for code, name in communes if code == filters.commune]
    rows = []
    for code, name in communes:
        row_cells = []
        for value, label in fields:
            cell = cells.get((code, value))
            row_cells.append(
                {
                    "field_label": label,
                    "count": cell["count"] if cell else 0,
                    "places": cell["places"] if cell and cell["places_known"] else None,
                    "url": f"{list_url}?{urlencode({**base, 'commune': code, 'champ': value})}",
                }
            )
        rows.append(
            {"code": code, "name": name, "cells": row_cells, "total": sum(c["count"] for c in row_cells)}
        )
    context = _context(
        request,
        ctg,
        role,
        "L'offre de services par commune",
        territory,
        filters,
        form=_form(choices, filters, names=("champ", "type", "statut")),
        fields=fields,
        rows=rows,
        di_left_out=datainclusion.export(listed).left_out,
    )
    return render(request, "offer/communes.html", context)


def _records(request, ctg):
    _territory, _structures, _choices, _filters, listed = _filtered(request, ctg)
    return datainclusion.records(listed)


@ctg_view(Op.VIEW)
def datainclusion_json(request, ctg, role):
    """The structures of the types data·inclusion knows, as a JSON array of data·inclusion structures."""
    text = json.dumps(_records(request, ctg), ensure_ascii=False, indent=2)
    # <, > and & as \u escapes: the same JSON, never read as markup.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    name = f"{ctg_file_name(ctg, 'structures-data-inclusion')}.json"
    return attachment(text.encode("utf-8"), "application/json; charset=utf-8", name)


@ctg_view(Op.VIEW)
def datainclusion_csv(request, ctg, role):
    """The same records as CSV (commas, as data·inclusion publishes); no cell is run as a formula."""
    buffer = io.StringIO()
    writer = csv_writer(buffer, delimiter=",", decimal_comma=False)
    writer.writerow(list(datainclusion.FIELDS))
    for item in _records(request, ctg):
        writer.writerow(
            [
                ""
                if item[key] is None
                else ",".join(item[key])
                if isinstance(item[key], list)
                else ("true" if item[key] is True else "false" if item[key] is False else item[key])
                for key in datainclusion.FIELDS
            ]
        )
    content = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    name = f"{ctg_file_name(ctg, 'structures-data-inclusion')}.csv"
    return attachment(content, "text/csv; charset=utf-8", name)
