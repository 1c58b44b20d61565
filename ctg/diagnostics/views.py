"""The portrait social de territoire: public page, dossier tab, commune table as CSV, PDF."""

import io
import re
from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from ctg.conventions.views import _context, ctg_view
from ctg.datafiles import csv_writer
from ctg.diagnostics import charts, engine, maps
from ctg.diagnostics.catalogue import COMMUNE_TABLE_INDICATORS, INDICATORS, SOURCES, Kind, indicator
from ctg.diagnostics.portrait import (
    Portrait,
    Territory,
    TerritoryNotFound,
    build_portrait,
    datasets_in_use,
    fictitious_datasets,
    resolve_territory,
    territory_of_ctg,
)
from ctg.diagnostics.readings import NBSP, format_number, format_value
from ctg.organisations.permissions import Op
from ctg.territories.models import Commune, Departement, Region

DEFAULT_MAP_INDICATOR = "part_moins_15_ans"
STATUS_LABELS = {
    engine.OK: ("Complet", "fr-badge--success"),
    engine.PARTIEL: ("Partiel", "fr-badge--warning"),
    engine.SECRET: ("Secret statistique", "fr-badge--info"),
    engine.NON_DISPONIBLE: ("Non disponible", ""),
}
TONES = {
    "vigilance": ("Vigilance", "fr-badge--warning"),
    "atout": ("Atout", "fr-badge--success"),
    "ecart": ("Écart", "fr-badge--info"),
}
LEVELS = (("departement", "Département"), ("region", "Région"), ("france", "France"))
DATASET_LABELS = {
    "rp_dossier_complet": "Recensement de la population (dossier complet)",
    "filosofi_com": "FiLoSoFi (revenus et pauvreté)",
    "caf_iris": "Allocataires CAF",
    "caf_accueil_jeune_enfant": "Accueil du jeune enfant",
}


# --- presentation ---------------------------------------------------------------------------------------


def value_text(value: float | None, ind) -> str:
    return format_value(value, ind.unit, ind.decimals)


def evolution_text(result) -> str:
    delta = result.evolution
    if delta is None:
        return ""
    ind = result.indicator
    sign = "+" if delta > 0 else ""
    unit = "pt" if ind.unit == "%" else ind.unit
    since = f" depuis {result.previous.year}" if result.previous and result.previous.year else ""
    return f"{sign}{format_number(delta, ind.decimals)}{NBSP}{unit}{since}"


def status_of(result) -> dict:
    value = result.value
    label, css = STATUS_LABELS.get(value.status, (value.status, ""))
    detail = value.note
    if value.status == engine.PARTIEL and value.coverage is not None:
        label = f"Partiel ({format_number(value.coverage * 100, 0)}{NBSP}% de la population)"
    return {"code": value.status, "label": label, "css": css, "detail": detail}


def reference_cells(result, territory: Territory) -> list[dict]:
    cells = []
    for level, _label in LEVELS:
        ref = result.references.get(level)
        if ref is None:
            reason = "Le territoire lui-même." if level == territory.kind else "Niveau non déterminé."
            cells.append({"text": "—", "name": "", "reason": reason})
        elif ref.value is None:
            cells.append({"text": "—", "name": ref.name, "reason": ref.reason})
        else:
            cells.append({"text": value_text(ref.value, result.indicator), "name": ref.name, "reason": ""})
    return cells


def result_row(result, territory: Territory) -> dict:
    ind = result.indicator
    return {
        "id": ind.id,
        "label": ind.label,
        "unit": ind.unit,
        "definition": ind.definition,
        "value": value_text(result.value.value, ind),
        "status": status_of(result),
        "year": result.value.year or "—",
        "source": result.source,
        "references": reference_cells(result, territory),
        "evolution": evolution_text(result),
        "comparison": result.comparison,
    }


def datasets_used(portrait: Portrait) -> list[dict]:
    return [
        {
            "kind": kind,
            "label": DATASET_LABELS.get(kind, kind),
            "year": year,
            "source": SOURCES[kind].format(year=year),
        }
        for kind, year in sorted(portrait.datasets.items())
    ]


def territory_link(territory: Territory) -> str | None:
    if territory.kind == "commune":
        return reverse("territories:commune", args=[territory.code])
    if territory.kind == "epci":
        return reverse("territories:epci", args=[territory.code])
    if territory.kind == "departement":
        return reverse("territories:departement", args=[territory.code])
    return None


# --- commune table and map ------------------------------------------------------------------------------


@dataclass
class CommuneRow:
    code: str
    name: str
    values: dict  # indicator id → engine.Value


def commune_values(territory: Territory, indicator_ids) -> dict[str, dict]:
    """{commune code: {indicator id: Value}} — one query per dataset (engine.aggregate grouped by commune)."""
    by_dataset: dict[str, list] = {}
    for ind_id in indicator_ids:
        ind = indicator(ind_id)
        by_dataset.setdefault(ind.dataset, []).append(ind)
    engine.refresh()
    out: dict[str, dict] = {code: {} for code in territory.communes}
    for kind, inds in by_dataset.items():
        years = engine.available_vintages(kind)
        if not years or not territory.communes:
            continue
        values = engine.aggregate(
            kind, years[-1], inds, group="commune", codes=territory.communes, fresh=True
        )
        for code, per_indicator in values.items():
            if code in out:
                out[code].update(per_indicator)
    return out


def commune_names(codes: list[str]) -> dict[str, str]:
    return dict(Commune.objects.filter(code__in=codes).values_list("code", "name"))


def sort_rows(rows: list[CommuneRow], key: str, order: str) -> list[CommuneRow]:
    reverse_order = order == "desc"
    if key == "nom":
        return sorted(rows, key=lambda r: (r.name.lower(), r.code), reverse=reverse_order)
    present = [r for r in rows if r.values.get(key) is not None and r.values[key].value is not None]
    absent = [r for r in rows if r not in present]
    present.sort(key=lambda r: (r.values[key].value, r.name), reverse=reverse_order)
    return present + sorted(absent, key=lambda r: r.name)  # no value: always last


def commune_table(territory: Territory, params, base_query: dict) -> dict | None:
    if len(territory.communes) < 2:
        return None
    values = commune_values(territory, COMMUNE_TABLE_INDICATORS)
    names = commune_names(territory.communes)
    rows = [CommuneRow(code, names.get(code, code), values.get(code, {})) for code in territory.communes]
    key = params.get("tri") if params.get("tri") in (*COMMUNE_TABLE_INDICATORS, "nom") else "nom"
    order = "desc" if params.get("ordre") == "desc" else "asc"
    rows = sort_rows(rows, key, order)
    columns = [{"id": "nom", "label": "Commune", "unit": ""}] + [
        {"id": i, "label": indicator(i).label, "unit": indicator(i).unit} for i in COMMUNE_TABLE_INDICATORS
    ]
    for column in columns:
        active = column["id"] == key
        column["aria_sort"] = ("ascending" if order == "asc" else "descending") if active else "none"
        next_order = "desc" if active and order == "asc" else "asc"
        query = {**base_query, "tri": column["id"], "ordre": next_order}
        column["href"] = "?" + "&".join(f"{k}={v}" for k, v in query.items()) + "#communes"
        column["next"] = "décroissant" if next_order == "desc" else "croissant"
    body = []
    for row in rows:
        cells = []
        for ind_id in COMMUNE_TABLE_INDICATORS:
            value = row.values.get(ind_id)
            ind = indicator(ind_id)
            if value is None or value.value is None:
                label = STATUS_LABELS.get(value.status if value else engine.NON_DISPONIBLE)[0]
                cells.append(
                    {"text": "—", "note": "secret" if value and value.status == engine.SECRET else label}
                )
            else:
                cells.append({"text": value_text(value.value, ind), "note": ""})
        body.append({"code": row.code, "name": row.name, "cells": cells})
    return {"columns": columns, "rows": body, "key": key, "order": order}


def map_choices() -> list:
    return [
        ind for ind in INDICATORS if ind.kind != Kind.EVOLUTION and ind.dataset != "caf_accueil_jeune_enfant"
    ]


def commune_map(territory: Territory, indicator_id: str) -> dict:
    ind = indicator(indicator_id)
    shapes, source = maps.load_contours(territory.communes)
    result = {"indicator": ind, "svg": "", "source": source, "missing": len(territory.communes) - len(shapes)}
    if not shapes:
        return result
    values = commune_values(territory, [indicator_id])
    names = commune_names(list(shapes))
    result["svg"] = maps.choropleth_svg(
        shapes,
        {code: (v.get(indicator_id).value if v.get(indicator_id) else None) for code, v in values.items()},
        names,
        title=f"{ind.label} par commune — {territory.name}",
        unit=ind.unit,
        decimals=ind.decimals,
    )
    return result


# --- the whole page -------------------------------------------------------------------------------------


def portrait_context(portrait: Portrait, params=None, *, for_pdf: bool = False) -> dict:
    params = params or {}
    territory = portrait.territory
    themes = []
    for theme in portrait.by_theme():
        chart = charts.theme_chart(theme, portrait)
        themes.append(
            {
                "id": theme["theme"],
                "label": theme["label"],
                "reading": theme["reading"],
                "rows": [result_row(r, territory) for r in theme["results"]],
                "chart": chart,
            }
        )
    attention = [
        {
            "label": point["indicator"].label,
            "sentence": point["sentence"],
            "tone": point["tone"],
            "tone_label": TONES[point["tone"]][0],
            "css": TONES[point["tone"]][1],
        }
        for point in portrait.attention
    ]
    map_id = (
        params.get("carte") if params.get("carte") in {i.id for i in map_choices()} else DEFAULT_MAP_INDICATOR
    )
    base_query = {"carte": map_id} if map_id != DEFAULT_MAP_INDICATOR else {}
    departements = dict(
        Departement.objects.filter(code__in=territory.departements).values_list("code", "name")
    )
    region = Region.objects.filter(code=territory.region).values_list("name", flat=True).first()
    return {
        "portrait": portrait,
        "territory": territory,
        "population": format_number(territory.population, 0),
        "departement_names": [departements.get(c, c) for c in territory.departements],
        "region_name": region,
        "datasets": datasets_used(portrait),
        "attention": attention,
        "themes": themes,
        "levels": [label for _level, label in LEVELS],
        "commune_table": None if for_pdf else commune_table(territory, params, base_query),
        "map": commune_map(territory, map_id),
        "map_choices": map_choices(),
        "map_id": map_id,
        "territory_url": territory_link(territory),
        "generated": timezone.localdate(),
        "definitions": [result_row(r, territory) for r in portrait.results],
    }


def _territory_or_404(code: str) -> Territory:
    try:
        return resolve_territory(code)
    except TerritoryNotFound as error:
        raise Http404(str(error)) from None


@require_GET
def territory(request, code):
    portrait = build_portrait(_territory_or_404(code))
    context = portrait_context(portrait, request.GET)
    context.update(
        {
            "title": f"Portrait social de territoire — {portrait.territory.name}",
            "nav": "territories",
            "csv_url": reverse("diagnostics:communes_csv", args=[portrait.territory.code]),
            "pdf_url": reverse("diagnostics:pdf", args=[portrait.territory.code]),
            "breadcrumb_data": {
                "links": [{"url": reverse("territories:search"), "title": "Territoires"}]
                + (
                    [{"url": context["territory_url"], "title": portrait.territory.name}]
                    if context["territory_url"]
                    else []
                ),
                "current": "Portrait social",
            },
        }
    )
    return render(request, "diagnostics/portrait.html", context)


@ctg_view(Op.VIEW)
def ctg_portrait(request, ctg, role):
    territory_ = territory_of_ctg(ctg)
    portrait = build_portrait(territory_)
    context = _context(ctg, role, "diagnostic", "Diagnostic", **portrait_context(portrait, request.GET))
    context["csv_url"] = reverse("diagnostics:ctg_communes_csv", args=[ctg.pk])
    context["pdf_url"] = reverse("diagnostics:ctg_pdf", args=[ctg.pk])
    context["public_url"] = (
        reverse("diagnostics:territory", args=[territory_.code]) if territory_.kind != "communes" else None
    )
    return render(request, "diagnostics/ctg_portrait.html", context)


def _file_part(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", code).strip("-") or "territoire"


def csv_response(territory_: Territory) -> HttpResponse:
    values = commune_values(territory_, COMMUNE_TABLE_INDICATORS)
    names = commune_names(territory_.communes)
    buffer = io.StringIO()
    writer = csv_writer(buffer)  # no cell run as a formula (ctg.datafiles)
    header = ["Code commune", "Commune"]
    for ind_id in COMMUNE_TABLE_INDICATORS:
        ind = indicator(ind_id)
        header.append(f"{ind.label} ({ind.unit})")
    fictitious = fictitious_datasets({kind: years[-1] for kind, years in datasets_in_use().items()})
    if fictitious:
        header.append("Données")
    writer.writerow(header)
    for code in sorted(territory_.communes, key=lambda c: (names.get(c, c).lower(), c)):
        row = [code, names.get(code, code)]
        for ind_id in COMMUNE_TABLE_INDICATORS:
            value = values.get(code, {}).get(ind_id)
            if value is None or value.value is None:
                row.append("")
            else:
                row.append(f"{round(value.value, indicator(ind_id).decimals + 2)}".replace(".", ","))
        if fictitious:
            row.append("FICTIVES (démonstration) : " + ", ".join(fictitious))
        writer.writerow(row)
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="communes-{_file_part(territory_.code)}.csv"'
    return response


@require_GET
def communes_csv(request, code):
    return csv_response(_territory_or_404(code))


@ctg_view(Op.VIEW)
def ctg_communes_csv(request, ctg, role):
    return csv_response(territory_of_ctg(ctg))


def pdf_response(portrait: Portrait) -> HttpResponse:
    from ctg.diagnostics.pdf import render_portrait_pdf

    response = HttpResponse(render_portrait_pdf(portrait), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="portrait-{_file_part(portrait.territory.code)}.pdf"'
    )
    return response


@require_GET
def pdf(request, code):
    return pdf_response(build_portrait(_territory_or_404(code)))


@ctg_view(Op.VIEW)
def ctg_pdf(request, ctg, role):
    return pdf_response(build_portrait(territory_of_ctg(ctg)))
