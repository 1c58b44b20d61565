"""One store for the whole of France, filled by many CAFs (issue 11, item 1): an import adds or replaces only
the territories its file covers; a France-wide file replaces all; each row keeps the import that wrote it; a
dry run says what would change and writes nothing; two imports of one vintage at once are serialised."""

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from ctg.diagnostics import importers, reader, store
from ctg.diagnostics.importers import import_datasets, prepare_datasets, preview_datasets, undo_import
from ctg.diagnostics.models import DatasetImport
from ctg.territories.models import Departement
from tests.factories import CommuneFactory

from .conftest import FILOSOFI_HEADER, store_snapshot, write

TARN = [FILOSOFI_HEADER, "81004;23612;45331;21650;20,0;7,4", "81140;5000;9000;22000;12,0;6,1"]
CORSICA = [FILOSOFI_HEADER, "2A004;30000;60000;21000;18,0;8,0"]
VINTAGE = "filosofi_com/2021.parquet"


def _rows():
    return {row["code"]: row for row in reader.read_dataset("filosofi_com", 2021)}


def _import(tmp_path, lines, name="cc_filosofi_2021_COM.csv", **options):
    return import_datasets(write(tmp_path, name, lines), **options)[0]


def test_a_departements_file_adds_its_communes_and_keeps_the_others(stats_dir, referential, tmp_path):
    corsica = _import(tmp_path, CORSICA)
    tarn = _import(tmp_path, TARN)

    rows = _rows()
    assert sorted(rows) == ["2A004", "81004", "81140"]
    assert (rows["2A004"]["MED21"], rows["81004"]["MED21"]) == (21000, 21650)
    assert (corsica.coverage, tarn.coverage) == ("territoires", "territoires")
    assert tarn.changes == {"added": 2, "replaced": 0, "removed": 0, "whole_departements": []}
    found = reader.provenance("filosofi_com", 2021, ["2A004", "81004", "81140"])
    assert {code: p.import_id for code, p in found.items()} == {
        "2A004": corsica.pk,
        "81004": tarn.pk,
        "81140": tarn.pk,
    }
    assert found["81004"].source_name == "cc_filosofi_2021_COM.csv" and found["81004"].who
    assert reader.rows_by_import("filosofi_com", 2021) == {corsica.pk: 1, tarn.pk: 2}
    # The provenance column is read through `provenance` only: the readers of figures do not see it.
    assert store.PROVENANCE_COLUMN not in reader.dataset_columns("filosofi_com", 2021)
    assert store.PROVENANCE_COLUMN not in rows["81004"]


def test_a_file_of_some_communes_replaces_those_communes_only(stats_dir, referential, tmp_path):
    first = _import(tmp_path, [*TARN, "2A004;30000;60000;21000;18,0;8,0"])  # both départements: France-wide
    assert first.coverage == "france"
    second = _import(tmp_path, [FILOSOFI_HEADER, "81004;1;2;3;4;5"])

    rows = _rows()
    assert sorted(rows) == ["2A004", "81004", "81140"]
    assert (rows["81004"]["MED21"], rows["81140"]["MED21"], rows["2A004"]["MED21"]) == (3, 22000, 21000)
    assert second.changes == {"added": 0, "replaced": 1, "removed": 0, "whole_departements": []}
    assert reader.rows_by_import("filosofi_com", 2021) == {first.pk: 2, second.pk: 1}


def test_a_france_wide_file_replaces_the_whole_vintage(stats_dir, referential, tmp_path):
    _import(tmp_path, TARN)
    _import(tmp_path, CORSICA)
    national = _import(tmp_path, [FILOSOFI_HEADER, "81004;1;2;3;4;5", "2A004;6;7;8;9;10"])

    assert national.coverage == "france"
    assert sorted(_rows()) == ["2A004", "81004"]  # 81140, absent from the national file, is gone
    assert national.changes["removed"] == 1


def test_a_departement_covered_whole_loses_its_communes_absent_from_the_file(
    stats_dir, referential, tmp_path
):
    tarn = Departement.objects.get(code="81")
    extra = [f"810{n:02d}" for n in range(10, 20)]
    for code in extra:
        CommuneFactory(code=code, departement=tarn)
    lines = [f"{code};10;20;20000;10,0;5,0" for code in ["81004", "81140", "81271", *extra]]
    _import(tmp_path, [FILOSOFI_HEADER, *lines])
    _import(tmp_path, CORSICA)
    # 12 of the 13 communes of the Tarn: the Tarn is covered whole, 81271 (absent) is removed; Corsica kept.
    record = _import(tmp_path, [FILOSOFI_HEADER, *[line for line in lines if not line.startswith("81271")]])

    assert record.changes == {"added": 0, "replaced": 12, "removed": 1, "whole_departements": ["81"]}
    rows = _rows()
    assert "81271" not in rows and "2A004" in rows and len(rows) == 13


def test_the_iris_of_the_communes_of_the_file_are_replaced(stats_dir, referential, tmp_path):
    header = "IRIS;DEC_MED21;DEC_D121"
    _import(
        tmp_path,
        [header, "810040101;20000;9000", "810040102;21000;9500", "2A0040101;19000;8000"],
        name="BASE_TD_FILO_IRIS_2021_DEC.csv",
    )
    record = _import(tmp_path, [header, "810040101;20500;9100"], name="BASE_TD_FILO_IRIS_2021_DEC.csv")

    rows = {row["code"]: row for row in reader.read_dataset("filosofi_iris", 2021)}
    assert sorted(rows) == ["2A0040101", "810040101"]  # 810040102, of Albi, is no longer published
    assert rows["810040101"]["DEC_MED21"] == 20500
    assert record.changes == {"added": 0, "replaced": 1, "removed": 1, "whole_departements": []}


def test_undoing_a_merged_import_puts_the_previous_file_back_byte_for_byte(stats_dir, referential, tmp_path):
    _import(tmp_path, CORSICA)
    before = (stats_dir / VINTAGE).read_bytes()
    tarn = _import(tmp_path, TARN)
    assert (stats_dir / VINTAGE).read_bytes() != before

    undo_import(tarn)
    assert (stats_dir / VINTAGE).read_bytes() == before
    assert sorted(_rows()) == ["2A004"]


def test_a_dry_run_says_what_would_change_and_writes_nothing(stats_dir, referential, tmp_path):
    _import(tmp_path, CORSICA)
    _import(tmp_path, TARN)
    before, records = store_snapshot(stats_dir), DatasetImport.objects.count()
    path = write(
        tmp_path,
        "cc_filosofi_2021_COM.csv",
        [
            FILOSOFI_HEADER,
            "81004;23612;45331;21700;s;7,4",
            "81140;5000;9000;22000;12,0;6,1",
            "81271;1;2;3;4;5",
        ],
    )
    out = io.StringIO()
    call_command("import_data", str(path), "--dry-run", stdout=out)

    report = out.getvalue()
    assert "millésime 2021 (simulation)" in report
    assert "territoires ajoutés : 1\n" in report and "territoires remplacés : 2\n" in report
    assert "par département : 81 (3)" in report
    assert "valeurs qui changent dans les territoires remplacés : 2 (sur 2 colonnes)" in report
    assert "Albi (81004), MED21 : 21\u00a0650 → 21\u00a0700" in report
    assert "Albi (81004), TP6021 : 20 → secret" in report
    assert "rien n'a été écrit" in report
    assert store_snapshot(stats_dir) == before and DatasetImport.objects.count() == records


def test_the_preview_counts_the_territories_outside_the_importers_departement(
    stats_dir, referential, tmp_path
):
    _import(tmp_path, CORSICA)
    prepared = prepare_datasets(write(tmp_path, "cc_filosofi_2021_COM.csv", [*TARN, "2A004;1;2;3;4;5"]))
    before = store_snapshot(stats_dir)

    class Adviser:  # a person whose organisation lies in the Tarn (a data manager's scope: all France)
        organisation = type("Organisation", (), {"departement_id": "81"})()

    [preview] = preview_datasets(prepared, imported_by=Adviser(), scope=None)
    assert (len(preview.plan.added), len(preview.plan.replaced), preview.outside) == (2, 1, 1)
    assert preview.home == ["81"] and preview.by_departement == [("2A", 1), ("81", 2)]
    assert store_snapshot(stats_dir) == before


def test_a_caf_adviser_imports_their_departement_into_a_vintage_holding_others(
    world, stats_dir, referential, tmp_path
):
    """The CAF's scope (`statistics_scope`) still applies with the merge: its file lies in its département;
    the other départements' figures stay."""
    _import(tmp_path, CORSICA)
    record = _import(tmp_path, TARN, imported_by=world.users["pilote_caf"])
    assert record.imported_by == world.users["pilote_caf"] and record.departements == ["81"]
    assert sorted(_rows()) == ["2A004", "81004", "81140"]
    with pytest.raises(importers.DatasetError, match="hors de votre département"):
        _import(tmp_path, CORSICA, imported_by=world.users["pilote_caf"])


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_vintage_at_once_are_serialised_and_both_kept(settings, tmp_path, monkeypatch):
    """The second import waits for the first (the vintage's lock): it merges into the first's file. Here the
    first stops just before putting its file in place until the second has started: without the lock, the
    second would merge into the store as it was, and the first's rename would then erase the second's rows."""

    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    tarn = Departement.objects.create(code="81", name="Tarn", region=_region())
    corsica = Departement.objects.create(code="2A", name="Corse-du-Sud", region=tarn.region)
    Departement.objects.create(code="11", name="Aude", region=tarn.region)
    for code, departement in (("81004", tarn), ("81140", tarn), ("81271", tarn), ("2A004", corsica)):
        CommuneFactory(code=code, departement=departement)
    files = [
        write(tmp_path, "cc_filosofi_2021_COM.csv", TARN),
        write(_folder(tmp_path / "corse"), "cc_filosofi_2021_COM.csv", CORSICA),
    ]
    events, inside, second_planning = [], threading.Event(), threading.Event()
    real_commit, real_plan = store.commit_all, importers.plan_merge

    def plan(dataset, *args, **kwargs):
        events.append(("plan", dataset.source.parent.name))
        if inside.is_set():
            second_planning.set()
        return real_plan(dataset, *args, **kwargs)

    def commit(*args, **kwargs):
        if not inside.is_set():
            inside.set()
            # Give the second import every chance to plan its merge now: under the lock it cannot, so this
            # wait ends on its timeout; without the lock it would plan on the store as it is (a lost update).
            second_planning.wait(timeout=3)
        events.append(("commit", threading.current_thread().name))
        return real_commit(*args, **kwargs)

    monkeypatch.setattr(store, "commit_all", commit)
    monkeypatch.setattr(importers, "plan_merge", plan)
    errors = []

    def run(path):
        try:
            import_datasets(path)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=run, args=(files[0],), name="tarn")
    first.start()
    assert inside.wait(timeout=30)
    second = threading.Thread(target=run, args=(files[1],), name="corse")
    second.start()
    first.join(timeout=60)
    second.join(timeout=60)

    assert not errors, errors
    assert sorted(_rows()) == ["2A004", "81004", "81140"]
    assert DatasetImport.objects.count() == 2
    assert [kind for kind, _name in events] == ["plan", "commit", "plan", "commit"]
    assert events[2] == ("plan", "corse") and events[1] == ("commit", "tarn")


def _folder(path):
    path.mkdir()
    return path


def _region():
    from ctg.territories.models import Region

    return Region.objects.create(code="76", name="Occitanie")
