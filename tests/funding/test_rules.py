"""The funding rules, pure (no database): the issue's worked cases and their boundaries."""

from decimal import Decimal

import pytest

from ctg.funding import rules
from ctg.funding.parameters import CAF_ORIGIN, PUBLIC_ORIGIN, Effective, public_parameters


def run(kind, year=2026, table=None, **inputs):
    return rules.compute(kind, inputs, table or public_parameters(year), year=year)


def test_new_places_tranche_1_in_2024():
    result = run("eaje_new_places", 2024, places=20, tranche="1")
    assert result.amount == Decimal("72000.00")
    assert result.problem is None
    assert "20 places × 3\u00a0600\u00a0€" in result.rule
    [parameter] = result.parameters_as_dicts()
    assert parameter["key"] == "eaje_new_place_tranche_1"
    assert parameter["value"] == Decimal(3600)
    assert parameter["origin"].startswith(PUBLIC_ORIGIN) and "Saône-et-Loire" in parameter["origin"]


def test_new_places_richest_tranche_and_the_2020_scale():
    assert run("eaje_new_places", 2024, places=10, tranche="3").amount == Decimal(26000)
    assert run("eaje_new_places", 2020, places=10, tranche="1").amount == Decimal(31000)
    assert run("eaje_new_places", 2020, places=10, tranche="3").amount == Decimal(21000)


def test_the_middle_tranche_is_asked_from_the_caf_not_guessed():
    result = run("eaje_new_places", 2024, places=10, tranche="2")
    assert result.amount is None
    assert "tranche 2" in result.problem and "La CAF doit le renseigner" in result.problem
    table = public_parameters(2024) | {
        "eaje_new_place_tranche_2": Effective(
            "eaje_new_place_tranche_2", Decimal(3000), CAF_ORIGIN, "CAF du Tarn"
        )
    }
    assert run("eaje_new_places", 2024, table=table, places=10, tranche="2").amount == Decimal(30000)


@pytest.mark.parametrize("tranche", ["4", "0", "", "un"])
def test_unknown_tranche(tranche):
    result = run("eaje_new_places", places=10, tranche=tranche)
    assert result.amount is None and "Tranche inconnue" in result.problem


def test_trajectoire_worked_case():
    result = run("eaje_trajectoire", places_2023=100, places_2027=109)
    assert result.amount == Decimal("21800.00")  # +9 % → 200 € × 109
    assert "palier 2" in result.rule


@pytest.mark.parametrize(
    ("after", "expected"),
    [(103, 0), (104, 100 * 104), (107, 100 * 107), (108, 200 * 108), (111, 200 * 111), (112, 300 * 112)],
)
def test_trajectoire_boundaries(after, expected):
    assert run("eaje_trajectoire", places_2023=100, places_2027=after).amount == Decimal(expected)


def test_trajectoire_before_november_2025_has_no_public_value():
    result = run("eaje_trajectoire", 2024, places_2023=100, places_2027=120)
    assert result.amount is None and "2024" in result.problem


def test_mixite_worked_case():
    result = run("eaje_mixite", places=30, participation_horaire=0.90)
    assert result.amount == Decimal("24000.00")


@pytest.mark.parametrize(
    ("participation", "per_place"),
    [(0, 2100), ("0.75", 2100), ("0.76", 800), ("1", 800), ("1.01", 300), ("1.25", 300), ("1.26", 0)],
)
def test_mixite_boundaries(participation, per_place):
    assert run("eaje_mixite", places=10, participation_horaire=participation).amount == Decimal(
        per_place * 10
    )


def test_mixite_reads_a_french_decimal_comma():
    assert run("eaje_mixite", places=30, participation_horaire="0,90").amount == Decimal(24000)


@pytest.mark.parametrize(
    ("share", "per_place"),
    [(0, 0), (3, 1500), ("4.99", 1500), (5, 3000), ("7.5", 3000), (8, 4500)],
)
def test_handicap_bands(share, per_place):
    # 15 / 30 / 45 % of a cost of 10,000 € per place, capped at 1,300 € per place.
    result = run("eaje_handicap", places=10, share_percent=share, cost_per_place=10000)
    assert result.amount == Decimal(min(per_place, 1300) * 10)


def test_handicap_under_the_cap():
    result = run("eaje_handicap", places=10, share_percent=2, cost_per_place=6000)
    assert result.amount == Decimal(900 * 10)
    assert "plafonné" not in result.rule


def test_ctre_2025():
    assert run("ctre", 2025, places=5).amount == Decimal(14000)
    assert run("ctre", 2026, places=5).problem  # no public value after 2025: the CAF gives it


def test_alsh_worked_case():
    result = run("alsh_new_hours", contracted_hours=100000, requested_hours=40000)
    assert result.eligible_hours == 25000 and result.amount is None
    assert run("alsh_new_hours", contracted_hours=100000, requested_hours=10000).eligible_hours == 10000


def test_coordination_post_needs_the_cafs_rate_and_ceiling():
    assert "taux de financement" in run("coordination_post", fte=1, cost=50000).problem
    table = public_parameters(2026) | {
        "coordination_rate": Effective("coordination_rate", Decimal(50), CAF_ORIGIN, "CAF"),
        "coordination_ceiling": Effective("coordination_ceiling", Decimal(20000), CAF_ORIGIN, "CAF"),
    }
    assert run("coordination_post", table=table, fte=1, cost=50000).amount == Decimal(20000)
    assert run("coordination_post", table=table, fte=1, cost=30000).amount == Decimal(15000)


def test_existing_places_need_the_floor_and_the_revaluation():
    assert "plancher" in run("eaje_existing_places", 2026, places=10, former_cej_amount=30000).problem
    table = public_parameters(2026) | {
        "eaje_existing_floor": Effective("eaje_existing_floor", Decimal(2000), CAF_ORIGIN, "CAF"),
        "eaje_existing_revaluation": Effective("eaje_existing_revaluation", Decimal(2), CAF_ORIGIN, "CAF"),
    }
    # 30,000 € / 10 places = 3,000 € per place, revalued by 2 % in 2026.
    assert run("eaje_existing_places", 2026, table, places=10, former_cej_amount=30000).amount == Decimal(
        30600
    )
    # Under the floor: 1,000 € per place raised to 2,000 €.
    assert run("eaje_existing_places", 2026, table, places=10, former_cej_amount=10000).amount == Decimal(
        20400
    )


def test_remaining_cost_default_and_given():
    result = run("remaining_cost", places=10)
    assert result.amount == Decimal(160000)
    assert result.parameters_as_dicts()[0]["key"] == "eaje_cost_per_place"
    assert run("remaining_cost", places=10, cost_per_place=12000, other_funding=50000).amount == Decimal(
        70000
    )


@pytest.mark.parametrize(
    ("kind", "inputs", "words"),
    [
        ("eaje_new_places", {"places": -3, "tranche": "1"}, "négatif"),
        ("eaje_new_places", {"places": "vingt", "tranche": "1"}, "un nombre est attendu"),
        ("eaje_new_places", {"places": 2.5, "tranche": "1"}, "entier"),
        ("eaje_new_places", {"tranche": "1"}, "manquant"),
        ("eaje_new_places", {"places": True, "tranche": "1"}, "un nombre est attendu"),
        ("eaje_mixite", {"places": 10, "participation_horaire": -0.5}, "négatif"),
        ("alsh_new_hours", {"contracted_hours": 1000, "requested_hours": -1}, "négatif"),
        ("eaje_handicap", {"places": 10, "share_percent": 120, "cost_per_place": 1}, "dépasser 100"),
        ("eaje_trajectoire", {"places_2023": 0, "places_2027": 10}, "supérieur"),
        ("nothing", {}, "Type de ligne inconnu"),
        ("eaje_new_places", {"places": 10**30, "tranche": "1"}, "dépasser"),
        ("remaining_cost", {"places": 1, "cost_per_place": "1e40"}, "dépasser"),
        ("remaining_cost", {"places": "-1e400"}, "négatif"),
    ],
)
def test_a_line_that_cannot_be_computed_says_why(kind, inputs, words):
    result = run(kind, **inputs)
    assert result.amount is None and result.eligible_hours is None
    assert words in result.problem
