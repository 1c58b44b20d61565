"""The funding side of the scenarios in the pages (issue 14, item 3): the scenario's page shows every amount
with its rule and parameters and says what cannot be computed; the inputs' form (bad input refused, nothing
changed); the comparison of 2 to 4 scenarios of the dossier and its exports (another dossier's scenario is not
found); user text escaped; fictitious scenarios labelled."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ctg.core.models import HistoryEntry
from ctg.offer import scenario_funding, scenarios
from ctg.offer.models import Scenario, ScenarioLine

PAYLOAD = "<script>alert('x')</script>"
FORMULA = '=HYPERLINK("http://x")'


def _scenario(
    w, name="Crèche de 20 places", *, ctg=None, type="eaje_creche", places=20, year=2025, **funding
):
    ctg = ctg or w.ctg
    scenario = scenarios.scenario_create(
        ctg=ctg,
        actor=None,
        name=name,
        lines=[{"type": type, "places": places, "commune": ctg.communes.first(), "year": year}],
    )
    if funding:
        scenario_funding.line_funding_set(line=scenario.lines.get(), actor=None, values=funding)
    return scenario


def snapshot():
    return {
        "scenarios": list(Scenario.objects.order_by("pk").values()),
        "lines": list(ScenarioLine.objects.order_by("pk").values()),
        "history": HistoryEntry.objects.count(),
    }


def test_the_scenario_page_shows_the_amounts_their_rules_and_what_is_missing(client, world):
    scenario = _scenario(world, bonus_tranche="1")
    other = _scenario(world, "Crèche intermédiaire", bonus_tranche="2")
    client.force_login(world.users["lecture"])
    page = client.get(reverse("offer:scenario", args=[world.ctg.pk, scenario.pk])).content.decode()
    assert "Financement simulé de la CAF et reste à charge" in page
    assert "72\u00a0000 €" in page or "72 000 €" in page  # per year, per the tranche 1 amount
    assert "2025 — Bonus territoire (places nouvelles)" in page and "2028 — Total de la CAF" in page
    assert "3\u00a0600\u00a0€ par place et par an" in page
    assert "valeur publique" in page and "Saône-et-Loire" in page  # the parameter's origin and source
    assert "€ par place et par an — valeur publique" in page  # the parameter's value with its unit
    assert "248\u00a0000" in page or "248 000" in page  # 20 × 16 000 − 72 000
    assert "Sur la période" in page and ("288\u00a0000" in page or "288 000" in page)
    assert "Paramètres du financement" not in page  # a reader does not edit
    partial = client.get(reverse("offer:scenario", args=[world.ctg.pk, other.pk])).content.decode()
    assert "non calculé" in partial and "tranche 2" in partial and "La CAF doit le renseigner" in partial
    assert "partiel" in partial or "non calculé" in partial


def test_the_funding_form_writes_the_inputs_and_refuses_bad_ones(client, world):
    scenario = _scenario(world)
    line = scenario.lines.get()
    client.force_login(world.users["pilote_caf"])
    url = reverse("offer:scenario_line_funding", args=[world.ctg.pk, scenario.pk, line.pk])
    detail = client.get(reverse("offer:scenario", args=[world.ctg.pk, scenario.pk])).content.decode()
    assert url in detail and "Tranche du bonus territoire non renseignée" in detail
    form = client.get(url).content.decode()
    assert "Tranche du bonus territoire" in form and "Heures nouvelles demandées" not in form
    before = snapshot()
    for data in (
        {"bonus_tranche": "9"},
        {"bonus_tranche": "1", "participation_horaire": "-1"},
        {"bonus_tranche": "1", "participation_horaire": "abc"},
        {"bonus_tranche": "1", "handicap_share": "101"},
        {"bonus_tranche": "1", "reserved_places": "40"},
        {"bonus_tranche": "1", "cost_per_place": "-3"},
    ):
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert "fr-error-text" in response.content.decode() or "fr-alert--error" in response.content.decode()
        assert snapshot() == before, data
    response = client.post(url, {"bonus_tranche": "1", "participation_horaire": "0,90", "cost_per_place": ""})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.bonus_tranche == "1" and line.participation_horaire == Decimal("0.90")
    assert HistoryEntry.objects.filter(action="financement_scenario", item_id=scenario.pk).count() == 1
    history = client.get(reverse("conventions:history", args=[world.ctg.pk])).content.decode()
    assert "participation horaire moyenne des familles" in history


def test_the_funding_form_exists_only_for_lines_the_rules_fund_and_of_this_dossier(client, world):
    mam = _scenario(world, "MAM", type="mam", places=8)
    theirs = _scenario(world, "Crèche voisine", ctg=world.other_ctg)
    mine = _scenario(world)
    client.force_login(world.users["coordination"])
    before = snapshot()
    pk = world.ctg.pk
    urls = [
        reverse("offer:scenario_line_funding", args=[pk, mam.pk, mam.lines.get().pk]),
        reverse("offer:scenario_line_funding", args=[pk, theirs.pk, theirs.lines.get().pk]),
        reverse("offer:scenario_line_funding", args=[pk, mine.pk, theirs.lines.get().pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"bonus_tranche": "1"}).status_code == 404, url
    assert snapshot() == before


def _compare(client, w, *pks, **extra):
    return client.get(reverse("offer:scenario_compare", args=[w.ctg.pk]), {"comparer": list(pks), **extra})


def test_scenarios_side_by_side_with_their_funding(client, world):
    first = _scenario(world, bonus_tranche="1")
    second = _scenario(
        world, "Micro-crèche", type="eaje_micro_creche", places=12, year=2026, bonus_tranche="1"
    )
    scenarios.scenario_update(scenario=second, actor=None, is_fictitious=True)
    client.force_login(world.users["partenaire"])
    detail = client.get(reverse("offer:scenario", args=[world.ctg.pk, second.pk])).content.decode()
    assert "Scénario fictif (démonstration) : montants fictifs" in detail
    listing = client.get(reverse("offer:scenarios", args=[world.ctg.pk])).content.decode()
    assert reverse("offer:scenario_compare", args=[world.ctg.pk]) in listing
    chooser = client.get(reverse("offer:scenario_compare", args=[world.ctg.pk]))
    assert chooser.status_code == 200 and "Scénarios à comparer" in chooser.content.decode()
    response = _compare(client, world, first.pk, second.pk)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Crèche de 20 places" in text and "Micro-crèche" in text and "fictif" in text
    for label in (
        "Places créées",
        "Places fermées",
        "Avant le scénario",
        "Après le scénario (simulé)",
        "Financement de la CAF en 2025",
        "Financement de la CAF sur la période",
        "Reste à charge de la collectivité sur la période",
    ):
        assert label in text, label
    # The micro-crèche opens in 2026: 12 × 3 600 € a year over 2026-2028.
    assert "129\u202f600" in text  # 3 × 43 200 €
    assert "288\u202f000" in text  # 4 × 72 000 €
    exported = client.get(
        reverse("offer:scenario_compare_csv", args=[world.ctg.pk]),
        {"comparer": [first.pk, second.pk]},
    )
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][1] == "Crèche de 20 places" and rows[0][3] == "Micro-crèche (fictif)"
    total = next(r for r in rows if r[0] == "Financement de la CAF sur la période")
    assert total[1] == "288000,00" and total[3] == "129600,00"
    workbook = client.get(
        reverse("offer:scenario_compare_xlsx", args=[world.ctg.pk]),
        {"comparer": [first.pk, second.pk]},
    )
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    values = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True)}
    assert values["Financement de la CAF sur la période"][0] == 288000


def test_a_partial_funding_is_said_in_the_comparison(client, world):
    first = _scenario(world, bonus_tranche="1")
    second = _scenario(world, "Crèche intermédiaire", bonus_tranche="2")
    client.force_login(world.users["lecture"])
    text = _compare(client, world, first.pk, second.pk).content.decode()
    assert "Montants non calculés" in text and "Crèche intermédiaire : Paramètre sans valeur" in text
    assert "non calculé" in text


def test_bad_comparisons_are_refused(client, world):
    mine = [_scenario(world, f"Scénario {i}", bonus_tranche="1") for i in range(5)]
    theirs = _scenario(world, "Scénario voisin", ctg=world.other_ctg)
    client.force_login(world.users["pilote_caf"])
    before = snapshot()
    one = _compare(client, world, mine[0].pk)
    assert one.status_code == 400 and "au moins 2" in one.content.decode()
    five = _compare(client, world, *[s.pk for s in mine])
    assert five.status_code == 400 and "au plus 4" in five.content.decode()
    assert _compare(client, world, mine[0].pk, theirs.pk).status_code == 404
    assert _compare(client, world, mine[0].pk, "abc").status_code == 404
    assert _compare(client, world, mine[0].pk, 999999).status_code == 404
    export = reverse("offer:scenario_compare_csv", args=[world.ctg.pk])
    assert client.get(export, {"comparer": [mine[0].pk, theirs.pk]}).status_code == 404
    assert client.get(export, {"comparer": [mine[0].pk]}).status_code == 302
    assert snapshot() == before


def test_user_text_is_escaped_and_a_formula_is_text(client, world):
    first = _scenario(world, PAYLOAD, bonus_tranche="1")
    second = _scenario(world, FORMULA, bonus_tranche="1")
    line = first.lines.get()
    scenarios.line_update(line=line, actor=None, name=PAYLOAD)
    client.force_login(world.users["coordination"])
    pk = world.ctg.pk
    for url in (
        reverse("offer:scenario", args=[pk, first.pk]),
        reverse("offer:scenario_line_funding", args=[pk, first.pk, line.pk]),
        reverse("offer:scenario_compare", args=[pk]) + f"?comparer={first.pk}&comparer={second.pk}",
    ):
        text = client.get(url).content.decode()
        assert PAYLOAD not in text and "&lt;script&gt;" in text, url
    exported = client.get(
        reverse("offer:scenario_compare_csv", args=[pk]), {"comparer": [first.pk, second.pk]}
    ).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in exported
    assert "\n=HYPERLINK" not in exported and ";=HYPERLINK" not in exported


@pytest.mark.parametrize("role", ["referent_communal", "partenaire", "lecture"])
def test_readers_cannot_change_the_funding(client, world, role):
    scenario = _scenario(world)
    line = scenario.lines.get()
    client.force_login(world.users[role])
    before = snapshot()
    url = reverse("offer:scenario_line_funding", args=[world.ctg.pk, scenario.pk, line.pk])
    assert client.post(url, {"bonus_tranche": "1"}).status_code == 403
    assert snapshot() == before
