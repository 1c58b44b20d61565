"""Territories compared (ctg.diagnostics.comparable): the distance, and both computations on the real Tarn
files of ../shared/data (the EPCI of the Tarn and those that reach into it)."""

import math

import pytest

from ctg.diagnostics import comparable
from ctg.diagnostics.comparable import FEATURE_BY_ID, FEATURES, distance
from ctg.diagnostics.engine import OK
from ctg.diagnostics.importers import import_dataset
from ctg.territories.importer import import_territories
from tests.diagnostics.test_portrait_tarn import TARN, tarn_source  # noqa: F401 (a fixture)

ALBIGEOIS = "248100737"
CASTRES_MAZAMET = "248100430"
GAILLAC_GRAULHET = "200066124"
QUERCY_ROUERGUE = "248200107"  # one commune in the Tarn, the others in Tarn-et-Garonne (no census here)


# --- the distance, pure ---------------------------------------------------------------------------------


def test_identical_profiles_are_at_distance_zero():
    vector = {f.id: 0.5 for f in FEATURES}
    assert distance(vector, dict(vector)) == (0.0, comparable.TOTAL_WEIGHT)


def test_the_distance_is_the_weighted_root_mean_square_of_the_gaps():
    a = {"population": 0.0, "part_15_29_ans": 0.0}
    b = {"population": 2.0, "part_15_29_ans": 0.0}
    w_pop, w_young = FEATURE_BY_ID["population"].weight, FEATURE_BY_ID["part_15_29_ans"].weight
    d, shared = distance(a, b)
    assert shared == w_pop + w_young
    assert d == pytest.approx(math.sqrt(w_pop * 4 / (w_pop + w_young)))


def test_a_missing_feature_is_left_out_never_taken_as_zero():
    full = {"population": 1.0, "densite": 1.0, "revenu_median_communes": 3.0}
    without_income = {"population": 1.0, "densite": 1.0}
    d, shared = distance(full, without_income)
    # Compared on population and density only (the income gap of 3 does not count), renormalised.
    assert d == 0.0
    assert shared == FEATURE_BY_ID["population"].weight + FEATURE_BY_ID["densite"].weight
    assert distance({"population": 1.0}, {"densite": 1.0}) == (None, 0.0)


def test_the_weights_are_documented(settings):
    from pathlib import Path

    doc = (Path(settings.BASE_DIR) / "docs" / "comparable_territories.md").read_text(encoding="utf-8")
    for feature in FEATURES:
        assert f"`{feature.id}`" in doc
        weight = f"{feature.weight:g}".replace(".", ",")
        rows = [line for line in doc.splitlines() if line.startswith(f"| `{feature.id}`")]
        assert rows and rows[0].endswith(f"| {weight} |")


# --- real files -----------------------------------------------------------------------------------------

pytestmark_shared = pytest.mark.shared_data


@pytest.fixture
def tarn(db, settings, tmp_path, tarn_source):  # noqa: F811 (the fixture imported above)
    settings.DATA_DIR = tmp_path
    comparable.reset()
    import_territories(source=tarn_source)
    for name in ("dossier_complet_light_81.csv", "cc_filosofi_2021_COM_81.csv", "inseecaf2021_81.csv"):
        import_dataset(TARN / name)
    yield
    comparable.reset()


@pytestmark_shared
def test_the_nearest_territories_of_the_albigeois_are_sensible(tarn):
    found = comparable.nearest(ALBIGEOIS)
    sirens = [n.siren for n in found.neighbours]
    assert ALBIGEOIS not in sirens  # itself excluded
    assert len(sirens) == 10 and len(set(sirens)) == 10
    distances = [n.distance for n in found.neighbours]
    assert distances == sorted(distances) and distances[0] > 0
    # The two other agglomérations of the Tarn are its nearest neighbours, before the rural communautés.
    assert set(sirens[:3]) >= {CASTRES_MAZAMET, GAILLAC_GRAULHET}
    assert found.missing == []  # every feature is known for the Albigeois
    own = found.measures[ALBIGEOIS]
    assert own["population"].value > 80_000 and own["densite"].value > 300
    assert own["part_moins_15_ans"].status == OK


@pytestmark_shared
def test_an_epci_without_census_figures_is_compared_on_what_it_has_and_says_what_is_missing(tarn):
    found = comparable.nearest(QUERCY_ROUERGUE)
    missing = {feature.id for feature, _measure in found.missing}
    # The census file holds the Tarn only: one commune of 34 inhabitants out of the whole EPCI.
    assert {"part_moins_15_ans", "part_60_ans_et_plus", "part_familles_monoparentales"} <= missing
    assert all(measure.value is None and measure.note for _feature, measure in found.missing)
    assert "population" not in missing
    assert found.neighbours  # still ranked, on population, density and income
    for neighbour in found.neighbours:
        assert set(neighbour.shared) <= {"population", "densite", "revenu_median_communes"}


@pytestmark_shared
def test_the_comparison_of_the_tarn_keeps_the_engine_statuses(tarn):
    data = comparable.departement_comparison("81")
    sirens = {row.code for row in data.rows}
    assert {ALBIGEOIS, CASTRES_MAZAMET, GAILLAC_GRAULHET, QUERCY_ROUERGUE} <= sirens
    assert [ind.id for ind in data.indicators] == list(comparable.KEY_INDICATORS)
    albigeois = next(row for row in data.rows if row.code == ALBIGEOIS)
    # A median does not aggregate over the communes of an EPCI: no figure, a status that says why.
    median = albigeois.cells["revenu_median_uc"]
    assert median.value is None and median.status != OK and median.note
    assert albigeois.cells["population"].value > 80_000
    # The CAF file covers the IRIS-split communes only: the EPCI's count is partial, and says so.
    allocataires = albigeois.cells["allocataires"]
    assert allocataires.status == "partiel" and "partiel" in allocataires.note
    departement, france = data.references
    assert departement.cells["population"].status == OK
    # France is not a reference here: the census file holds one département.
    assert france.cells["population"].value is None and france.cells["population"].note
    ordered = [row.cells["population"].value for row in data.sorted_rows("population", "desc")]
    known = [v for v in ordered if v is not None]
    assert known == sorted(known, reverse=True) and ordered[: len(known)] == known
    with pytest.raises(ValueError):
        data.sorted_rows("junk", "asc")


@pytestmark_shared
def test_the_features_are_computed_again_when_the_store_changes(tarn):
    before = comparable.feature_table()
    assert comparable.feature_table() is before
    import_dataset(TARN / "cc_filosofi_2021_COM_81.csv")  # the vintage's file is replaced
    assert comparable.feature_table() is not before


def test_the_standardisation_is_robust_and_logarithmic_for_sizes():
    from ctg.diagnostics.comparable import FeatureTable, Measure

    populations = {"a": 1_000, "b": 10_000, "c": 100_000, "d": 10_000_000}
    young = {"a": 14.0, "b": 15.0, "c": 17.0}
    measures = {
        siren: {
            "population": Measure(float(p)),
            "part_15_29_ans": Measure(12.0),  # no spread: left out
            "part_moins_15_ans": Measure(None, "secret", "secret statistique")
            if siren == "d"
            else Measure(young[siren]),
        }
        for siren, p in populations.items()
    }
    table = FeatureTable((), dict.fromkeys(populations, ""), {}, measures, {})
    comparable._standardise(table)
    center, scale = table.centers["population"]
    assert center == pytest.approx(4.5)  # median of log10: 3, 4, 5, 7
    assert scale == pytest.approx(1.4826 * 1.0)  # MAD of |−1.5|, |−0.5|, |0.5|, |2.5| = 1
    assert table.vectors["b"]["population"] == pytest.approx(-0.5 / 1.4826)
    assert "part_15_29_ans" not in table.centers
    assert "part_moins_15_ans" not in table.vectors["d"]  # a secret figure is missing, never 0
    assert table.centers["part_moins_15_ans"][0] == 15.0  # the median of the three known values only
