"""The indicators of a fiche action and their yearly target and realised values, typed or filled from the
open data of the portrait; each change is recorded in the history on the fiche."""

from dataclasses import replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from ctg.conventions.models import Ctg
from ctg.core.history import history_record, register_labels
from ctg.core.models import Action
from ctg.diagnostics import engine
from ctg.diagnostics.catalogue import BY_ID, Kind, source_label
from ctg.diagnostics.engine import OK, PARTIEL
from ctg.diagnostics.portrait import TerritoryNotFound, resolve_territory, territory_of_ctg
from ctg.plans.models import (
    FicheAction,
    IndicatorValue,
    PlanIndicator,
)
from ctg.plans.services.common import (
    _check_choice,
    _display,
    _next_position,
    _number,
    _person,
    _text,
    _update,
    check_year_in_period,
)
from ctg.plans.services.positions import _renumber

INDICATOR_FIELDS = {
    "label": "intitulé",
    "unit": "unité",
    "direction": "sens souhaité",
    "nature": "nature",
    "baseline_value": "valeur de référence",
    "baseline_year": "année de référence",
    "portrait_indicator": "indicateur du portrait",
    "territory_code": "territoire",
}


# The history's changes of an indicator are keyed by what they are (« Places — cible 2027 »): they show as
# they are; an added or removed indicator by the key "indicator".
register_labels(Action.INDICATOR, {"indicator": "indicateur"})


def _clean_indicator(values: dict) -> dict:
    if "label" in values:
        values["label"] = _text(
            values["label"], field="label", label="L'intitulé", required=True, max_length=300
        )
    if "unit" in values:
        values["unit"] = _text(values["unit"], field="unit", label="L'unité", max_length=60)
    if "direction" in values:
        values["direction"] = _check_choice(
            values["direction"], PlanIndicator.Direction, field="direction", label="Sens souhaité"
        )
    if "nature" in values:
        values["nature"] = _check_choice(
            values["nature"], PlanIndicator.Nature, field="nature", label="Nature"
        )
    if values.get("baseline_value") not in (None, ""):
        values["baseline_value"] = _number(
            values["baseline_value"], field="baseline_value", label="La valeur de référence"
        )
    elif "baseline_value" in values:
        values["baseline_value"] = None
    if values.get("baseline_year") not in (None, ""):
        try:
            year = int(values["baseline_year"])
        except (TypeError, ValueError):
            raise ValidationError({"baseline_year": "L'année de référence doit être un nombre."}) from None
        if not 1900 <= year <= 2100:
            raise ValidationError(
                {"baseline_year": "L'année de référence doit être comprise entre 1900 et 2100."}
            )
        values["baseline_year"] = year
    elif "baseline_year" in values:
        values["baseline_year"] = None
    if "portrait_indicator" in values:
        code = (values["portrait_indicator"] or "").strip()
        if code and code not in BY_ID:
            raise ValidationError({"portrait_indicator": f"Indicateur du portrait inconnu : « {code} »."})
        if code and BY_ID[code].kind == Kind.DERIVED:
            raise ValidationError(
                {
                    "portrait_indicator": "Cet indicateur du portrait est le rapport de deux autres : "
                    "choisissez l'un de ceux-ci."
                }
            )
        values["portrait_indicator"] = code
    if "territory_code" in values:
        code = (values["territory_code"] or "").strip().upper()
        if code:
            try:
                code = resolve_territory(code).code
            except TerritoryNotFound as error:
                raise ValidationError({"territory_code": str(error)}) from None
        values["territory_code"] = code
    return values


def _indicator_display(name, value) -> str:
    if name == "direction":
        return PlanIndicator.Direction(value).label
    if name == "nature":
        return PlanIndicator.Nature(value).label
    if name == "portrait_indicator":
        return BY_ID[value].label if value in BY_ID else _display(value)
    return _display(value)


@transaction.atomic
def indicator_create(
    *,
    fiche: FicheAction,
    actor,
    label: str,
    unit: str = "",
    direction: str = PlanIndicator.Direction.UP,
    nature: str = PlanIndicator.Nature.RESULT,
    baseline_value=None,
    baseline_year: int | None = None,
    portrait_indicator: str = "",
    territory_code: str = "",
) -> PlanIndicator:
    values = _clean_indicator(
        {
            "label": label,
            "unit": unit,
            "direction": direction,
            "nature": nature,
            "baseline_value": baseline_value,
            "baseline_year": baseline_year,
            "portrait_indicator": portrait_indicator,
            "territory_code": territory_code,
        }
    )
    if values["portrait_indicator"] and not values["unit"]:
        values["unit"] = BY_ID[values["portrait_indicator"]].unit
    indicator = PlanIndicator.objects.create(
        fiche=fiche,
        position=_next_position(PlanIndicator.objects.filter(fiche=fiche)),
        created_by=_person(actor),
        updated_by=_person(actor),
        **values,
    )
    history_record(
        ctg=fiche.ctg,
        actor=actor,
        action=Action.INDICATOR,
        summary=f"Indicateur ajouté à « {fiche.title} » : « {indicator.label} »",
        changes={"indicator": ["", indicator.label]},
        item=fiche,
    )
    return indicator


@transaction.atomic
def indicator_update(*, indicator: PlanIndicator, actor, **values) -> PlanIndicator:
    unknown = set(values) - set(INDICATOR_FIELDS)
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    values = _clean_indicator(values)
    current = PlanIndicator.objects.select_for_update().get(pk=indicator.pk)
    changes = _update(
        current, actor=actor, values=values, editable=INDICATOR_FIELDS, display=_indicator_display
    )
    if changes:
        fiche = current.fiche
        history_record(
            ctg=fiche.ctg,
            actor=actor,
            action=Action.INDICATOR,
            summary=f"Indicateur modifié sur « {fiche.title} » : « {current.label} » ({', '.join(changes)})",
            changes={f"{current.label} — {k}": v for k, v in changes.items()},
            item=fiche,
        )
    return current


@transaction.atomic
def indicator_delete(*, indicator: PlanIndicator, actor) -> None:
    fiche = indicator.fiche
    label = indicator.label
    indicator.delete()
    _renumber(PlanIndicator.objects.filter(fiche=fiche))
    history_record(
        ctg=fiche.ctg,
        actor=actor,
        action=Action.INDICATOR,
        summary=f"Indicateur supprimé de « {fiche.title} » : « {label} »",
        changes={"indicator": [label, ""]},
        item=fiche,
    )


@transaction.atomic
def indicator_value_set(
    *, indicator: PlanIndicator, actor, year: int, kind: str, value
) -> IndicatorValue | None:
    """Types a target or a realised value for a year of the CTG; an empty value removes the typed value.
    Realised values that come from the open data are read-only: they follow the imported statistics."""
    fiche = indicator.fiche
    year = check_year_in_period(fiche.ctg, year)
    kind = _check_choice(kind, IndicatorValue.Kind, field="kind", label="Type de valeur")
    number = None if value in (None, "") else _number(value, field="value", label="La valeur")
    existing = (
        IndicatorValue.objects.select_for_update().filter(indicator=indicator, year=year, kind=kind).first()
    )
    if existing is not None and existing.origin == IndicatorValue.Origin.OPEN_DATA:
        raise ValidationError(
            {
                "value": f"La valeur réalisée {year} vient des données ouvertes ({existing.source}) : "
                "elle ne peut pas être saisie à la main ; elle se met à jour à chaque import."
            }
        )
    label = f"{indicator.label} — {IndicatorValue.Kind(kind).label.lower()} {year}"
    if number is None:
        if existing is None:
            return None
        before = _display(existing.value)
        existing.delete()
        history_record(
            ctg=fiche.ctg,
            actor=actor,
            action=Action.INDICATOR,
            summary=f"Valeur retirée sur « {fiche.title} » : {label}",
            changes={label: [before, ""]},
            item=fiche,
        )
        return None
    if existing is None:
        before = ""
        existing = IndicatorValue.objects.create(
            indicator=indicator,
            year=year,
            kind=kind,
            value=number,
            origin=IndicatorValue.Origin.TYPED,
            created_by=_person(actor),
            updated_by=_person(actor),
        )
    else:
        if existing.value == number:
            return existing
        before = _display(existing.value)
        existing.value, existing.updated_by = number, _person(actor)
        existing.save()
    history_record(
        ctg=fiche.ctg,
        actor=actor,
        action=Action.INDICATOR,
        summary=f"Valeur saisie sur « {fiche.title} » : {label} = {_display(number)}",
        changes={label: [before, _display(number)]},
        item=fiche,
    )
    return existing


def _open_data_values(indicator: PlanIndicator) -> tuple[dict[int, tuple[Decimal, str]], set[int]]:
    """Year → (value, source) for every loaded vintage where the portrait has a figure (ok or partial);
    secret and unavailable figures are left out. Second item: the years of every vintage read."""
    ind = BY_ID[indicator.portrait_indicator]
    try:
        if indicator.territory_code:
            territory = resolve_territory(indicator.territory_code)
        else:
            territory = territory_of_ctg(indicator.fiche.ctg)
    except TerritoryNotFound:
        return {}, set()
    engine.refresh()
    dataset, years = ind.dataset, engine.available_vintages(ind.dataset)
    if not years and ind.fallback and engine.available_vintages(ind.fallback[0]):
        dataset = ind.fallback[0]
        years = engine.available_vintages(dataset)
        ind = replace(ind, dataset=dataset, numerator=ind.fallback[1])
    found: dict[int, tuple[Decimal, str]] = {}
    read: set[int] = set()
    for year in years:
        value = engine.aggregate_territory(dataset, year, [ind], territory.communes).get(ind.id)
        vintage = (value.year if value is not None else None) or year
        read.add(vintage)
        if value is None or value.value is None or value.status not in (OK, PARTIEL):
            continue
        declared = BY_ID[ind.id]
        if dataset != declared.dataset and declared.fallback_keeps_source:
            source = source_label(declared, vintage)
        else:
            source = source_label(ind, vintage, dataset)
        found[vintage] = (Decimal(str(round(value.value, 4))), source)
    return found, read


@transaction.atomic
def indicator_refresh_open_data(*, indicator: PlanIndicator, actor=None) -> dict:
    """Fills the baseline (when empty: the oldest loaded vintage that has a figure) and the realised values
    (one per loaded vintage, origin open data, with the source) of an indicator linked to the portrait.
    Values typed by hand for the same year are kept; an open-data value whose vintage, read again, no longer
    gives a figure (now secret or unavailable) is removed; those of vintages no longer in the store are kept.
    Returns {label: [before, after]} of what changed."""
    if not indicator.portrait_indicator or indicator.portrait_indicator not in BY_ID:
        return {}
    indicator = PlanIndicator.objects.select_for_update().select_related("fiche__ctg").get(pk=indicator.pk)
    found, read = _open_data_values(indicator)
    changes: dict[str, list] = {}
    if indicator.baseline_value is None and found:
        year = min(found)
        indicator.baseline_value, indicator.baseline_year = found[year][0], year
        indicator.save(update_fields=["baseline_value", "baseline_year", "updated_at"])
        changes[f"{indicator.label} — valeur de référence"] = ["", f"{_display(found[year][0])} ({year})"]
    existing = {v.year: v for v in indicator.values.filter(kind=IndicatorValue.Kind.REALISED)}
    for year, (number, source) in sorted(found.items()):
        current = existing.get(year)
        label = f"{indicator.label} — réalisé {year}"
        if current is None:
            IndicatorValue.objects.create(
                indicator=indicator,
                year=year,
                kind=IndicatorValue.Kind.REALISED,
                value=number,
                origin=IndicatorValue.Origin.OPEN_DATA,
                source=source,
            )
            changes[label] = ["", _display(number)]
        elif current.origin == IndicatorValue.Origin.OPEN_DATA and (current.value, current.source) != (
            number,
            source,
        ):
            changes[label] = [_display(current.value), _display(number)]
            current.value, current.source = number, source
            current.save(update_fields=["value", "source", "updated_at"])
    for year, current in existing.items():
        if year in read and year not in found and current.origin == IndicatorValue.Origin.OPEN_DATA:
            changes[f"{indicator.label} — réalisé {year}"] = [_display(current.value), ""]
            current.delete()
    if changes:
        fiche = indicator.fiche
        history_record(
            ctg=fiche.ctg,
            actor=actor,
            action=Action.INDICATOR,
            summary=f"Données ouvertes mises à jour sur « {fiche.title} » : « {indicator.label} »",
            changes=changes,
            item=fiche,
        )
    return changes


def plan_refresh_open_data(*, ctg: Ctg, actor=None) -> int:
    """Refreshes every indicator of the plan linked to the portrait; returns how many changed."""
    changed = 0
    indicators = PlanIndicator.objects.filter(fiche__ctg=ctg).exclude(portrait_indicator="")
    for indicator in indicators.order_by("fiche_id", "position", "id"):
        if indicator_refresh_open_data(indicator=indicator, actor=actor):
            changed += 1
    return changed
