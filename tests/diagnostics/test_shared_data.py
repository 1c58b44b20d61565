"""The real files of ../shared/data (Tarn and France), against figures computed by hand from the raw files."""

import csv
import time
from collections import defaultdict

import pytest
from django.db import transaction

from ctg.diagnostics.importers import import_dataset
from ctg.diagnostics.reader import read_dataset
from ctg.territories.importer import import_territories

from .conftest import SHARED_DATA

TARN = SHARED_DATA / "example-81-tarn"
COG = SHARED_DATA / "cog-decoupage-administratif"
AGE_BANDS = [
    "P22_POP0014",
    "P22_POP1529",
    "P22_POP3044",
    "P22_POP4559",
    "P22_POP6074",
    "P22_POP7589",
    "P22_POP90P",
]

pytestmark = [pytest.mark.shared_data, pytest.mark.django_db]


@pytest.fixture(scope="module")
def france(django_db_setup, django_db_blocker):
    """The whole COG 2026, loaded once for the module and rolled back after it."""
    if not (COG / "communes.json").is_file() or not TARN.is_dir():
        pytest.skip(f"Données partagées absentes : {SHARED_DATA}")
    with django_db_blocker.unblock(), transaction.atomic():
        import_territories(COG, progress=False)
        yield
        transaction.set_rollback(True)


def raw_rows(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_tarn_filosofi(france, stats_dir):
    record = import_dataset(TARN / "cc_filosofi_2021_COM_81.csv")

    assert (record.year, record.rows_read, record.communes_matched, record.codes_mapped) == (
        2021,
        314,
        314,
        0,
    )
    assert record.unknown_codes == []
    rows = {row["code"]: row for row in read_dataset("filosofi_com", 2021)}
    albi = rows["81004"]
    assert (albi["MED21"], albi["TP6021"], albi["TP6021_secret"]) == (21650, 20.0, False)
    # A small commune: its median is published, its poverty rate is a secret, not a zero.
    raw = {row["CODGEO"]: row for row in raw_rows(TARN / "cc_filosofi_2021_COM_81.csv")}
    assert (raw["81001"]["MED21"], raw["81001"]["TP6021"]) == ("25020", "s")
    small = rows["81001"]
    assert (small["MED21"], small["MED21_secret"], small["TP6021"], small["TP6021_secret"]) == (
        25020,
        False,
        None,
        True,
    )
    published = [code for code, row in raw.items() if row["TP6021"] != "s"]
    assert len(published) == 33
    assert sorted(code for code, row in rows.items() if row["TP6021"] is not None) == sorted(published)
    assert all(row["TP6021_secret"] for code, row in rows.items() if code not in published)


def test_tarn_census(france, stats_dir):
    record = import_dataset(TARN / "dossier_complet_light_81.csv")

    assert (record.kind, record.year, record.communes_matched) == ("rp_dossier_complet", 2022, 314)
    rows = read_dataset("rp_dossier_complet", 2022)
    assert len(rows) == 314
    population = sum(row[band] for row in rows for band in AGE_BANDS)
    assert population == pytest.approx(396168, abs=0.01)
    assert round(sum(row["C22_FAMMONO"] for row in rows)) == 17629


def test_tarn_caf(france, stats_dir):
    record = import_dataset(TARN / "inseecaf2021_81.csv")

    assert (record.year, record.rows_read, record.communes_matched) == (2021, 81, 10)
    albi_iris = [
        row for row in raw_rows(TARN / "inseecaf2021_81.csv") if row["iris_code"].startswith("81004")
    ]
    assert all(row["note"] == "0" and row["a"] for row in albi_iris)
    expected = sum(int(row["a"]) for row in albi_iris)
    albi = read_dataset("caf_iris", 2021, codes=["81004"])[0]
    assert albi["a"] == expected > 0
    assert (albi["a_secret"], albi["source_rows"]) == (False, len(albi_iris))


def test_france_filosofi_under_a_minute(france, stats_dir):
    started = time.monotonic()
    record = import_dataset(SHARED_DATA / "insee-filosofi-2021" / "cc_filosofi_2021_COM.csv")
    elapsed = time.monotonic() - started
    print(f"\nImport FiLoSoFi France entière : {elapsed:.1f} s")

    assert elapsed < 60
    # COG 2024 file: 68 codes of communes merged since; the 45 arrondissements of Paris, Lyon and Marseille.
    assert (record.rows_read, record.codes_mapped, record.arrondissements) == (34909, 68, 45)
    assert record.unknown_codes == []
    rows = read_dataset("filosofi_com", 2021)
    merged = [row for row in rows if row["source_rows"] > 1]
    assert merged and all(row["MED21"] is None and not row["MED21_secret"] for row in merged)
    # Households of merged communes add up, unless one of them is secret (s) or not available (nd).
    raw = {
        row["CODGEO"]: row
        for row in raw_rows(SHARED_DATA / "insee-filosofi-2021" / "cc_filosofi_2021_COM.csv")
    }
    for row in merged:
        parts = [raw[code]["NBMENFISC21"] for code in row["source_codes"].split()]
        if "s" in parts:
            assert (row["NBMENFISC21"], row["NBMENFISC21_secret"]) == (None, True)
        elif "nd" in parts:
            assert (row["NBMENFISC21"], row["NBMENFISC21_secret"]) == (None, False)
        else:
            assert row["NBMENFISC21"] == sum(float(part) for part in parts)


def test_france_caf_under_a_minute(france, stats_dir):
    started = time.monotonic()
    record = import_dataset(SHARED_DATA / "insee-caf-iris-2021" / "inseecaf2021.csv")
    elapsed = time.monotonic() - started
    print(f"\nImport CAF IRIS France entière : {elapsed:.1f} s")

    assert elapsed < 60
    assert (record.rows_read, record.arrondissements, record.unknown_codes) == (16213, 45, [])
    # Where no IRIS is secret, the commune's figure is the sum of its IRIS.
    raw = raw_rows(SHARED_DATA / "insee-caf-iris-2021" / "inseecaf2021.csv")
    by_commune = defaultdict(list)
    for row in raw:
        by_commune[row["iris_code"][:5]].append(row)
    rows = read_dataset("caf_iris", 2021)
    published = [row for row in rows if not row["a_secret"]]
    assert len(published) > 1000
    for row in published:
        iris = [iris for code in row["source_codes"].split() for iris in by_commune[code]]
        assert row["a"] == sum(int(iris["a"]) for iris in iris)
    assert all(row["a"] is None for row in rows if row["a_secret"])
