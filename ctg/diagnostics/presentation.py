"""The portrait social de territoire as the pages, the PDF and the CSV show it: rows, commune table, map.

Everything here reads a `Portrait` built once (`ctg.diagnostics.portrait.build_portrait`): the territory's
figures and its communes' values come from the same pass over the store, so the commune table, the map and
the CSV never run the engine again. No HTTP here: the views (`ctg.diagnostics.views`) and the PDF
(`ctg.diagnostics.pdf`) both use `portrait_context`.
"""

import io

from django.urls import reverse
from django.utils import timezone

from ctg.conventions.models import Field
from ctg.datafiles import csv_writer
from ctg.diagnostics import charts, engine, maps
from ctg.diagnostics.catalogue import (
    COMMUNE_TABLE_INDICATORS,
    INDICATORS,
    SOURCES,
    Kind,
    Theme,
    dataset_label,
    indicator,
)
from ctg.diagnostics.field_weights import rank_for_fields
from ctg.diagnostics.iris import iris_context
from ctg.diagnostics.portrait import Portrait, Territory
from ctg.diagnostics.readings import NBSP, format_number, format_value
from ctg.territories.models import Departement, Region

DEFAULT_MAP_INDICATOR = "part_moins_15_ans"
STATUS_LABELS = {
    engine.OK: ("Complet", "fr-badge--success"),
    engine.PARTIEL: ("Partiel", "fr-badge--warning"),
    engine.SECRET: ("Secret statistique", "fr-badge--info"),
    engine.ABSENT: ("Absent du fichier", ""),
    engine.NON_DISPONIBLE: ("Non disponible", ""),
}
TONES = {
    "vigilance": ("Vigilance", "fr-badge--warning"),
    "atout": ("Atout", "fr-badge--success"),
    "ecart": ("Écart", "fr-badge--info"),
}
LEVELS = (("departement", "Département"), ("region", "Région"), ("france", "France"))
LEVEL_WORDS = {"departement": "département", "region": "région", "france": "pays"}
LEVEL_ADJECTIVES = {"departement": "départementale", "region": "régionale", "france": "nationale"}


# --- rows of the indicator tables -----------------------------------------------------------------------


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
    """The badge of a figure and, when it is not complete, its status and coverage as the engine wrote it
    (`Value.caveat`: « partiel : 1 commune sur 21, 36 % de la population ; … »)."""
    value = result.value
    label, css = STATUS_LABELS.get(value.status, (value.status, ""))
    return {"code": value.status, "label": label, "css": css, "detail": value.caveat}


def _missing_reference(level: str, ref, territory: Territory) -> tuple[str, str]:
    """Why a reference has no value: the short word of its cell and the note said once under the table."""
    adjective = LEVEL_ADJECTIVES[level]
    if ref is None and level == territory.kind:
        return (
            "sans objet",
            f"Référence {adjective} sans objet : le territoire est lui-même le {LEVEL_WORDS[level]}.",
        )
    if ref is None:
        return "non déterminée", f"Référence {adjective} non déterminée pour ce territoire."
    detail = ref.detail or ref.reason.rstrip(".")
    return "non calculée", f"Référence {adjective} non calculée : {detail}."


def reference_cells(result, territory: Territory) -> list[dict]:
    """One cell per level. A missing reference shows « — » and its reason as `note`, said once under the
    table (`reference_notes`), not on every row."""
    cells = []
    for level, _label in LEVELS:
        ref = result.references.get(level)
        if ref is None or ref.value is None:
            short, note = _missing_reference(level, ref, territory)
            cells.append({"text": "—", "name": ref.name if ref else "", "short": short, "note": note})
        else:
            cells.append({"text": value_text(ref.value, result.indicator), "name": ref.name, "note": ""})
    return cells


def reference_notes(rows: list[dict]) -> list[dict]:
    """The notes of a table's missing references, each once (numbered when there are several); each cell
    gets its `marker` (the note's number, or None) and `sr`, its text for screen readers."""
    notes: list[str] = []
    for row in rows:
        for cell in row["references"]:
            if cell["note"] and cell["note"] not in notes:
                notes.append(cell["note"])
    numbered = len(notes) > 1
    for row in rows:
        for cell in row["references"]:
            if cell["note"]:
                number = notes.index(cell["note"]) + 1
                cell["marker"] = number if numbered else None
                where = f"la note {number}" if numbered else "la note"
                cell["sr"] = f"{cell['short']}, voir {where} sous le tableau"
    return [{"number": i + 1 if numbered else None, "text": text} for i, text in enumerate(notes)]


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
            "label": dataset_label(kind),
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


# --- commune table, map and CSV -------------------------------------------------------------------------


def _sort_key_value(portrait: Portrait, key: str, code: str) -> float | None:
    value = portrait.communes.column(key).get(code)
    return value.value if value is not None else None


def sort_communes(portrait: Portrait, key: str, order: str) -> list[str]:
    """The territory's commune codes sorted by name or by an indicator; a commune without value is last."""
    territory = portrait.territory
    reverse_order = order == "desc"
    if key == "nom":
        return sorted(
            territory.communes,
            key=lambda c: (territory.commune_name(c).lower(), c),
            reverse=reverse_order,
        )
    present = [c for c in territory.communes if _sort_key_value(portrait, key, c) is not None]
    absent = [c for c in territory.communes if _sort_key_value(portrait, key, c) is None]
    present.sort(
        key=lambda c: (_sort_key_value(portrait, key, c), territory.commune_name(c)), reverse=reverse_order
    )
    return present + sorted(absent, key=territory.commune_name)  # no value: always last


def commune_cell(value: engine.Value | None, ind) -> dict:
    """A commune's figure; `note`: its status when it is not complete (« secret statistique… », « absent du
    fichier : commune non découpée en IRIS », « partiel : au moins … »), shown after the figure."""
    if value is None:
        return {"text": "—", "note": STATUS_LABELS[engine.NON_DISPONIBLE][0].lower()}
    if value.value is None:
        return {"text": "—", "note": value.caveat or STATUS_LABELS[engine.NON_DISPONIBLE][0].lower()}
    return {"text": value_text(value.value, ind), "note": value.caveat}


def commune_table(portrait: Portrait, params, base_query: dict) -> dict | None:
    territory = portrait.territory
    if len(territory.communes) < 2:
        return None
    key = params.get("tri") if params.get("tri") in (*COMMUNE_TABLE_INDICATORS, "nom") else "nom"
    order = "desc" if params.get("ordre") == "desc" else "asc"
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
    for code in sort_communes(portrait, key, order):
        values = portrait.communes.of(code, COMMUNE_TABLE_INDICATORS)
        cells = [commune_cell(values.get(i), indicator(i)) for i in COMMUNE_TABLE_INDICATORS]
        body.append({"code": code, "name": territory.commune_name(code), "cells": cells})
    return {"columns": columns, "rows": body, "key": key, "order": order}


def map_choices(portrait: Portrait) -> list:
    """The indicators the map can show: a value per commune (no evolution), from a dataset in the store."""
    return [ind for ind in INDICATORS if ind.kind != Kind.EVOLUTION and portrait.communes.available(ind.id)]


def map_indicator(choices: list, requested) -> str:
    """The indicator asked for when the map offers it, else the default one (else the first offered)."""
    ids = [ind.id for ind in choices]
    if requested in ids:
        return requested
    if DEFAULT_MAP_INDICATOR in ids or not ids:
        return DEFAULT_MAP_INDICATOR
    return ids[0]


def commune_map(portrait: Portrait, indicator_id: str) -> dict:
    territory = portrait.territory
    ind = indicator(indicator_id)
    shapes, source = maps.load_contours(territory.communes)
    result = {"indicator": ind, "svg": "", "source": source, "missing": len(territory.communes) - len(shapes)}
    if not shapes:
        return result
    values = portrait.communes.column(indicator_id)
    result["svg"] = maps.choropleth_svg(
        shapes,
        {code: (values[code].value if code in values else None) for code in territory.communes},
        {code: territory.commune_name(code) for code in shapes},
        title=f"{ind.label} par commune — {territory.name}",
        unit=ind.unit,
        decimals=ind.decimals,
        statuses={code: values[code].status for code in territory.communes if code in values},
    )
    return result


def commune_csv(portrait: Portrait) -> str:
    """The key figures of each commune, as the CSV download (decimal comma, no formula)."""
    territory = portrait.territory
    buffer = io.StringIO()
    writer = csv_writer(buffer)  # no cell run as a formula (ctg.datafiles)
    header = ["Code commune", "Commune"]
    for ind_id in COMMUNE_TABLE_INDICATORS:
        ind = indicator(ind_id)
        header.append(f"{ind.label} ({ind.unit})")
    header.append("Statut des données")
    fictitious = portrait.fictitious_in_store
    if fictitious:
        header.append("Données")
    writer.writerow(header)
    for code in sorted(territory.communes, key=lambda c: (territory.commune_name(c).lower(), c)):
        row = [code, territory.commune_name(code)]
        values = portrait.communes.of(code, COMMUNE_TABLE_INDICATORS)
        statuses = []
        for ind_id in COMMUNE_TABLE_INDICATORS:
            value = values.get(ind_id)
            if value is None or value.value is None:
                row.append("")
            else:
                row.append(f"{round(value.value, indicator(ind_id).decimals + 2)}".replace(".", ","))
            if value is not None and value.caveat:
                statuses.append(f"{indicator(ind_id).label} : {value.caveat}")
        # A figure that is not complete says so beside the numbers (the numeric cells stay numbers).
        row.append(" | ".join(statuses))
        if fictitious:
            row.append("FICTIVES (démonstration) : " + ", ".join(fictitious))
        writer.writerow(row)
    return buffer.getvalue()


# --- key figures ----------------------------------------------------------------------------------------

# The cards at the top of the portrait: the figures a CTG is first asked about (population and its trend,
# families, the youngest children and their childcare, CAF recipients and the weight of benefits, poverty,
# unemployment). Each card: a main figure, then its companion; an indicator the portrait did not compute
# is left out, one it computed without a value says why.
KEY_FIGURES = (
    ("population", "Population", ("population", "evolution_annuelle_population")),
    ("familles", "Familles", ("familles_avec_enfants", "part_familles_monoparentales")),
    ("petite_enfance", "Petite enfance", ("enfants_moins_3_ans", "taux_couverture_accueil_jeune_enfant")),
    ("allocataires", "Allocataires CAF", ("allocataires", "part_prestations_sociales_revenu")),
    ("pauvrete", "Pauvreté", ("taux_pauvrete", "revenu_median_uc")),
    ("emploi", "Emploi", ("taux_chomage_15_64", "taux_chomage_15_24")),
)
KEY_LEVELS = (("departement", 0, "Département"), ("france", 2, "France"))


def key_figure(row: dict) -> dict:
    """A figure of a card from its row of the theme tables (the same text, never computed again): its value,
    or its status in its place when it has none; its status and coverage when it is not complete; the
    département and France beside it (a missing reference says its short reason)."""
    status = row["status"]
    missing = row["value"] == "—"
    references = []
    for level, index, label in KEY_LEVELS:
        cell = row["references"][index]
        references.append(
            {
                "level": level,
                "name": cell["name"] or label,
                "text": cell["short"] if cell["note"] else cell["text"],
                "missing": bool(cell["note"]),
            }
        )
    return {
        "id": row["id"],
        "label": row["label"],
        "value": status["label"] if missing else row["value"],
        "missing": missing,
        "complete": status["code"] == engine.OK,
        "status": status,
        "year": row["year"],
        "references": references,
    }


def key_figures(rows_by_id: dict[str, dict]) -> list[dict]:
    cards = []
    for key, title, ids in KEY_FIGURES:
        figures = [key_figure(rows_by_id[i]) for i in ids if i in rows_by_id]
        if figures:
            theme = indicator(figures[0]["id"]).theme  # the section of the page that details it
            cards.append(
                {
                    "key": key,
                    "title": title,
                    "figures": figures,
                    "theme": theme,
                    "theme_label": Theme(theme).label,
                }
            )
    return cards


def portrait_sections(context: dict) -> list[dict]:
    """The entries of the portrait's theme menu, in the page's order: each is an anchor of the page."""
    sections = [
        {"id": "chiffres-cles", "label": "Chiffres clés"},
        {"id": "portrait-attention", "label": "Points d'attention"},
        {"id": "portrait-carte", "label": "Carte des communes"},
    ]
    sections += [{"id": f"theme-{theme['id']}", "label": theme["label"]} for theme in context["themes"]]
    if context["commune_table"]:
        sections.append({"id": "communes", "label": "Les communes"})
    if context["iris"]:
        sections.append({"id": "iris", "label": "Les quartiers (IRIS)"})
    sections.append({"id": "definitions", "label": "Sources et définitions"})
    return sections


# --- the whole page -------------------------------------------------------------------------------------


def _place_names(portrait: Portrait) -> tuple[dict[str, str], str | None]:
    """The names of the territory's départements and of its region: those the portrait read, if it did."""
    territory = portrait.territory
    if portrait.level_names:
        region = portrait.level_names["region"].get(territory.region) if territory.region else None
        return portrait.level_names["departement"], region
    departements = dict(
        Departement.objects.filter(code__in=territory.departements).values_list("code", "name")
    )
    region = Region.objects.filter(code=territory.region).values_list("name", flat=True).first()
    return departements, region


def portrait_context(portrait: Portrait, params=None, *, for_pdf: bool = False, fields=None) -> dict:
    """`fields`: the dossier's fields of intervention, whose indicators lead the points of attention."""
    params = params or {}
    territory = portrait.territory
    themes = []
    for theme in portrait.by_theme():
        chart = charts.theme_chart(theme, portrait)
        rows = [result_row(r, territory) for r in theme["results"]]
        themes.append(
            {
                "id": theme["theme"],
                "label": theme["label"],
                "reading": theme["reading"],
                "rows": rows,
                "reference_notes": reference_notes(rows),
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
        for point in rank_for_fields(portrait.attention, fields)
    ]
    choices = map_choices(portrait)
    map_id = map_indicator(choices, params.get("carte"))
    base_query = {"carte": map_id} if map_id != DEFAULT_MAP_INDICATOR else {}
    departements, region = _place_names(portrait)
    rows_by_id = {row["id"]: row for theme in themes for row in theme["rows"]}
    context = {
        "portrait": portrait,
        "territory": territory,
        "population": format_number(territory.population, 0),
        # « 1 habitant », « 2 habitants »: the unit agreeing with the number.
        "population_text": format_value(territory.population, "habitants", 0),
        "communes_text": format_value(len(territory.communes), "communes", 0),
        "departement_names": [departements.get(c, c) for c in territory.departements],
        "region_name": region,
        "datasets": datasets_used(portrait),
        "attention": attention,
        "attention_fields": [Field(f).label for f in fields or () if f in Field.values],
        "themes": themes,
        "levels": [label for _level, label in LEVELS],
        "commune_table": None if for_pdf else commune_table(portrait, params, base_query),
        "iris": iris_context(portrait.iris, territory.commune_name),
        "map": commune_map(portrait, map_id),
        "map_choices": choices,
        "map_id": map_id,
        "territory_url": territory_link(territory),
        "generated": timezone.localdate(),
        "definitions": [result_row(r, territory) for r in portrait.results],
        "key_figures": key_figures(rows_by_id),
        # The commune table opens when it was just sorted (its links come back to it).
        "communes_open": bool(params.get("tri")),
    }
    context["sections"] = portrait_sections(context)
    return context
