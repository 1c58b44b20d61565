"""The aggregation rules of the catalogue, on sums built by hand (no database)."""

import pytest

from ctg.diagnostics.catalogue import BY_ID, INDICATORS, Kind
from ctg.diagnostics.engine import (
    NOT_AGGREGATABLE_NOTE,
    Resolved,
    Sums,
    resolve,
    sums_from_rows,
    values_from_sums,
)


def sums(**overrides):
    values = {
        "numerator": 50.0,
        "denominator": 200.0,
        "covered_population": 1000.0,
        "total_population": 1000.0,
        "communes_with_data": 3,
        "communes": 3,
        "any_secret": False,
    }
    values.update(overrides)
    return Sums(**values)


def test_a_rate_comes_from_summed_numerator_and_denominator():
    value = values_from_sums(BY_ID["part_moins_15_ans"], sums(), 2022)
    assert (value.value, value.status, value.coverage, value.year) == (25.0, "ok", 1.0, 2022)


def test_missing_communes_make_a_partial_value_with_the_population_covered():
    value = values_from_sums(
        BY_ID["allocataires"], sums(communes_with_data=2, covered_population=750.0, any_secret=True), 2021
    )
    assert (value.value, value.status, value.coverage) == (50.0, "partiel", 0.75)
    assert value.caveat == (
        "partiel : 2 communes sur 3, 75\u00a0% de la population ; 1 commune soumise au secret statistique"
    )


def test_secret_everywhere_is_secret_and_never_zero():
    value = values_from_sums(
        BY_ID["allocataires_rsa"],
        sums(
            numerator=None, denominator=None, covered_population=None, communes_with_data=0, any_secret=True
        ),
        2021,
    )
    assert (value.value, value.status) == (None, "secret")


def test_no_data_at_all_is_non_disponible():
    value = values_from_sums(
        BY_ID["allocataires"],
        sums(numerator=None, covered_population=None, communes_with_data=0, any_secret=False),
        2021,
    )
    assert (value.value, value.status) == (None, "non_disponible")


def test_medians_never_aggregate_over_several_communes():
    median = BY_ID["revenu_median_uc"]
    assert (
        values_from_sums(median, sums(numerator=21650.0, communes=1, communes_with_data=1), 2021).value
        == 21650
    )
    several = values_from_sums(median, sums(numerator=21650.0), 2021)
    assert (several.value, several.status, several.note) == (None, "non_disponible", NOT_AGGREGATABLE_NOTE)


def test_zero_denominator_gives_no_rate():
    value = values_from_sums(BY_ID["taux_chomage_15_24"], sums(numerator=0.0, denominator=0.0), 2022)
    assert (value.value, value.status) == (None, "non_disponible")


def test_evolution_is_a_mean_annual_rate_over_the_years_between_vintages():
    ind = BY_ID["evolution_annuelle_population"]
    value = values_from_sums(ind, sums(numerator=1100.0, denominator=1000.0, years=6), 2022)
    assert value.value == pytest.approx(((1100 / 1000) ** (1 / 6) - 1) * 100)


def test_column_resolution_uses_the_vintage_and_the_alternatives():
    available = {f"P22_POP{band}" for band in ("0014", "1529", "3044", "4559", "6074", "7589", "90P")}
    available |= {"P16_POP"}
    population = resolve(BY_ID["population"], available, 2022)
    assert population.numerator[0] == "P22_POP0014" and len(population.numerator) == 7
    assert resolve(BY_ID["population"], available | {"P22_POP"}, 2022).numerator == ("P22_POP",)
    evolution = resolve(BY_ID["evolution_annuelle_population"], available, 2022)
    assert (evolution.denominator, evolution.years) == (("P16_POP",), 6)
    # Without P16_POP, the most recent older vintage present is used.
    evolution = resolve(BY_ID["evolution_annuelle_population"], (available - {"P16_POP"}) | {"P11_POP"}, 2022)
    assert (evolution.denominator, evolution.years) == (("P11_POP",), 11)
    assert resolve(BY_ID["enfants_moins_3_ans"], available, 2022) is None


def test_python_sums_skip_communes_missing_any_cell():
    r = Resolved(BY_ID["part_familles_monoparentales"], ("C22_FAMMONO",), ("C22_FAMMONO", "C22_COUPAENF"))
    rows = [
        {"population": 100.0, "C22_FAMMONO": 10.0, "C22_COUPAENF": 30.0},
        {"population": 50.0, "C22_FAMMONO": None, "C22_FAMMONO_secret": True, "C22_COUPAENF": 5.0},
        {"population": 25.0, "C22_FAMMONO": 2.0, "C22_COUPAENF": 8.0},
    ]
    s = sums_from_rows(r, rows)
    assert (s.numerator, s.denominator, s.covered_population, s.total_population) == (
        12.0,
        50.0,
        125.0,
        175.0,
    )
    assert (s.communes_with_data, s.communes, s.any_secret) == (2, 3, True)


def test_catalogue_ids_are_unique_and_cover_the_contract():
    ids = [i.id for i in INDICATORS]
    assert len(ids) == len(set(ids))
    contract = {
        "population", "evolution_annuelle_population", "part_moins_15_ans", "part_15_29_ans",
        "part_60_ans_et_plus", "part_75_ans_et_plus", "enfants_moins_3_ans", "part_11_17_ans",
        "familles_avec_enfants", "part_familles_monoparentales", "menages_une_personne", "taux_chomage_15_64",
        "taux_chomage_15_24", "revenu_median_uc", "taux_pauvrete", "part_prestations_sociales_revenu",
        "allocataires", "personnes_couvertes_caf", "part_allocataires_monoparents", "allocataires_rsa",
        "part_allocataires_rsa", "allocataires_aah", "allocataires_aide_logement",
        "allocataires_prime_activite",
        "taux_couverture_accueil_jeune_enfant", "places_eaje",
    }  # fmt: skip
    assert contract <= set(ids)
    assert {i.id for i in INDICATORS if i.kind == Kind.NOT_AGGREGATABLE} >= {
        "revenu_median_uc",
        "taux_pauvrete",
        "part_prestations_sociales_revenu",
    }
