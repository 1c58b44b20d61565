"""Scenarios of the offer of services: the before/after computation on the real Tarn files (a 12-place
micro-crèche raises the places and takes its commune out of the white zones of its type), and the command
`ctg offer_scenario` (what-if without saving)."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from ctg.offer import needs, scenarios
from ctg.offer.models import Scenario, Structure
from ctg.territories.models import Commune

from . import test_needs
from .test_needs import _create

# The fixtures of the real Tarn (COG, statistics, France Services of ../shared/data).
tarn_source = test_needs.tarn_source
tarn = test_needs.tarn

pytestmark = [pytest.mark.shared_data]
ALBI = "81004"


def _pair(level, field, label):
    row = next(f for f in level.fields if f.field == field)
    return next(p for p in row.pairs if p.label == label)


def test_a_micro_creche_raises_the_places_and_removes_its_commune_from_the_white_zones(tarn):
    _create("eaje_creche", ALBI, capacity=40, latitude=43.9289, longitude=2.1464)
    epci = Commune.objects.get(code=ALBI).epci_id
    before_count = Structure.objects.count()
    comparison = scenarios.simulate(epci, type="eaje_micro_creche", places=12, commune=ALBI, year=2026)
    assert Structure.objects.count() == before_count  # nothing written
    assert [level.kind for level in comparison.levels] == ["commune", "territoire"]
    for level in comparison.levels:
        places = _pair(level, "petite_enfance", "Places")
        assert (places.before.value, places.after.value) == (40, 52)
        assert places.after.simulated and not places.before.simulated
        assert "simulé" in places.after.caveat and places.after.status == places.before.status
        assert "scénario" in places.after.source
        structures = _pair(level, "petite_enfance", "Structures ouvertes")
        assert structures.after.value == structures.before.value + 1
        # Only the fields the scenario touches are compared.
        assert [f.field for f in level.fields] == ["petite_enfance"]
        zone = next(z for z in level.zones if z.type == "eaje_micro_creche")
        assert ALBI in {c["code"] for c in zone.before.communes}
        assert ALBI not in {c["code"] for c in zone.after.communes}
        assert ALBI in {c["code"] for c in zone.removed}
    territory_zone = comparison.main.zones[0]
    # Neighbours within the distance of Albi's centroid are served too.
    points, _source = needs.centroids(comparison.territory.communes)
    near = {
        code
        for code, point in points.items()
        if needs.haversine_km(*point, *points[ALBI]) <= needs.default_distance_km()
    }
    assert len(near) > 1 and near <= {c["code"] for c in territory_zone.removed}
    assert comparison.headline.label == "Places" and comparison.headline_field == "petite_enfance"


def test_the_existing_results_are_unchanged_without_a_scenario(tarn):
    _create("mam", ALBI, capacity=8, latitude=43.9289, longitude=2.1464)
    plain = [row.as_json() for row in needs.needs_versus_offer(tarn)]
    again = [row.as_json() for row in needs.needs_versus_offer(tarn, (), ())]
    assert plain == again
    assert not any("simulated" in f for row in plain for f in row["offer"])


def test_a_closure_removes_the_structure_from_the_offer(tarn):
    structure = _create("eaje_creche", ALBI, capacity=40, latitude=43.9289, longitude=2.1464)
    territory = scenarios.resolve_territory(ALBI)
    line = scenarios.ScenarioLine(kind="fermeture", structure=structure, year=2027, type="eaje_creche")
    comparison = scenarios.compare(territory, [line])
    places = _pair(comparison.main, "petite_enfance", "Places")
    assert (places.before.value, places.after.value) == (40, 0)
    zone = comparison.main.zones[0]
    assert ALBI not in {c["code"] for c in zone.before.communes}
    assert ALBI in {c["code"] for c in zone.after.communes}


def test_the_command_prints_before_and_after(tarn, capsys):
    count = Scenario.objects.count(), Structure.objects.count()
    call_command(
        "offer_scenario",
        "81",
        "--type",
        "eaje_micro_creche",
        "--places",
        "12",
        "--commune",
        ALBI,
        "--year",
        "2026",
        "--json",
    )
    document = json.loads(capsys.readouterr().out)
    assert document["territory"]["code"] == "81"
    level = document["levels"][-1]
    places = next(p for p in level["fields"][0]["offer"] if p["label"] == "Places")
    assert places["after"]["value"] == places["before"]["value"] + 12
    assert places["after"]["simulated"] is True
    assert ALBI in level["white_zones"][0]["no_longer_white"]
    call_command(
        "offer_scenario",
        "81",
        "--type",
        "micro_creche",
        "--places",
        "12",
        "--commune",
        ALBI,
        "--year",
        "2026",
    )
    text = capsys.readouterr().out
    assert "avant" in text and "après" in text and "simulé" in text
    assert (Scenario.objects.count(), Structure.objects.count()) == count


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--commune", "75056"], "ne fait pas partie"),
        (["--type", "crèche_inconnue"], "Type de structure inconnu"),
        (["--places", "-3"], "compris entre 1"),
        (["--places", "100000"], "compris entre 1"),
        (["--places", "20"], "au plus 12"),
        (["--year", "1990"], "comprise entre"),
    ],
)
def test_the_command_refuses_bad_input(tarn, args, message):
    base = {"--type": "eaje_micro_creche", "--places": "12", "--commune": ALBI, "--year": "2026"}
    values = dict(base)
    values.update(dict(zip(args[::2], args[1::2], strict=True)))
    argv = [item for pair in values.items() for item in pair]
    with pytest.raises(CommandError, match=message):
        call_command("offer_scenario", "81", *argv)


def test_clean_line_refuses_a_commune_outside(tarn):
    with pytest.raises(ValidationError):
        scenarios.clean_line({"type": "mam", "commune": "75056", "year": 2026}, tarn)
