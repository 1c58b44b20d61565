"""Figures of a plan d'action shared by its pages and documents: the budget summary (planned and spent by
funder or by year, with totals) and the dashboard's statistics (fiches by status and field, budget,
indicators' progress and the late ones).

One budget summary serves the fiche page (by year), the dashboard (by funder and by year, every year), the
yearly bilan and the activity report (by funder, one year) and the convention's annex of fiches (by funder,
the years of the CTG, planned only). The callers format the amounts (the pages and documents do not write
them the same way).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from ctg.conventions.models import Ctg, Field
from ctg.plans import progress
from ctg.plans.models import BudgetLine, FicheAction, Funder, PlanIndicator
from ctg.plans.selectors import indicator_series

ZERO = Decimal("0.00")
FUNDER = "funder"
YEAR = "year"
FUNDER_LABELS = dict(Funder.choices)


@dataclass(frozen=True)
class BudgetRow:
    """The planned and spent amounts of one funder (its code, `key`) or of one year (`key`)."""

    key: object
    label: str
    planned: Decimal
    spent: Decimal


@dataclass(frozen=True)
class BudgetSummary:
    """Rows in the order of `Funder` (by funder) or of the years, and the totals of the rows."""

    rows: list[BudgetRow] = field(default_factory=list)
    planned: Decimal = ZERO
    spent: Decimal = ZERO


def _get(line, name):
    return line[name] if isinstance(line, dict) else getattr(line, name)


def budget_summary(
    lines: Iterable, by: str = FUNDER, *, years: tuple[int, int] | None = None, skip_zero: bool = False
) -> BudgetSummary:
    """Sums budget lines (`BudgetLine`s or the dicts of `exchange.export.export_plan`, whose amounts may be
    text) by funder (`FUNDER`, in the order of `Funder`; a code outside of it is left out) or by year (`YEAR`,
    in order). `years` (first, last): only the lines of those years; `skip_zero`: no row whose planned amount
    is zero."""
    if by not in (FUNDER, YEAR):
        raise ValueError(by)
    sums: dict[object, list[Decimal]] = {}
    for line in lines:
        year = _get(line, "year")
        if years is not None and not years[0] <= year <= years[1]:
            continue
        key = _get(line, by)
        totals = sums.setdefault(key, [ZERO, ZERO])
        totals[0] += Decimal(_get(line, "planned"))
        totals[1] += Decimal(_get(line, "spent"))
    if by == FUNDER:
        keys = [(code, label) for code, label in Funder.choices if code in sums]
    else:
        keys = [(year, str(year)) for year in sorted(sums)]
    rows = [
        BudgetRow(key, label, sums[key][0], sums[key][1])
        for key, label in keys
        if not (skip_zero and not sums[key][0])
    ]
    return BudgetSummary(
        rows=rows,
        planned=sum((row.planned for row in rows), ZERO),
        spent=sum((row.spent for row in rows), ZERO),
    )


def plan_budget(ctg: Ctg, by: str = FUNDER, *, year: int | None = None) -> BudgetSummary:
    """The budget summary of every fiche of the dossier (of one year when `year` is given), in one query."""
    lines = BudgetLine.objects.filter(fiche__ctg=ctg)
    if year is not None:
        lines = lines.filter(year=year)
    return budget_summary(lines.only("funder", "year", "planned", "spent"), by)


# --- the dashboard ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    """The statistics of the dashboard of a plan d'action for one year."""

    fiche_count: int
    by_status: list[tuple[str, int]]  # (label, count) for every status, in the order of `FicheAction.Status`
    by_field: list[tuple[str, int]]  # (label, count) for the fields that have fiches, in the order of `Field`
    by_funder: BudgetSummary
    by_year: BudgetSummary
    year: int
    indicator_total: int
    indicator_counts: dict[str, int]  # status → count, as `progress.summary`
    late: list[dict]  # the indicators « En retard » in the year: indicator, fiche, its number, reason


def dashboard(ctg: Ctg, fiches: list[FicheAction], numbers: dict[int, str], year: int) -> Dashboard:
    """The dashboard's statistics of the dossier's `fiches` (every fiche of the plan), `numbers` being the
    fiches' numbers by id (two queries: the budget lines; the indicators and their values)."""
    by_status = [
        (label, sum(1 for fiche in fiches if fiche.status == value))
        for value, label in FicheAction.Status.choices
    ]
    by_field = [
        (label, count)
        for value, label in Field.choices
        for count in [sum(1 for fiche in fiches if value in fiche.fields)]
        if count
    ]
    lines = list(BudgetLine.objects.filter(fiche__ctg=ctg).only("funder", "year", "planned", "spent"))
    indicators = list(
        PlanIndicator.objects.filter(fiche__ctg=ctg).select_related("fiche").prefetch_related("values")
    )
    series = [(indicator, indicator_series(indicator)) for indicator in indicators]
    late = []
    for indicator, s in series:
        result = progress.status_for_year(s, year)
        if result.status == progress.EN_RETARD:
            late.append(
                {
                    "indicator": indicator,
                    "number": numbers.get(indicator.fiche_id, ""),
                    "fiche": indicator.fiche,
                    "reason": result.reason,
                }
            )
    return Dashboard(
        fiche_count=len(fiches),
        by_status=by_status,
        by_field=by_field,
        by_funder=budget_summary(lines, FUNDER),
        by_year=budget_summary(lines, YEAR),
        year=year,
        indicator_total=len(indicators),
        indicator_counts=progress.summary([s for _indicator, s in series], year),
        late=late,
    )
