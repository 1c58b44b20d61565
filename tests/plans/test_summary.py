"""One budget summary (ctg.plans.summary) for every page and document of the plan: the dashboard, the yearly
bilan, the activity report of the coordinator post and the convention's annex of fiches show the same totals
as when each summed the lines itself."""

from decimal import Decimal

import pytest
from django.urls import reverse

from ctg.documents import content
from ctg.evaluation import bilan
from ctg.organisations.permissions import Role
from ctg.plans import summary
from ctg.plans.models import BudgetLine
from ctg.post import report

from .factories import (
    BudgetLineFactory,
    EnjeuFactory,
    FicheFactory,
    OperationalObjectiveFactory,
    StrategicObjectiveFactory,
)

# (fiche, year, funder, planned, spent): the CTG runs 2025-2028; 2029 is outside of it.
LINES = (
    (0, 2025, "epci", "200.00", "50.00"),
    (0, 2025, "caf", "1000.00", "400.00"),
    (0, 2026, "caf", "500.50", "0.00"),
    (0, 2029, "caf", "999.00", "0.00"),
    (1, 2025, "communes", "0.00", "75.25"),
    (1, 2025, "caf", "300.00", "300.00"),
    (1, 2026, "departement", "1200.00", "0.00"),
)


@pytest.fixture
def budget_plan(world):
    ctg = world.ctg
    objective = OperationalObjectiveFactory(strategic=StrategicObjectiveFactory(enjeu=EnjeuFactory(ctg=ctg)))
    fiches = [
        FicheFactory(ctg=ctg, objectives=[objective], position=index, title=f"Fiche {index}")
        for index in (0, 1)
    ]
    for index, year, funder, planned, spent in LINES:
        BudgetLineFactory(fiche=fiches[index], year=year, funder=funder, planned=planned, spent=spent)
    return world, fiches


def test_budget_summary_by_funder_in_the_order_of_funder():
    lines = [{"year": y, "funder": f, "planned": p, "spent": s} for _i, y, f, p, s in LINES if y == 2025]
    budget = summary.budget_summary(lines, summary.FUNDER)
    assert [(row.key, row.label, row.planned, row.spent) for row in budget.rows] == [
        ("caf", "CAF", Decimal("1300.00"), Decimal("700.00")),
        ("epci", "EPCI", Decimal("200.00"), Decimal("50.00")),
        ("communes", "Communes", Decimal("0.00"), Decimal("75.25")),
    ]
    assert (budget.planned, budget.spent) == (Decimal("1500.00"), Decimal("825.25"))


def test_budget_summary_by_year_within_years_without_zero():
    lines = [{"year": y, "funder": f, "planned": p, "spent": s} for _i, y, f, p, s in LINES]
    budget = summary.budget_summary(lines, summary.YEAR, years=(2025, 2028))
    assert [(row.key, row.label, row.planned) for row in budget.rows] == [
        (2025, "2025", Decimal("1500.00")),
        (2026, "2026", Decimal("1700.50")),
    ]
    skipped = summary.budget_summary(lines[4:5], summary.FUNDER, skip_zero=True)
    assert skipped.rows == [] and skipped.planned == Decimal("0.00") == skipped.spent


def test_budget_summary_leaves_out_an_unknown_funder_and_refuses_an_unknown_key():
    lines = [{"year": 2025, "funder": "inconnu", "planned": "10", "spent": "0"}]
    assert summary.budget_summary(lines).rows == []
    with pytest.raises(ValueError):
        summary.budget_summary(lines, "fiche")


def test_the_dashboard_shows_the_totals_of_every_line(client, budget_plan):
    world, _fiches = budget_plan
    client.force_login(world.users[Role.COORDINATION])
    response = client.get(reverse("plans:dashboard", kwargs={"pk": world.ctg.pk}))
    by_funder, by_year = response.context["by_funder"], response.context["by_year"]
    assert [(row["key"], row["planned"], row["spent"]) for row in by_funder["rows"]] == [
        ("caf", Decimal("2799.50"), Decimal("700.00")),
        ("departement", Decimal("1200.00"), Decimal("0.00")),
        ("epci", Decimal("200.00"), Decimal("50.00")),
        ("communes", Decimal("0.00"), Decimal("75.25")),
    ]
    assert [(row["key"], row["planned"], row["spent"]) for row in by_year["rows"]] == [
        (2025, Decimal("1500.00"), Decimal("825.25")),
        (2026, Decimal("1700.50"), Decimal("0.00")),
        (2029, Decimal("999.00"), Decimal("0.00")),
    ]
    for table in (by_funder, by_year):
        assert (table["total_planned"], table["total_spent"]) == (Decimal("4199.50"), Decimal("825.25"))
        assert table["total_planned_display"] == "4\u202f199,50\u00a0€"
    stats = summary.dashboard(world.ctg, list(world.ctg.fiches.all()), {}, 2025)
    assert stats.by_funder.planned == stats.by_year.planned == Decimal("4199.50")


def test_the_bilan_and_the_activity_report_show_the_totals_of_the_year(budget_plan):
    world, _fiches = budget_plan
    data = bilan.compute(world.ctg, 2025)
    assert [(r["funder"], r["label"], r["planned"], r["spent"]) for r in data["budget"]["rows"]] == [
        ("caf", "CAF", Decimal("1300.00"), Decimal("700.00")),
        ("epci", "EPCI", Decimal("200.00"), Decimal("50.00")),
        ("communes", "Communes", Decimal("0.00"), Decimal("75.25")),
    ]
    assert data["budget"]["planned_text"] == "1\u202f500,00 €"
    assert data["budget"]["spent_text"] == "825,25 €"
    assert report.compute(world.ctg, 2025)["plan"]["budget"] == data["budget"]
    empty = bilan.compute(world.ctg, 2027)["budget"]
    assert empty["rows"] == [] and empty["planned_text"] == "0,00 €" == empty["spent_text"]


def test_the_convention_annex_shows_the_planned_budget_of_the_period(budget_plan):
    world, _fiches = budget_plan
    fiches = {f["title"]: f for f in content.plan_annexes(world.ctg)["fiches"]}
    assert fiches["Fiche 0"]["budget"] == [
        {"funder": "CAF", "amount": "1500.50", "text": "1\u202f500,50 €"},
        {"funder": "EPCI", "amount": "200.00", "text": "200,00 €"},
    ]  # 2029 is outside of the CTG
    assert fiches["Fiche 0"]["budget_total"] == "1\u202f700,50 €"
    assert fiches["Fiche 1"]["budget"] == [
        {"funder": "CAF", "amount": "300.00", "text": "300,00 €"},
        {"funder": "Département", "amount": "1200.00", "text": "1\u202f200,00 €"},
    ]  # the communes' line plans nothing
    assert fiches["Fiche 1"]["budget_total"] == "1\u202f500,00 €"


def test_the_summaries_agree_with_the_lines(budget_plan):
    world, _fiches = budget_plan
    lines = list(BudgetLine.objects.filter(fiche__ctg=world.ctg))
    for year in (2025, 2026):
        budget = summary.plan_budget(world.ctg, year=year)
        assert budget.planned == sum(line.planned for line in lines if line.year == year)
        assert budget.spent == sum(line.spent for line in lines if line.year == year)
    assert summary.plan_budget(world.ctg, summary.YEAR).planned == sum(line.planned for line in lines)


def test_the_fiche_page_shows_the_totals_of_the_fiche_by_year(client, budget_plan):
    world, fiches = budget_plan
    client.force_login(world.users[Role.COORDINATION])
    response = client.get(
        reverse("plans:fiche_detail", kwargs={"pk": world.ctg.pk, "fiche_pk": fiches[0].pk})
    )
    budget = response.context["budget"]
    assert len(budget["lines"]) == 4
    assert budget["by_year"] == [
        (2025, {"planned": Decimal("1200.00"), "spent": Decimal("450.00")}),
        (2026, {"planned": Decimal("500.50"), "spent": Decimal("0.00")}),
        (2029, {"planned": Decimal("999.00"), "spent": Decimal("0.00")}),
    ]
    assert (budget["planned"], budget["spent"]) == (Decimal("2699.50"), Decimal("450.00"))
    html = response.content.decode()
    assert "Total 2025</th><td></td><td>1\u00a0200,00 €</td><td>450,00 €</td>" in html
    assert "Total</th><td></td><td>2\u00a0699,50 €</td><td>450,00 €</td>" in html
