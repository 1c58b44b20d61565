"""« Transformer en fiche action » (issue 12, item 5): a scenario of the offer of services becomes a fiche of
the plan d'action, through the plan's own services. It lives with the plan (the plan's floor is above the
offer's, docs/architecture.md): the plan reads the scenario, the fiche keeps the link
(`FicheAction.source_scenario`), the offer never names the plan.

The fiche's budget is pre-filled from the scenario's simulated funding (issue 14, item 3): per year of the
CTG's period, the CAF's funding (funder CAF) and the collectivité's remaining cost (funder EPCI for a CTG of
an EPCI, else Communes), written through `fiche_items.budget_set` only. An amount the simulation could not
compute is left out, never estimated, and listed in `BudgetPrefill.left_out` for the success message.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from ctg.core.history import history_record
from ctg.core.models import Action
from ctg.diagnostics.portrait import of_territory
from ctg.offer.models import Scenario, ScenarioLine
from ctg.offer.scenario_funding import scenario_funding
from ctg.offer.scenarios import compare_scenario, touched_fields
from ctg.plans.models import FicheAction, Funder, OperationalObjective
from ctg.plans.services.fiche_items import budget_set
from ctg.plans.services.fiches import fiche_create
from ctg.plans.services.indicators import indicator_create, indicator_value_set
from ctg.plans.services.positions import objectives_in_plan_order


def _int(value) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({"objective": "L'objectif doit être un nombre entier."}) from None


NO_OBJECTIVE = (
    "Le plan d'action n'a aucun objectif opérationnel : créez d'abord un enjeu, un objectif stratégique "
    "et un objectif opérationnel, puis transformez le scénario en fiche action."
)


def operational_objectives(ctg):
    """The dossier's operational objectives, in the plan's order (those a fiche can be attached to)."""
    order = objectives_in_plan_order(ctg)
    objectives = OperationalObjective.objects.in_bulk(order)
    return [objectives[pk] for pk in order]


def _decimal(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def collectivity_funder(ctg) -> str:
    """The plan's funder that stands for the collectivité bearing the remaining cost: the EPCI of a CTG of
    an EPCI, else its communes."""
    return Funder.EPCI if ctg.epci_id else Funder.COMMUNES


@dataclass
class BudgetPrefill:
    """What the scenario's funding gives the fiche's budget: `{(year, funder): amount}` and the amounts left
    out (French sentences)."""

    amounts: dict = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)


def scenario_budget(scenario: Scenario) -> BudgetPrefill:
    """The budget lines the scenario's simulated funding gives, per year of the CTG's period: the CAF's
    computed amounts (a partial year keeps its computed amounts and names the missing ones) and the
    collectivité's remaining cost where it is computed. Nothing is estimated."""
    funding = scenario_funding(scenario)
    ctg = scenario.ctg
    prefill = BudgetPrefill()
    collectivity = collectivity_funder(ctg)
    for total in funding.totals:
        if total.any_caf and total.caf > 0:
            prefill.amounts[(total.year, Funder.CAF.value)] = total.caf
        if total.any_remaining and total.remaining > 0:
            prefill.amounts[(total.year, collectivity)] = total.remaining
    missing: dict[tuple[str, str], list[int]] = {}
    for line_funding in funding.lines:
        for year in line_funding.years:
            for item in year.missing:
                key = (f"{item.label} de « {line_funding.line} »", item.problem)
                missing.setdefault(key, []).append(year.year)
            if year.remaining is None:
                reason = (
                    year.remaining_item.problem if year.remaining_item is not None else year.remaining_reason
                )
                key = (f"Reste à charge de « {line_funding.line} »", reason)
                missing.setdefault(key, []).append(year.year)
    for (what, reason), years in missing.items():
        shown = f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}"
        prefill.left_out.append(f"{what} ({shown}) : {reason}")
    return prefill


def _budget_fill(*, fiche, actor, prefill: BudgetPrefill, keep_existing: bool) -> list[str]:
    """Writes the prefilled amounts through `budget_set`; with `keep_existing`, a year and funder the fiche
    already has is left as it is (and named). Returns what was not written."""
    existing = set(fiche.budget.values_list("year", "funder")) if keep_existing else set()
    kept = []
    for (year, funder), amount in sorted(prefill.amounts.items()):
        if (year, funder) in existing:
            kept.append(f"{Funder(funder).label} {year} : déjà au budget de la fiche, inchangé")
            continue
        budget_set(fiche=fiche, actor=actor, year=year, funder=funder, planned=amount, spent=0)
    return kept


@transaction.atomic
def scenario_to_fiche(*, scenario: Scenario, actor, objective=None):
    """« Transformer en fiche action »: a fiche of the plan (title of the scenario, its communes, its field,
    attached to `objective` — the only operational objective of the plan when None and there is one), with
    one indicator whose baseline is the scenario's « before » figure and whose target for the opening year is
    its « after » figure, through the plan's services; the fiche keeps the link
    (`FicheAction.source_scenario`); its budget pre-filled from the scenario's simulated funding
    (`scenario_budget`; what was left out is in the returned fiche's `budget_left_out`). Refused
    (ValidationError, nothing written) when the plan has no objective, when several exist and none is
    chosen, when the scenario has no line, was already turned into a fiche, or opens outside the CTG's
    period."""
    scenario = Scenario.objects.select_for_update().select_related("ctg").get(pk=scenario.pk)
    ctg = scenario.ctg
    if scenario.fiches.exists():
        raise ValidationError({"objective": "Ce scénario a déjà été transformé en fiche action."})
    objectives = operational_objectives(ctg)
    if not objectives:
        raise ValidationError({"objective": NO_OBJECTIVE})
    if objective is None or objective == "":
        if len(objectives) > 1:
            raise ValidationError({"objective": "Choisissez l'objectif opérationnel de la fiche."})
        objective = objectives[0]
    elif not isinstance(objective, OperationalObjective):
        pk = _int(objective)
        objective = next((o for o in objectives if o.pk == pk), None)
    if objective is None or objective.pk not in {o.pk for o in objectives}:
        raise ValidationError({"objective": "Cet objectif opérationnel n'appartient pas à ce dossier."})
    lines = list(scenario.lines.select_related("commune", "structure__commune"))
    if not lines:
        raise ValidationError({"objective": "Ce scénario n'a aucune ligne : ajoutez une structure d'abord."})
    year = (
        min(line.year for line in lines if line.kind == ScenarioLine.Kind.CREATE)
        if any(line.kind == ScenarioLine.Kind.CREATE for line in lines)
        else min(line.year for line in lines)
    )
    if not ctg.start_year <= year <= ctg.end_year:
        raise ValidationError(
            {
                "objective": f"L'année d'ouverture {year} est hors de la période de la CTG "
                f"({ctg.start_year}-{ctg.end_year}) : la cible de l'indicateur ne peut pas y être inscrite."
            }
        )
    comparison = compare_scenario(scenario)
    communes = list(
        dict.fromkeys(
            line.commune if line.kind == ScenarioLine.Kind.CREATE else line.structure.commune
            for line in lines
        )
    )
    allowed = set(ctg.communes.values_list("pk", flat=True))
    communes = [c for c in communes if c.pk in allowed]
    description = "\n".join(
        [
            scenario.description,
            "Issue du scénario de l'offre de services :",
            *[f"- {t}" for t in comparison.lines],
        ]
    ).strip()
    fiche = fiche_create(
        ctg=ctg,
        actor=actor,
        title=scenario.name,
        objectives=[objective],
        fields=touched_fields(lines),
        description=description,
        all_communes=not communes,
        communes=communes,
    )
    pair = comparison.headline
    if pair is not None and pair.before is not None and pair.before.value is not None:
        indicator = indicator_create(
            fiche=fiche,
            actor=actor,
            label=f"{pair.label} {of_territory(comparison.territory)}",
            unit=pair.before.unit[:60],
            baseline_value=_decimal(pair.before.value),
            baseline_year=datetime.date.today().year,
        )
        indicator_value_set(
            indicator=indicator, actor=actor, year=year, kind="target", value=_decimal(pair.after.value)
        )
    prefill = scenario_budget(scenario)
    _budget_fill(fiche=fiche, actor=actor, prefill=prefill, keep_existing=False)
    fiche.budget_left_out = prefill.left_out
    fiche.source_scenario = scenario
    fiche.save(update_fields=["source_scenario"])
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.SCENARIO,
        summary=f"Scénario « {scenario.name} » transformé en fiche action « {fiche.title} »",
        changes={"fiche": ["", fiche.title]},
        item=scenario,
    )
    return fiche


def attachable_fiches(ctg):
    """The dossier's fiches a scenario may be attached to: those made from no scenario."""
    return FicheAction.objects.filter(ctg=ctg, source_scenario__isnull=True).order_by("title", "pk")


@transaction.atomic
def scenario_attach(*, scenario: Scenario, actor, fiche) -> list[str]:
    """Attaches `scenario` to an existing fiche of its dossier (`fiche`: a FicheAction or its id) and adds to
    its budget the scenario's simulated funding, through `budget_set`: a year and funder the fiche already
    has is left unchanged (its amounts are the plan's). Returns what was not written (amounts not computed,
    lines kept). Refused (ValidationError, nothing written) for a fiche of another dossier, one already made
    from a scenario, or a scenario that already has its fiche."""
    scenario = Scenario.objects.select_for_update().select_related("ctg").get(pk=scenario.pk)
    ctg = scenario.ctg
    pk = fiche.pk if isinstance(fiche, FicheAction) else _int_fiche(fiche)
    found = attachable_fiches(ctg).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise ValidationError(
            {"fiche": "Choisissez une fiche action de ce dossier qui n'est issue d'aucun scénario."}
        )
    if scenario.fiches.exists():
        raise ValidationError({"fiche": "Ce scénario est déjà rattaché à une fiche action."})
    prefill = scenario_budget(scenario)
    kept = _budget_fill(fiche=found, actor=actor, prefill=prefill, keep_existing=True)
    found.source_scenario = scenario
    found.save(update_fields=["source_scenario"])
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.SCENARIO,
        summary=f"Scénario « {scenario.name} » rattaché à la fiche action « {found.title} »",
        changes={"fiche": ["", found.title]},
        item=scenario,
    )
    return prefill.left_out + kept


def _int_fiche(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


__all__ = [
    "NO_OBJECTIVE",
    "BudgetPrefill",
    "attachable_fiches",
    "scenario_attach",
    "collectivity_funder",
    "operational_objectives",
    "scenario_budget",
    "scenario_to_fiche",
]
