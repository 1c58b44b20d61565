"""The portrait on the real Tarn files of ../shared/data, checked against figures computed here from the raw
CSV files (never typed in)."""

import csv
import json
from pathlib import Path

import pytest

from ctg.diagnostics.importers import import_dataset
from ctg.diagnostics.portrait import build_portrait, portrait_as_json, resolve_territory
from ctg.territories.importer import import_territories

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
TARN = SHARED / "example-81-tarn"
COG = SHARED / "cog-decoupage-administratif"
BANDS = [
    "P22_POP0014",
    "P22_POP1529",
    "P22_POP3044",
    "P22_POP4559",
    "P22_POP6074",
    "P22_POP7589",
    "P22_POP90P",
]

pytestmark = [pytest.mark.shared_data]


def _rows(name, delimiter=";"):
    with open(TARN / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


@pytest.fixture(scope="module")
def tarn_source(tmp_path_factory):
    """The COG files cut down to the Tarn and the communes of the EPCI that reach into it."""
    if not TARN.exists():
        pytest.skip("../shared/data absent")
    epcis = json.loads((TARN / "epci_81.json").read_text(encoding="utf-8"))
    members = {m["code"] for e in epcis for m in e["membres"]}
    communes = [
        c
        for c in json.loads((COG / "communes.json").read_text(encoding="utf-8"))
        if c["departement"] == "81" or c["code"] in members or c.get("chefLieu") in members
    ]
    folder = tmp_path_factory.mktemp("cog-tarn")
    (folder / "communes.json").write_text(json.dumps(communes), encoding="utf-8")
    (folder / "epci.json").write_text(json.dumps(epcis), encoding="utf-8")
    for name in ("regions.json", "departements.json"):
        (folder / name).write_bytes((COG / name).read_bytes())
    return folder


@pytest.fixture
def tarn(db, settings, tmp_path, tarn_source):
    settings.DATA_DIR = tmp_path
    import_territories(source=tarn_source)
    for name in ("dossier_complet_light_81.csv", "cc_filosofi_2021_COM_81.csv", "inseecaf2021_81.csv"):
        import_dataset(TARN / name)
    rp = {row["CODGEO"]: row for row in _rows("dossier_complet_light_81.csv")}
    filo = {row["CODGEO"]: row for row in _rows("cc_filosofi_2021_COM_81.csv")}
    caf = _rows("inseecaf2021_81.csv")
    return rp, filo, caf


def _f(row, column):
    return float(row[column])


def test_albi_matches_the_raw_files(tarn):
    rp, filo, caf = tarn
    albi = rp["81004"]
    portrait = build_portrait(resolve_territory("81004"))
    population = sum(_f(albi, c) for c in BANDS)
    assert portrait.result("population").value.value == pytest.approx(population)
    assert portrait.result("part_75_ans_et_plus").value.value == pytest.approx(
        (_f(albi, "P22_POP7589") + _f(albi, "P22_POP90P")) / population * 100
    )
    assert portrait.result("evolution_annuelle_population").value.value == pytest.approx(
        ((population / _f(albi, "P16_POP")) ** (1 / 6) - 1) * 100
    )
    assert portrait.result("revenu_median_uc").value.value == float(filo["81004"]["MED21"]) == 21650
    assert (
        portrait.result("taux_pauvrete").value.value == float(filo["81004"]["TP6021"].replace(",", ".")) == 20
    )
    iris = [row for row in caf if row["iris_code"].startswith("81004")]
    assert iris and all(row["note"] == "0" and row["a"] for row in iris)
    allocataires = portrait.result("allocataires").value
    assert (allocataires.value, allocataires.status) == (sum(float(row["a"]) for row in iris), "ok")
    assert allocataires.value > 0
    # References: the whole Tarn has census data; medians never aggregate.
    tarn_population = sum(_f(row, c) for row in rp.values() for c in BANDS)
    part = portrait.result("part_75_ans_et_plus").references["departement"]
    tarn_75 = sum(_f(r, "P22_POP7589") + _f(r, "P22_POP90P") for r in rp.values())
    assert (part.code, part.value) == ("81", pytest.approx(tarn_75 / tarn_population * 100))
    assert "supérieure à celle du département" in portrait.result("part_75_ans_et_plus").comparison
    assert portrait.result("revenu_median_uc").references["departement"].value is None


def test_epci_counts_sum_rates_recompute_and_medians_do_not_aggregate(tarn):
    rp, _filo, caf = tarn
    territory = resolve_territory("248100737")
    portrait = build_portrait(territory)
    rows = [rp[c] for c in territory.communes]
    assert len(rows) == 16
    mono = sum(_f(r, "C22_FAMMONO") for r in rows)
    couples = sum(_f(r, "C22_COUPAENF") for r in rows)
    assert portrait.result("familles_avec_enfants").value.value == pytest.approx(mono + couples)
    assert portrait.result("part_familles_monoparentales").value.value == pytest.approx(
        mono / (mono + couples) * 100
    )
    chom = sum(_f(r, c) for r in rows for c in ("P22_CHOM1524", "P22_CHOM2554", "P22_CHOM5564"))
    act = sum(_f(r, c) for r in rows for c in ("P22_ACT1524", "P22_ACT2554", "P22_ACT5564"))
    assert portrait.result("taux_chomage_15_64").value.value == pytest.approx(chom / act * 100)
    median = portrait.result("revenu_median_uc").value
    assert (median.value, median.status) == (None, "non_disponible")
    # CAF data exist only for the IRIS-split communes: a partial value with the population it covers.
    allocataires = portrait.result("allocataires").value
    with_caf = {row["iris_code"][:5] for row in caf} & set(territory.communes)
    assert allocataires.status == "partiel" and allocataires.communes_with_data == len(with_caf)
    assert allocataires.value == sum(float(r["a"]) for r in caf if r["iris_code"][:5] in with_caf)
    assert 0 < allocataires.coverage < 1


def test_the_departement_is_the_sum_of_its_communes(tarn):
    rp, _filo, _caf = tarn
    portrait = build_portrait(resolve_territory("81"))
    assert len(portrait.territory.communes) == 314
    assert portrait.result("population").value.value == pytest.approx(
        sum(_f(r, c) for r in rp.values() for c in BANDS)
    )
    assert round(portrait.result("population").value.value) == 396168
    # The région and France are not fully loaded: their references are absent, with the reason.
    reference = portrait.result("part_moins_15_ans").references["region"]
    assert reference.value is None and reference.reason == (
        "Référence non calculée (région) : 37 communes absentes du fichier (leur département n'est pas dans "
        "le fichier importé)."
    )


def test_an_epci_across_departements_is_partial_with_the_population_covered(tarn):
    territory = resolve_territory("200034023")  # CC Tarn-Agout: one member in Haute-Garonne (31)
    assert territory.departements[0] == "81" and "31" in territory.departements
    population = build_portrait(territory).result("population").value
    assert population.status == "partiel" and population.communes_with_data == len(territory.communes) - 1
    assert 0.5 < population.coverage < 1


def test_a_secret_filosofi_cell_is_secret_not_zero(tarn):
    _rp, filo, _caf = tarn
    code = next(c for c, row in filo.items() if row["TP6021"] == "s" and row["MED21"] not in ("s", ""))
    result = build_portrait(resolve_territory(code)).result("taux_pauvrete")
    assert (result.value.value, result.value.status) == (None, "secret")


def test_json_contract(tarn):
    data = portrait_as_json(build_portrait(resolve_territory("81004")))
    assert set(data) == {"territory", "indicators"}
    assert set(data["territory"]) == {"code", "kind", "name", "population", "communes"}
    assert data["territory"]["kind"] == "commune" and data["territory"]["name"] == "Albi"
    item = next(i for i in data["indicators"] if i["id"] == "taux_pauvrete")
    assert set(item) == {
        "id",
        "label",
        "theme",
        "unit",
        "year",
        "value",
        "status",
        "source",
        "coverage",
        "caveat",
        "completeness",
        "references",
    }
    assert set(item["references"]) == {"departement", "region", "france"}
    assert (item["value"], item["year"], item["status"]) == (20.0, 2021, "ok")
    statuses = {"ok", "partiel", "secret", "absent", "non_disponible"}
    assert {i["status"] for i in data["indicators"]} <= statuses


def test_equipment_counts_come_from_the_bpe_columns_when_no_bpe_file_is_loaded(tarn):
    rp, _filo, _caf = tarn
    albi = rp["81004"]
    portrait = build_portrait(resolve_territory("81004"))
    pharmacies = portrait.result("equipements_D307")
    assert (pharmacies.value.value, pharmacies.value.year) == (float(albi["BPE_2024_D307"]), 2024)
    assert pharmacies.source.startswith("Insee, base permanente des équipements (BPE 2024)")
    population = sum(_f(albi, c) for c in BANDS)
    density = portrait.result("equipements_D307_pour_10000")
    assert density.value.value == pytest.approx(float(albi["BPE_2024_D307"]) / population * 10000)
    tarn_density = sum(_f(r, "BPE_2024_D307") for r in rp.values()) / sum(
        _f(r, c) for r in rp.values() for c in BANDS
    )
    assert density.references["departement"].value == pytest.approx(tarn_density * 10000)
    # No crèche count in this extract: not available, never zero.
    assert portrait.result("equipements_D502").value.status == "non_disponible"
