"""The follow-up pages of the plan d'action: the table of fiches (filters, sorting), the timeline by year and
the dashboard (counts, budget totals, indicators' progress)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse

from ctg.plans import progress
from ctg.plans.models import BudgetLine, FicheStep, IndicatorValue
from ctg.plans.views_follow import euros
from tests.factories import OrganisationFactory
from tests.plans.factories import (
    EnjeuFactory,
    FicheFactory,
    OperationalObjectiveFactory,
    PlanIndicatorFactory,
    StrategicObjectiveFactory,
)


@dataclass
class Plan:
    world: object
    enjeux: list
    fiches: dict
    pilots: list
    communes: list
    lines: list


def _operational(enjeu):
    return OperationalObjectiveFactory(strategic=StrategicObjectiveFactory(enjeu=enjeu))


@pytest.fixture
def follow_plan(world):
    ctg = world.ctg  # 2025-2028
    communes = list(ctg.communes.order_by("name"))
    pilots = [
        OrganisationFactory(name="Centre social Arc-en-ciel"),
        OrganisationFactory(name="Mairie de Test"),
    ]
    e1 = EnjeuFactory(ctg=ctg, title="Accueillir les jeunes", position=0)
    e2 = EnjeuFactory(ctg=ctg, title="Soutenir les parents", position=1)
    op1, op2 = _operational(e1), _operational(e2)
    jeunes = FicheFactory(
        ctg=ctg,
        objectives=[op1],
        position=0,
        title="Point information jeunesse",
        fields=["jeunesse"],
        status="en_cours",
        priority="haute",
        pilot_organisation=pilots[0],
        all_communes=False,
        communes=[communes[0]],
        start_date=datetime.date(2025, 3, 1),
        end_date=datetime.date(2026, 12, 31),
    )
    bilan = FicheFactory(
        ctg=ctg,
        objectives=[op1],
        position=1,
        title="Bilan des accueils de loisirs",
        fields=["enfance", "jeunesse"],
        status="realisee",
        priority="basse",
        pilot_organisation=pilots[1],
        all_communes=True,
        start_date=datetime.date(2027, 1, 1),
        end_date=datetime.date(2027, 12, 31),
    )
    parents = FicheFactory(
        ctg=ctg,
        objectives=[op2],
        position=0,
        title="Café des parents",
        fields=["parentalite"],
        status="a_venir",
        priority="moyenne",
        all_communes=False,
        communes=[communes[1]],
    )
    FicheStep.objects.create(fiche=jeunes, year=2025, description="Ouverture du point d'accueil")
    FicheStep.objects.create(fiche=jeunes, year=2026, description="Bilan de la première année")
    lines = [
        BudgetLine.objects.create(fiche=jeunes, year=2025, funder="caf", planned=1000, spent=800),
        BudgetLine.objects.create(fiche=jeunes, year=2026, funder="caf", planned=2000, spent=500),
        BudgetLine.objects.create(fiche=jeunes, year=2025, funder="departement", planned=500, spent=0),
        BudgetLine.objects.create(
            fiche=bilan, year=2027, funder="epci", planned=Decimal("300.50"), spent=300
        ),
    ]
    # Indicators in 2026: late, reached, on track, without data.
    late = PlanIndicatorFactory(fiche=jeunes, label="Jeunes accueillis", baseline_value=0, baseline_year=2024)
    IndicatorValue.objects.create(indicator=late, year=2028, kind="target", value=100)
    IndicatorValue.objects.create(indicator=late, year=2026, kind="realised", value=10)
    reached = PlanIndicatorFactory(fiche=jeunes, label="Permanences", baseline_value=0, baseline_year=2024)
    IndicatorValue.objects.create(indicator=reached, year=2026, kind="target", value=100)
    IndicatorValue.objects.create(indicator=reached, year=2026, kind="realised", value=100)
    on_track = PlanIndicatorFactory(
        fiche=bilan, label="Enfants inscrits", baseline_value=0, baseline_year=2024
    )
    IndicatorValue.objects.create(indicator=on_track, year=2028, kind="target", value=100)
    IndicatorValue.objects.create(indicator=on_track, year=2026, kind="realised", value=50)
    PlanIndicatorFactory(fiche=parents, label="Parents venus")
    # A fiche of another dossier never shows.
    FicheFactory(ctg=world.other_ctg, title="Fiche d'ailleurs")
    return Plan(
        world=world,
        enjeux=[e1, e2],
        fiches={"jeunes": jeunes, "bilan": bilan, "parents": parents},
        pilots=pilots,
        communes=communes,
        lines=lines,
    )


def _get(client, plan, name, query=""):
    client.force_login(plan.world.users["lecture"])
    response = client.get(reverse(f"plans:{name}", args=[plan.world.ctg.pk]) + query)
    assert response.status_code == 200
    return response


def _titles(response):
    return [row.fiche.title for row in response.context["rows"]]


ALL = ["Point information jeunesse", "Bilan des accueils de loisirs", "Café des parents"]


def test_table_lists_every_fiche_in_plan_order(client, follow_plan):
    response = _get(client, follow_plan, "fiches")
    assert _titles(response) == ALL
    assert [row.number for row in response.context["rows"]] == ["1.1.1", "1.1.2", "2.1.1"]
    html = response.content.decode()
    assert "3 fiches" in html
    assert "Fiche d'ailleurs" not in html
    jeunes = follow_plan.fiches["jeunes"]
    assert reverse("plans:fiche_detail", args=[follow_plan.world.ctg.pk, jeunes.pk]) in html
    row = response.context["rows"][0]
    assert row.enjeu == follow_plan.enjeux[0]
    assert row.planned == Decimal(3500) and row.spent == Decimal(1300)
    assert row.period == "01/03/2025 – 31/12/2026"
    assert row.communes == [follow_plan.communes[0].name]
    assert response.context["rows"][1].communes == ["Toutes les communes"]
    assert response.context["rows"][2].period == "Non renseignée"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("champ=jeunesse", ALL[:2]),
        ("champ=parentalite", ALL[2:]),
        ("enjeu={e2}", ALL[2:]),
        ("statut=realisee", ALL[1:2]),
        ("priorite=haute", ALL[:1]),
        ("pilote={p1}", ALL[1:2]),
        # « toutes les communes » concerns every commune.
        ("commune={c0}", ALL[:2]),
        ("commune={c1}", ALL[1:]),
        ("annee=2026", ALL[:1]),
        ("annee=2027", ALL[1:2]),
        ("annee=2028", []),
        ("financeur=caf", ALL[:1]),
        ("financeur=epci", ALL[1:2]),
        ("financeur=msa", []),
    ],
)
def test_table_filters_one_by_one(client, follow_plan, query, expected):
    query = query.format(
        e2=follow_plan.enjeux[1].pk,
        p1=follow_plan.pilots[1].pk,
        c0=follow_plan.communes[0].pk,
        c1=follow_plan.communes[1].pk,
    )
    response = _get(client, follow_plan, "fiches", f"?{query}")
    assert _titles(response) == expected
    count = len(expected)
    assert f"{count} fiche{'s' if count > 1 else ''}" in response.content.decode()


def test_table_filters_combined(client, follow_plan):
    enjeu = follow_plan.enjeux[0].pk
    response = _get(client, follow_plan, "fiches", f"?enjeu={enjeu}&champ=jeunesse&annee=2027")
    assert _titles(response) == ALL[1:2]
    response = _get(client, follow_plan, "fiches", f"?enjeu={enjeu}&statut=a_venir")
    assert _titles(response) == []
    assert "0 fiche correspondant aux filtres" in response.content.decode()
    assert "Aucune fiche ne correspond à ces filtres" in response.content.decode()


def test_table_ignores_unknown_filter_values(client, follow_plan):
    query = (
        "?champ=inconnu&enjeu=999999&statut=x&priorite=&pilote=abc&commune=-1&annee=1990&financeur=z&tri=?"
    )
    response = _get(client, follow_plan, "fiches", query)
    assert _titles(response) == ALL
    assert response.context["filtered"] is False
    # A value of another dossier is unknown here.
    other = _get(client, follow_plan, "fiches", f"?commune={follow_plan.world.other_ctg.communes.first().pk}")
    assert _titles(other) == ALL


@pytest.mark.parametrize(
    "sort, ascending",
    [
        ("titre", [ALL[1], ALL[2], ALL[0]]),
        ("statut", [ALL[2], ALL[0], ALL[1]]),
        ("priorite", [ALL[0], ALL[2], ALL[1]]),
        ("pilote", [ALL[0], ALL[1], ALL[2]]),
        ("prevu", [ALL[2], ALL[1], ALL[0]]),
        ("realise", [ALL[2], ALL[1], ALL[0]]),
        ("numero", ALL),
        ("enjeu", [ALL[0], ALL[1], ALL[2]]),
        ("periode", [ALL[0], ALL[1], ALL[2]]),
    ],
)
def test_table_sorting(client, follow_plan, sort, ascending):
    response = _get(client, follow_plan, "fiches", f"?tri={sort}&ordre=asc")
    assert _titles(response) == ascending
    html = response.content.decode()
    assert 'aria-sort="ascending"' in html and html.count("aria-sort=") == 1
    response = _get(client, follow_plan, "fiches", f"?tri={sort}&ordre=desc")
    if sort not in ("enjeu",):  # two fiches of the same enjeu keep their order
        assert _titles(response) == list(reversed(ascending))
    assert 'aria-sort="descending"' in response.content.decode()


def test_sort_links_keep_the_filters_and_toggle_the_order(client, follow_plan):
    response = _get(client, follow_plan, "fiches", "?champ=jeunesse&tri=titre")
    columns = {c["key"]: c for c in response.context["columns"]}
    assert columns["titre"]["href"] == "?champ=jeunesse&tri=titre&ordre=desc#fiches"
    assert columns["statut"]["href"] == "?champ=jeunesse&tri=statut&ordre=asc#fiches"
    assert "trier par ordre décroissant" in response.content.decode()


def test_gantt_marks_the_years_of_a_fiche_spanning_two_years(client, follow_plan):
    response = _get(client, follow_plan, "gantt")
    groups = response.context["groups"]
    assert [g["title"] for g in groups] == ["Accueillir les jeunes", "Soutenir les parents"]
    assert response.context["years"] == [2025, 2026, 2027, 2028]
    jeunes = groups[0]["rows"][0]
    assert jeunes.fiche == follow_plan.fiches["jeunes"]
    cells = {cell["year"]: cell for cell in jeunes.cells}
    assert [year for year, cell in cells.items() if cell["active"]] == [2025, 2026]
    assert cells[2025]["text"] == "active" and cells[2025]["steps"] == ["Ouverture du point d'accueil"]
    assert cells[2026]["steps"] == ["Bilan de la première année"]
    assert not cells[2027]["active"] and cells[2027]["steps"] == []
    bilan = {cell["year"]: cell for cell in groups[0]["rows"][1].cells}
    assert [year for year, cell in bilan.items() if cell["active"]] == [2027]
    assert bilan[2027]["text"] == "réalisée"
    parents = groups[1]["rows"][0]
    assert not any(cell["active"] for cell in parents.cells)
    html = response.content.decode()
    assert "Période non renseignée" in html and "hors période" in html
    assert html.count('class="ctg-gantt-active"') == 3  # two years of one fiche, one of another


def test_dashboard_counts_fiches_by_status_and_field(client, follow_plan):
    response = _get(client, follow_plan, "dashboard", "?annee=2026")
    by_status = dict(response.context["by_status"])
    assert by_status == {"À venir": 1, "En cours": 1, "Réalisée": 1, "En pause": 0, "Abandonnée": 0}
    assert dict(response.context["by_field"]) == {
        "Enfance (3-11 ans)": 1,
        "Jeunesse (11-25 ans)": 2,
        "Parentalité": 1,
    }
    html = response.content.decode()
    assert html.count('role="img"') == 4  # status, field, budget by funder, budget by year
    assert html.count("<bar-chart") == 4  # drawn in the page by @gouvfr/dsfr-chart; the tables are their text
    assert '<figcaption id="caption-statut"' in html and '<table id="table-statut">' in html


def test_dashboard_budget_totals(client, follow_plan):
    response = _get(client, follow_plan, "dashboard")
    lines = follow_plan.lines
    for key, table in (("funder", "by_funder"), ("year", "by_year")):
        expected = {}
        for line in lines:
            planned, spent = expected.get(getattr(line, key), (Decimal(0), Decimal(0)))
            expected[getattr(line, key)] = (planned + Decimal(line.planned), spent + Decimal(line.spent))
        budget = response.context[table]
        assert {row["key"]: (row["planned"], row["spent"]) for row in budget["rows"]} == expected
        assert budget["total_planned"] == sum(Decimal(line.planned) for line in lines) == Decimal("3800.50")
        assert budget["total_spent"] == sum(Decimal(line.spent) for line in lines) == Decimal(1600)
    assert [row["key"] for row in response.context["by_year"]["rows"]] == [2025, 2026, 2027]
    html = response.content.decode()
    assert euros(Decimal("3800.50")) in html and euros(Decimal(1600)) in html
    assert euros(Decimal(3000)) in html  # CAF planned


def test_dashboard_indicator_counts_and_late_list(client, follow_plan):
    response = _get(client, follow_plan, "dashboard", "?annee=2026")
    counts = response.context["counts"]
    assert counts[progress.ATTEINT] == 1
    assert counts[progress.EN_BONNE_VOIE] == 1
    assert counts[progress.EN_RETARD] == 1
    assert counts[progress.SANS_DONNEE] == 1
    assert sum(counts.values()) == 4
    late = response.context["late"]
    assert [item["indicator"].label for item in late] == ["Jeunes accueillis"]
    assert late[0]["number"] == "1.1.1"
    html = response.content.decode()
    assert "Indicateurs en 2026" in html and "Jeunes accueillis" in html
    # An invalid year falls back to the current one.
    assert _get(client, follow_plan, "dashboard", "?annee=abc").context["year"] >= 2025


def test_pages_without_any_fiche(client, world):
    client.force_login(world.users["lecture"])
    for name in ("fiches", "gantt", "dashboard"):
        response = client.get(reverse(f"plans:{name}", args=[world.ctg.pk]))
        assert response.status_code == 200
    assert "0 fiche" in client.get(reverse("plans:fiches", args=[world.ctg.pk])).content.decode()


def test_csv_export_follows_the_filters_and_sorting(client, follow_plan):
    response = _get(client, follow_plan, "fiches_csv", "?champ=jeunesse&tri=titre&ordre=desc&statut=inconnu")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    lines = text.strip().split("\r\n")
    assert lines[0].startswith("N°;Intitulé;Enjeu;")
    assert [line.split(";")[1] for line in lines[1:]] == ["Point information jeunesse", ALL[1]]
    assert lines[1].endswith(";3500,00;1300,00")
    page = _get(client, follow_plan, "fiches", "?champ=jeunesse")
    assert response.request["PATH_INFO"] in page.context["csv_url"]
    assert page.context["csv_url"].endswith("?champ=jeunesse")
