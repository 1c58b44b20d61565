"""Scenarios of the offer of services (issue 12, item 5): « une micro-crèche de 12 places à Rambervillers,
ouverture 2025 » → the coverage and the white zones of the commune and of the territory before and after,
side by side; saved with the dossier, compared, turned into a fiche action.

Computation (nothing written): a scenario's lines become hypothetical structures
(`ctg.offer.needs.HypotheticalStructure`, placed at their commune's centroid) and closed structure ids, which
`needs.needs_versus_offer` and `needs.white_zones` count as if they were in the inventory. `compare` gives the
before/after of every level (each commune a line names, then the territory); `simulate` does it for a code
and one structure without saving (`ctg offer_scenario`); `comparison_json` writes it for the command.

Writes (the one path for the forms, the command-line and the demo): `scenario_create`, `scenario_update`,
`scenario_delete`, `line_add`, `line_update`, `line_delete` (« Transformer en fiche action » is the
plan's: `ctg.plans.services.scenarios.scenario_to_fiche`, the fiche keeps the link). Each validates its input
(`clean_line`: a type of the typology, places between 1 and `PLACES_MAX`, a commune of the dossier's
territory, an opening year between `YEAR_MIN` and `YEAR_MAX`), writes atomically and records who did what in
the dossier's history (`Action.SCENARIO`, tied to the scenario). Who may call them is checked by the views
(the dossier's editors write, every member reads).

The funding side of a scenario (issue 14) hangs on its lines: `ctg.offer.scenario_funding` (the inputs of
the CAF's rules on each line, written by `line_funding_set`; the amounts per line and year computed by
`ctg.funding.simulate`) and `ctg.offer.scenarios_compare` (2 to 4 scenarios side by side, CSV/XLSX).
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from ctg.core.history import history_record, register_labels, tracked_update
from ctg.core.models import Action
from ctg.diagnostics.portrait import (
    Territory,
    TerritoryNotFound,
    of_territory,
    resolve_territory,
    territory_of_ctg,
)
from ctg.offer import needs, selectors, typology
from ctg.offer.models import Scenario, ScenarioLine, Structure
from ctg.territories.models import Commune
from ctg.text import clean_text

YEAR_MIN, YEAR_MAX = 2000, 2050
PLACES_MAX = 500
# A micro-crèche receives at most 12 children at once (code de la santé publique, art. R2324-47-1).
MICRO_CRECHE_MAX = 12
SCENARIO_FIELDS = {"name": "nom du scénario", "description": "description", "is_fictitious": "fictif"}
LINE_KEY = "line"
register_labels(Action.SCENARIO, {**SCENARIO_FIELDS, LINE_KEY: "ligne du scénario", "fiche": "fiche action"})


# --- checks ---------------------------------------------------------------------------------------------


def _int(value, *, field_name: str, label: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValidationError({field_name: f"{label} doit être un nombre entier."})
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({field_name: f"{label} doit être un nombre entier."}) from None
    return number


def clean_line(values: dict, territory: Territory) -> dict:
    """The values of a line, checked: kind, type of the typology, places (1 to `PLACES_MAX`; 12 at most for a
    micro-crèche), commune of `territory` (a `Commune` or its code), opening year (`YEAR_MIN`–`YEAR_MAX`),
    name; for a closure, an open structure of the territory (a `Structure` or its id). Raises a
    `ValidationError` naming the field in error."""
    kind = values.get("kind") or ScenarioLine.Kind.CREATE
    if kind not in ScenarioLine.Kind.values:
        raise ValidationError({"kind": f"Nature de ligne inconnue : « {kind} »."})
    year = _int(values.get("year"), field_name="year", label="L'année d'ouverture")
    if year is None:
        raise ValidationError({"year": "L'année d'ouverture est obligatoire."})
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValidationError({"year": f"L'année doit être comprise entre {YEAR_MIN} et {YEAR_MAX}."})
    if kind == ScenarioLine.Kind.CLOSE:
        structure = values.get("structure")
        pk = (
            structure.pk
            if isinstance(structure, Structure)
            else _int(structure, field_name="structure", label="La structure")
        )
        found = selectors.structure_in_territory(territory, pk) if pk else None
        if found is None or found.status != Structure.Status.OPEN:
            raise ValidationError({"structure": "Choisissez une structure ouverte du territoire du dossier."})
        return {
            "kind": kind,
            "year": year,
            "structure": found,
            "type": found.type,
            "commune": None,
            "places": None,
            "name": "",
        }
    type_code = values.get("type") or ""
    if type_code not in typology.BY_CODE:
        raise ValidationError({"type": f"Type de structure inconnu : « {type_code} »."})
    places = _int(values.get("places"), field_name="places", label="Le nombre de places")
    if places is not None and not 1 <= places <= PLACES_MAX:
        raise ValidationError({"places": f"Le nombre de places doit être compris entre 1 et {PLACES_MAX}."})
    if type_code == "eaje_micro_creche" and places is not None and places > MICRO_CRECHE_MAX:
        raise ValidationError(
            {"places": f"Une micro-crèche accueille au plus {MICRO_CRECHE_MAX} enfants à la fois."}
        )
    commune = values.get("commune")
    code = commune.code if isinstance(commune, Commune) else str(commune or "").strip()
    if code not in territory.communes:
        name = Commune.objects.filter(code=code).values_list("name", flat=True).first()
        shown = f"{name} ({code})" if name else f"« {code} »"
        raise ValidationError(
            {"commune": f"La commune {shown} ne fait pas partie du territoire {of_territory(territory)}."}
        )
    name = clean_text(values.get("name") or "").strip()
    if len(name) > 250:
        raise ValidationError({"name": "Le nom ne doit pas dépasser 250 caractères."})
    return {
        "kind": kind,
        "year": year,
        "type": type_code,
        "places": places,
        "commune": Commune.objects.get(code=code),
        "name": name,
        "structure": None,
    }


def _clean_scenario(values: dict) -> dict:
    if "name" in values:
        values["name"] = clean_text(values["name"] or "").strip()
        if not values["name"]:
            raise ValidationError({"name": "Le nom du scénario est obligatoire."})
        if len(values["name"]) > 200:
            raise ValidationError({"name": "Le nom du scénario ne doit pas dépasser 200 caractères."})
    if "description" in values:
        values["description"] = clean_text(values["description"] or "", multiline=True).strip()
    if "is_fictitious" in values:
        values["is_fictitious"] = bool(values["is_fictitious"])
    return values


# --- computation ----------------------------------------------------------------------------------------


def hypothetical_structures(lines) -> list[needs.HypotheticalStructure]:
    """The structures the creation lines add, at their commune's centroid when its contour is known."""
    created = [line for line in lines if line.kind == ScenarioLine.Kind.CREATE]
    points, _source = needs.centroids(sorted({line.commune_id for line in created}))
    return [
        needs.HypotheticalStructure(
            line.type, line.commune_id, line.places, *points.get(line.commune_id, (None, None))
        )
        for line in created
    ]


def closed_ids(lines) -> list[int]:
    return [line.structure_id for line in lines if line.kind == ScenarioLine.Kind.CLOSE]


@dataclass
class Pair:
    """A figure before and after the scenario (the after one labelled simulated when the scenario moves
    it)."""

    label: str
    before: needs.Figure | None
    after: needs.Figure | None

    @property
    def changed(self) -> bool:
        return bool(self.after and self.before and self.after.value != self.before.value)

    def as_json(self) -> dict:
        return {
            "label": self.label,
            "before": self.before.as_json() if self.before else None,
            "after": self.after.as_json() if self.after else None,
        }


@dataclass
class FieldComparison:
    field: str
    label: str
    pairs: list[Pair]
    rate: Pair | None = None

    def as_json(self) -> dict:
        return {
            "field": self.field,
            "label": self.label,
            "offer": [p.as_json() for p in self.pairs],
            "rate": self.rate.as_json() if self.rate else None,
        }


@dataclass
class ZoneComparison:
    type: str
    label: str
    before: needs.WhiteZone
    after: needs.WhiteZone

    @property
    def removed(self) -> list[dict]:
        """The communes that are white zones before and no longer after."""
        after = {c["code"] for c in self.after.communes}
        return [c for c in self.before.communes if c["code"] not in after]

    @property
    def added(self) -> list[dict]:
        before = {c["code"] for c in self.before.communes}
        return [c for c in self.after.communes if c["code"] not in before]

    def as_json(self) -> dict:
        return {
            "type": self.type,
            "label": self.label,
            "before": self.before.as_json(),
            "after": self.after.as_json(),
            "no_longer_white": [c["code"] for c in self.removed],
            "newly_white": [c["code"] for c in self.added],
        }


@dataclass
class Level:
    """The before/after of one territory: a commune a line names, or the whole territory."""

    kind: str  # "commune" | "territoire"
    territory: Territory
    title: str
    fields: list[FieldComparison]
    zones: list[ZoneComparison]
    contour_source: str = ""

    def as_json(self) -> dict:
        return {
            "level": self.kind,
            "territory": {
                "code": self.territory.code,
                "kind": self.territory.kind,
                "name": self.territory.name,
            },
            "fields": [f.as_json() for f in self.fields],
            "white_zones": [z.as_json() for z in self.zones],
            "contours": self.contour_source,
        }


@dataclass
class Comparison:
    territory: Territory
    lines: list[str]
    levels: list[Level]
    distance_km: float
    method: str = needs.METHOD
    headline: Pair | None = None
    headline_field: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def main(self) -> Level:
        return self.levels[-1]

    def as_json(self) -> dict:
        return {
            "territory": {
                "code": self.territory.code,
                "kind": self.territory.kind,
                "name": self.territory.name,
            },
            "lines": self.lines,
            "distance_km": self.distance_km,
            "method": self.method,
            "headline": self.headline.as_json() if self.headline else None,
            "levels": [level.as_json() for level in self.levels],
        }


def touched_fields(lines) -> list[str]:
    types = [line.type for line in lines if line.type in typology.BY_CODE]
    return list(dict.fromkeys(typology.BY_CODE[t].field for t in types))


def _level(kind, territory, title, lines, extra, closed, distance_km) -> Level:
    portrait = needs.portrait_for_needs(territory)
    before = needs.needs_versus_offer(territory, portrait=portrait)
    after = needs.needs_versus_offer(territory, extra, closed, portrait=portrait)
    touched = touched_fields(lines)
    fields = []
    for row_before, row_after in zip(before, after, strict=True):
        if row_before.field not in touched:
            continue
        pairs = [Pair(b.label, b, a) for b, a in zip(row_before.offer, row_after.offer, strict=False)]
        # The after row may list « Places » where the before row had none (places added to a field without).
        for a in row_after.offer[len(row_before.offer) :]:
            pairs.append(Pair(a.label, None, a))
        rate = Pair(row_before.rate.label, row_before.rate, row_after.rate) if row_before.rate else None
        fields.append(FieldComparison(row_before.field, row_before.label, pairs, rate))
    types = [t for t in dict.fromkeys(line.type for line in lines) if not typology.BY_CODE[t].counted]
    zones: list[ZoneComparison] = []
    source = ""
    if types:
        zones_before, source = needs.white_zones(territory, distance_km, types=types, closed=())
        zones_after, _source = needs.white_zones(
            territory, distance_km, types=types, extra=extra, closed=closed
        )
        zones = [
            ZoneComparison(b.type, b.label, b, a) for b, a in zip(zones_before, zones_after, strict=True)
        ]
    return Level(kind, territory, title, fields, zones, source)


def _headline(level: Level, lines) -> tuple[Pair | None, str]:
    """The figure that sums the scenario up at the territory's level, for a fiche's indicator: the coverage
    rate of the petite enfance when computable, else the places of the field, else its open structures."""
    created = [line for line in lines if line.kind == ScenarioLine.Kind.CREATE] or list(lines)
    if not created:
        return None, ""
    field_value = typology.BY_CODE[created[0].type].field
    row = next((f for f in level.fields if f.field == field_value), None)
    if row is None:
        return None, ""
    if (
        row.rate
        and row.rate.before
        and row.rate.after
        and None not in (row.rate.before.value, row.rate.after.value)
        and created[0].type in needs.COVERAGE_TYPES
    ):
        return row.rate, field_value
    for label in ("Places", "Structures ouvertes"):
        pair = next((p for p in row.pairs if p.label == label), None)
        if pair and pair.after and pair.after.value is not None:
            return pair, field_value
    return None, field_value


def compare(territory: Territory, lines, *, distance_km: float | None = None) -> Comparison:
    """Before/after of `lines` (saved `ScenarioLine`s or unsaved ones): one level per commune named by a
    line (when the territory is not that commune), then the territory."""
    lines = list(lines)
    distance_km = needs.default_distance_km() if distance_km is None else distance_km
    extra = hypothetical_structures(lines)
    closed = closed_ids(lines)
    communes = list(
        dict.fromkeys(
            line.commune_id if line.kind == ScenarioLine.Kind.CREATE else line.structure.commune_id
            for line in lines
        )
    )
    levels = []
    for code in communes:
        if territory.kind == "commune" and territory.code == code:
            continue
        commune_territory = resolve_territory(code)
        levels.append(
            _level(
                "commune",
                commune_territory,
                f"Commune : {commune_territory.name}",
                lines,
                extra,
                closed,
                distance_km,
            )
        )
    title = f"{territory.kind_label} : {territory.name}"
    levels.append(_level("territoire", territory, title, lines, extra, closed, distance_km))
    comparison = Comparison(territory, [str(line) for line in lines], levels, distance_km)
    comparison.headline, comparison.headline_field = _headline(levels[-1], lines)
    points, _source = needs.centroids([h.commune for h in extra])
    missing = sorted({h.commune for h in extra if h.commune not in points})
    if missing:
        comparison.warnings.append(
            "Contour inconnu pour "
            + ", ".join(missing)
            + " : la structure simulée ne compte que pour sa commune dans les zones blanches."
        )
    return comparison


def compare_scenario(scenario: Scenario, *, distance_km: float | None = None) -> Comparison:
    lines = list(scenario.lines.select_related("commune", "structure"))
    return compare(territory_of_ctg(scenario.ctg), lines, distance_km=distance_km)


def simulate(
    code: str,
    *,
    type: str,
    places,
    commune: str,
    year,
    name: str = "",
    distance_km: float | None = None,
) -> Comparison:
    """What-if without saving: one structure created in `commune` of the territory `code` (a commune, an
    EPCI or a département). Raises `TerritoryNotFound` or a `ValidationError` in French."""
    territory = resolve_territory(code)
    values = clean_line(
        {"type": type, "places": places, "commune": commune, "year": year, "name": name}, territory
    )
    line = ScenarioLine(**values)
    return compare(territory, [line], distance_km=distance_km)


def comparison_json(comparison: Comparison) -> dict:
    return comparison.as_json()


# --- writes ---------------------------------------------------------------------------------------------


def _line_summary(line: ScenarioLine) -> str:
    text = str(line)
    return f"{text} (« {line.name} »)" if line.name else text


def _line_create(scenario: Scenario, actor, values: dict) -> ScenarioLine:
    position = (scenario.lines.aggregate(m=Max("position"))["m"] or 0) + 1
    return ScenarioLine.objects.create(
        scenario=scenario, position=position, created_by=_who(actor), updated_by=_who(actor), **values
    )


def _who(actor):
    from ctg.core.history import person

    return person(actor)


@transaction.atomic
def scenario_create(
    *, ctg, actor, name: str, description: str = "", is_fictitious: bool = False, lines=()
) -> Scenario:
    """A scenario of the dossier and its lines (dicts checked by `clean_line` against the dossier's
    territory), recorded in the dossier's history."""
    values = _clean_scenario({"name": name, "description": description, "is_fictitious": is_fictitious})
    territory = territory_of_ctg(ctg)
    cleaned = [clean_line(dict(line), territory) for line in lines]
    scenario = Scenario.objects.create(ctg=ctg, created_by=_who(actor), updated_by=_who(actor), **values)
    created = [_line_create(scenario, actor, line) for line in cleaned]
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.SCENARIO,
        summary=f"Scénario de l'offre créé : « {scenario.name} »",
        changes={
            "name": ["", scenario.name],
            **({LINE_KEY: ["", "; ".join(map(_line_summary, created))]} if created else {}),
        },
        item=scenario,
    )
    return scenario


@transaction.atomic
def scenario_update(*, scenario: Scenario, actor, **values) -> dict:
    unknown = set(values) - set(SCENARIO_FIELDS)
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    values = _clean_scenario(values)
    current = Scenario.objects.select_for_update().get(pk=scenario.pk)
    return tracked_update(
        current,
        actor=actor,
        values=values,
        ctg=current.ctg,
        action=Action.SCENARIO,
        summary=f"Scénario de l'offre modifié : « {current.name} »",
    )


@transaction.atomic
def scenario_delete(*, scenario: Scenario, actor) -> None:
    name, ctg = scenario.name, scenario.ctg
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.SCENARIO,
        summary=f"Scénario de l'offre supprimé : « {name} »",
        changes={"name": [name, ""]},
        item=scenario,
    )
    scenario.delete()


@transaction.atomic
def line_add(*, scenario: Scenario, actor, **values) -> ScenarioLine:
    cleaned = clean_line(values, territory_of_ctg(scenario.ctg))
    Scenario.objects.select_for_update().filter(pk=scenario.pk).first()
    line = _line_create(scenario, actor, cleaned)
    Scenario.objects.filter(pk=scenario.pk).update(updated_by=_who(actor))
    history_record(
        ctg=scenario.ctg,
        actor=actor,
        action=Action.SCENARIO,
        summary=f"Ligne ajoutée au scénario « {scenario.name} » : {_line_summary(line)}",
        changes={LINE_KEY: ["", _line_summary(line)]},
        item=scenario,
    )
    return line


@transaction.atomic
def line_update(*, line: ScenarioLine, actor, **values) -> dict:
    scenario = line.scenario
    current = ScenarioLine.objects.select_for_update().get(pk=line.pk)
    merged = {
        name: getattr(current, name)
        for name in ("kind", "type", "places", "commune", "year", "name", "structure")
    }
    merged.update(values)
    cleaned = clean_line(merged, territory_of_ctg(scenario.ctg))
    before = _line_summary(current)
    changed = False
    for name, value in cleaned.items():
        if getattr(current, name) != value:
            setattr(current, name, value)
            changed = True
    if not changed:
        return {}
    current.updated_by = _who(actor)
    current.save()
    after = _line_summary(current)
    history_record(
        ctg=scenario.ctg,
        actor=actor,
        action=Action.SCENARIO,
        summary=f"Ligne modifiée dans le scénario « {scenario.name} » : {after}",
        changes={LINE_KEY: [before, after]},
        item=scenario,
    )
    return {LINE_KEY: [before, after]}


@transaction.atomic
def line_delete(*, line: ScenarioLine, actor) -> None:
    scenario = line.scenario
    text = _line_summary(line)
    line.delete()
    history_record(
        ctg=scenario.ctg,
        actor=actor,
        action=Action.SCENARIO,
        summary=f"Ligne retirée du scénario « {scenario.name} » : {text}",
        changes={LINE_KEY: [text, ""]},
        item=scenario,
    )


__all__ = [
    "Comparison",
    "TerritoryNotFound",
    "clean_line",
    "compare",
    "compare_scenario",
    "comparison_json",
    "line_add",
    "line_delete",
    "line_update",
    "scenario_create",
    "scenario_delete",
    "scenario_update",
    "simulate",
    "touched_fields",
]
