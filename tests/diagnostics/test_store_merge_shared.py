"""Acceptance of the merging store on the real files of ../shared/data (issue 11, item 1): the Tarn extract,
then the Haute-Vienne cut from France-wide files, then the Tarn again — both portraits keep every figure."""

import csv
import io

import pytest
from django.core.management import call_command
from django.db import transaction

from ctg.diagnostics import engine, reader
from ctg.diagnostics.catalogue import INDICATORS, Kind
from ctg.diagnostics.models import DatasetImport
from ctg.territories.importer import import_territories
from ctg.territories.models import Commune

from .conftest import SHARED_DATA

TARN = SHARED_DATA / "example-81-tarn"
COG = SHARED_DATA / "cog-decoupage-administratif"
FILOSOFI_FRANCE = SHARED_DATA / "insee-filosofi-2021" / "cc_filosofi_2021_COM.csv"
CAF_FRANCE = SHARED_DATA / "insee-caf-iris-2021" / "inseecaf2021.csv"
TARN_AGOUT, LIMOGES = "200034023", "248719312"

pytestmark = [pytest.mark.shared_data, pytest.mark.django_db]


@pytest.fixture(scope="module")
def france(django_db_setup, django_db_blocker):
    """The whole COG, loaded once for the module and rolled back after it."""
    if not (COG / "communes.json").is_file() or not TARN.is_dir() or not FILOSOFI_FRANCE.is_file():
        pytest.skip(f"Données partagées absentes : {SHARED_DATA}")
    with django_db_blocker.unblock(), transaction.atomic():
        import_territories(COG, progress=False)
        yield
        transaction.set_rollback(True)


def _cut(source, target, prefix):
    """The rows of one département of a France-wide file (its header, its line ends, its bytes)."""
    with source.open(encoding="utf-8", newline="") as handle:
        lines = handle.readlines()
    kept = [lines[0]] + [line for line in lines[1:] if line.lstrip('"').startswith(prefix)]
    target.write_text("".join(kept), encoding="utf-8", newline="")
    return target


def _portraits():
    """Every indicator of the catalogue computed by the engine, for Tarn-Agout and Limoges Métropole, from
    each dataset in the store; and the IRIS rows of their communes."""
    engine.reset()
    values = {}
    for kind, years in reader.available_datasets().items():
        indicators = [i for i in INDICATORS if i.dataset == kind and i.kind != Kind.DERIVED]
        if not indicators:
            continue
        found = engine.aggregate(kind, years[-1], indicators, group="epci", fresh=True)
        for siren in (TARN_AGOUT, LIMOGES):
            for indicator, value in found.get(siren, {}).items():
                values[siren, kind, indicator] = value
    communes = list(Commune.objects.filter(epci_id__in=[TARN_AGOUT, LIMOGES]).values_list("code", flat=True))
    for year in reader.available_vintages("filosofi_iris"):
        values["iris", year] = reader.read_iris("filosofi_iris", year, communes)
    return values


def _of(values, siren):
    return {key: value for key, value in values.items() if key[0] == siren}


def test_two_departements_side_by_side_keep_every_figure(france, stats_dir, tmp_path):
    tarn_files = sorted(str(path) for path in TARN.glob("*.csv"))
    call_command("import_data", *tarn_files, stdout=io.StringIO())
    after_tarn = _portraits()
    assert len(_of(after_tarn, TARN_AGOUT)) > 20  # census, FiLoSoFi, CAF: the Tarn-Agout portrait is full

    haute_vienne = [
        _cut(FILOSOFI_FRANCE, tmp_path / "cc_filosofi_2021_COM_87.csv", "87"),
        _cut(CAF_FRANCE, tmp_path / "inseecaf2021_87.csv", "87"),
    ]
    out = io.StringIO()
    call_command("import_data", *map(str, haute_vienne), "--dry-run", stdout=out)
    assert "territoires remplacés : 0\n" in out.getvalue()  # nothing of the Tarn is touched
    call_command("import_data", *map(str, haute_vienne), stdout=io.StringIO())
    after_both = _portraits()
    assert _of(after_both, TARN_AGOUT) == _of(after_tarn, TARN_AGOUT)
    limoges = _of(after_both, LIMOGES)
    assert len(limoges) > 10 and any(value.value is not None for value in limoges.values())

    call_command("import_data", *tarn_files, stdout=io.StringIO())
    again = _portraits()
    assert _of(again, TARN_AGOUT) == _of(after_tarn, TARN_AGOUT)
    assert _of(again, LIMOGES) == limoges
    iris = [key for key in after_tarn if key[0] == "iris"]
    assert iris and all(again[key] == after_both[key] == after_tarn[key] for key in iris)

    # Each commune's figures name the import that wrote them: the Tarn's latest, the Haute-Vienne's.
    latest_tarn = DatasetImport.objects.filter(kind="filosofi_com", source_name__endswith="_81.csv").latest(
        "pk"
    )
    haute_vienne_import = DatasetImport.objects.get(
        kind="filosofi_com", source_name="cc_filosofi_2021_COM_87.csv"
    )
    found = reader.provenance("filosofi_com", 2021, ["81004", "87085"])
    assert (found["81004"].import_id, found["87085"].import_id) == (latest_tarn.pk, haute_vienne_import.pk)
    counts = reader.rows_by_import("filosofi_com", 2021)
    assert counts[latest_tarn.pk] == 314 and counts[haute_vienne_import.pk] == 195
    assert haute_vienne_import.coverage == "territoires"


def test_a_france_wide_file_replaces_the_departements_extracts(france, stats_dir):
    call_command("import_data", str(TARN / "cc_filosofi_2021_COM_81.csv"), stdout=io.StringIO())
    call_command("import_data", str(FILOSOFI_FRANCE), stdout=io.StringIO())

    national = DatasetImport.objects.latest("pk")
    assert national.coverage == "france"
    counts = reader.rows_by_import("filosofi_com", 2021)
    assert counts == {national.pk: national.territories_count}
    with FILOSOFI_FRANCE.open(encoding="utf-8") as handle:
        assert national.rows_read == sum(1 for _row in csv.reader(handle)) - 1
