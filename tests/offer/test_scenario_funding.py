"""The funding side of the scenarios (issue 14, item 3), computed by the real `ctg.funding.simulate`: per line
and year of the CTG's period from the opening year, the bonus territoire and the other bonuses with their rule
and parameters, the CAF's total, the collectivité's remaining cost; what cannot be computed says why and is
never guessed; the inputs are written through `line_funding_set` only (history, bad input refused, nothing
changed)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ctg.core.history import labelled_changes
from ctg.core.models import HistoryEntry
from ctg.funding.services import parameter_set
from ctg.offer import scenario_funding, scenarios
from ctg.offer.models import ScenarioLine


def _scenario(w, *, type="eaje_creche", places=20, year=2025, **funding):
    scenario = scenarios.scenario_create(
        ctg=w.ctg,
        actor=None,
        name="Crèche de 20 places",
        lines=[{"type": type, "places": places, "commune": w.ctg.communes.first(), "year": year}],
    )
    line = scenario.lines.get()
    if funding:
        scenario_funding.line_funding_set(line=line, actor=None, values=funding)
    return scenario


def _lines():
    return list(ScenarioLine.objects.order_by("pk").values())


def test_twenty_places_of_tranche_1_give_72000_euros_a_year_and_the_remaining_cost(world):
    scenario = _scenario(world, bonus_tranche="1")
    funding = scenario_funding.scenario_funding(scenario)
    (line,) = funding.lines
    # The CTG runs 2025-2028; the crèche opens in 2025: four years.
    assert [y.year for y in line.years] == [2025, 2026, 2027, 2028]
    for year in line.years:
        (bonus,) = year.caf_items
        assert bonus.amount == Decimal("72000.00") and bonus.problem is None
        assert "tranche 1" in bonus.rule and "3\u00a0600" in bonus.rule
        (parameter,) = bonus.parameters
        assert parameter["key"] == "eaje_new_place_tranche_1" and parameter["value"] == Decimal("3600")
        assert parameter["origin"].startswith("valeur publique")
        assert year.caf == Decimal("72000.00") and year.caf_complete
        # 20 places × 16 000 € (the CAF's default cost, its source shown) − 72 000 €.
        assert year.remaining == Decimal("248000.00")
        assert "16\u00a0000" in year.remaining_item.rule
        assert year.remaining_item.parameters[0]["key"] == "eaje_cost_per_place"
    assert [(t.year, t.caf, t.remaining) for t in funding.totals] == [
        (y, Decimal("72000.00"), Decimal("248000.00")) for y in (2025, 2026, 2027, 2028)
    ]
    assert funding.total.caf == Decimal("288000.00") and funding.total.caf_complete
    assert funding.total.remaining == Decimal("992000.00") and funding.total.remaining_complete
    assert funding.problems == []


def test_the_other_bonuses_add_up(world):
    scenario = _scenario(
        world,
        places=30,
        bonus_tranche="3",
        participation_horaire="0,90",
        reserved_places="5",
        cost_per_place="15000",
    )
    funding = scenario_funding.scenario_funding(scenario)
    (line,) = funding.lines
    year = line.years[0]
    amounts = {i.kind: i.amount for i in year.caf_items}
    # 30 × 2 600 € (tranche 3), 30 × 800 € (participation 0.90 € per hour), 5 reserved places × 2 800 €.
    assert amounts == {
        "eaje_new_places": Decimal("78000.00"),
        "eaje_mixite": Decimal("24000.00"),
        "ctre": Decimal("14000.00"),
    }
    assert year.caf == Decimal("116000.00") and year.caf_complete
    assert year.remaining == Decimal("334000.00")  # 30 × 15 000 − 116 000
    assert "coût donné" in year.remaining_item.rule
    # The CTRE amount is public for 2025 only: later years say so, their totals are partial.
    later = line.years[1]
    ctre = next(i for i in later.items if i.kind == "ctre")
    assert ctre.amount is None and "2026" in ctre.problem
    assert later.caf == Decimal("102000.00") and not later.caf_complete and later.remaining is None
    assert funding.by_year()[2025].caf_complete and not funding.by_year()[2026].caf_complete


def test_a_later_opening_starts_later(world):
    scenario = _scenario(world, year=2027, bonus_tranche="1")
    funding = scenario_funding.scenario_funding(scenario)
    assert [y.year for y in funding.lines[0].years] == [2027, 2028]
    by_year = funding.by_year()
    assert not by_year[2025].any_caf and not by_year[2026].any_caf
    assert by_year[2027].caf == Decimal("72000.00")
    assert funding.total.caf == Decimal("144000.00")


def test_a_tranche_the_caf_has_not_filled_in_is_said_and_never_guessed(world):
    scenario = _scenario(world, bonus_tranche="2", participation_horaire="0.5")
    funding = scenario_funding.scenario_funding(scenario)
    year = funding.lines[0].years[0]
    bonus = next(i for i in year.items if i.kind == "eaje_new_places")
    assert bonus.amount is None and "tranche 2" in bonus.problem and "CAF" in bonus.problem
    mixite = next(i for i in year.items if i.kind == "eaje_mixite")
    assert mixite.amount == Decimal("42000.00")  # 20 × 2 100 €
    # The CAF's total keeps the computed amount only, marked partial; no remaining cost.
    assert year.caf == Decimal("42000.00") and not year.caf_complete
    assert year.remaining is None and "ne peut pas" in year.remaining_reason
    assert not funding.total.caf_complete and not funding.total.remaining_complete
    assert not funding.total.any_remaining
    assert any("tranche 2" in p for p in funding.problems)
    # Once the CAF has filled its tranche 2, its value and origin are used.
    parameter_set(caf=world.ctg.caf, year=2025, key="eaje_new_place_tranche_2", value="3100", actor=None)
    funding = scenario_funding.scenario_funding(scenario)
    first = funding.lines[0].years[0]
    bonus = next(i for i in first.items if i.kind == "eaje_new_places")
    assert bonus.amount == Decimal("62000.00") and "CAF" in bonus.parameters[0]["origin"]
    assert first.caf_complete and first.remaining == Decimal("320000.00") - Decimal("104000.00")
    # 2026 has no CAF value yet: still said, never carried over by guess.
    assert funding.lines[0].years[1].caf_items[0].problem


def test_a_missing_tranche_and_types_without_rules_say_why(world):
    scenario = _scenario(world)
    year = scenario_funding.scenario_funding(scenario).lines[0].years[0]
    assert year.caf_items[0].problem == scenario_funding.TRANCHE_MISSING
    mam = scenarios.line_add(
        scenario=scenario, actor=None, type="mam", places=8, commune=world.ctg.communes.first(), year=2025
    )
    late = scenarios.line_add(
        scenario=scenario,
        actor=None,
        type="eaje_micro_creche",
        places=10,
        commune=world.ctg.communes.first(),
        year=2030,
    )
    funding = scenario_funding.scenario_funding(scenario)
    by_line = {lf.line.pk: lf for lf in funding.lines}
    assert not by_line[mam.pk].years and "Aucune règle" in by_line[mam.pk].note
    assert not by_line[late.pk].years and "après la fin de la CTG" in by_line[late.pk].note


def test_an_accueil_de_loisirs_gives_its_eligible_hours(world):
    scenario = _scenario(world, type="alsh", places=60, contracted_hours="100000", requested_hours="40000")
    year = scenario_funding.scenario_funding(scenario).lines[0].years[0]
    (hours,) = year.items
    assert hours.eligible_hours == 25000 and hours.amount is None and "25" in hours.rule
    assert year.remaining is None and "accueil de loisirs" in year.remaining_reason


def test_the_inputs_are_recorded_in_the_history(world):
    actor = world.users["coordination"]
    scenario = _scenario(world)
    line = scenario.lines.get()
    changes = scenario_funding.line_funding_set(
        line=line, actor=actor, values={"bonus_tranche": "1", "cost_per_place": "15 500,50"}
    )
    assert set(changes) == {"bonus_tranche", "cost_per_place"}
    entry = HistoryEntry.objects.get(action="financement_scenario")
    assert entry.item_id == scenario.pk and entry.actor == actor and "Financement" in entry.summary
    labelled = labelled_changes(entry)
    assert (
        "tranche du bonus territoire" in labelled
        and "coût de fonctionnement par place et par an (€)" in labelled
    )
    line.refresh_from_db()
    assert line.bonus_tranche == "1" and line.cost_per_place == Decimal("15500.50")
    # The same values again: nothing written.
    assert scenario_funding.line_funding_set(line=line, actor=actor, values={"bonus_tranche": "1"}) == {}
    assert HistoryEntry.objects.filter(action="financement_scenario").count() == 1


BAD = [
    ("tranche inconnue", {"bonus_tranche": "7"}),
    ("participation négative", {"participation_horaire": "-0,5"}),
    ("participation non numérique", {"participation_horaire": "beaucoup"}),
    ("participation démesurée", {"participation_horaire": "500"}),
    ("part de handicap au-delà de 100", {"handicap_share": "150"}),
    ("places réservées négatives", {"reserved_places": "-2"}),
    ("plus de places réservées que de places", {"reserved_places": "21"}),
    ("coût négatif", {"cost_per_place": "-16000"}),
    ("coût non numérique", {"cost_per_place": "NaN"}),
    ("heures d'ALSH sur une crèche", {"contracted_hours": "1000"}),
]


@pytest.mark.parametrize(("label", "values"), BAD, ids=[label for label, _v in BAD])
def test_bad_input_is_refused_in_french_and_changes_nothing(world, label, values):
    scenario = _scenario(world, bonus_tranche="1")
    line = scenario.lines.get()
    before, history = _lines(), HistoryEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        scenario_funding.line_funding_set(line=line, actor=None, values=values)
    assert any(c in " ".join(refused.value.messages) for c in "éèàû« "), refused.value.messages
    assert _lines() == before and HistoryEntry.objects.count() == history


def test_a_line_without_funding_rules_refuses_inputs(world):
    scenario = _scenario(world, type="mam", places=8)
    line = scenario.lines.get()
    before = _lines()
    with pytest.raises(ValidationError, match="Aucune règle"):
        scenario_funding.line_funding_set(line=line, actor=None, values={"bonus_tranche": "1"})
    alsh = _scenario(world, type="alsh", places=40)
    with pytest.raises(ValidationError, match="ne s'applique pas"):
        scenario_funding.line_funding_set(line=alsh.lines.get(), actor=None, values={"bonus_tranche": "1"})
    assert _lines()[: len(before)] == before
