"""The Insee BPE (one row per equipment) into the inventory: the mapped types only, coordinates converted from
Lambert 93, a stable source id, idempotence, refusals that change nothing, and two imports at once."""

import csv
import json
import threading
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from ctg.offer import typology
from ctg.offer.bpe import lambert93_to_wgs84
from ctg.offer.importers import OfferImportError, import_offer, preview
from ctg.offer.models import OfferImport, Structure, StructureEvent

from .conftest import SHARED_DATA, inventory_snapshot

TARN = SHARED_DATA / "example-81-tarn"
# The « ensemble » geolocated layout (Insee, bpe_ens_xy: REG, DEP, DEPCOM, DCIRIS, AN, TYPEQU, LAMBERT_X,
# LAMBERT_Y, QUALITE_XY), as the files of 2018-2021 give it.
HEADER = "REG;DEP;DEPCOM;DCIRIS;AN;TYPEQU;LAMBERT_X;LAMBERT_Y;QUALITE_XY"
ALBI = ("631450.5", "6314800.1")  # the centre of Albi, Lambert 93
ROWS = [
    f"76;81;81004;810040101;2021;D502;{ALBI[0]};{ALBI[1]};Bonne",
    f"76;81;81004;810040101;2021;D502;{ALBI[0]};{ALBI[1]};Bonne",  # a twin at the same point: rank 2
    "76;81;81004;810040102;2021;C107;632010.0;6319050.0;Bonne",
    "76;81;81004;810040102;2021;A101;632010.0;6319050.0;Bonne",  # not mapped: counted, not kept
    "76;81;81050;81050;2021;C107;;;Non géolocalisé",  # Cambon, absorbed by Albi; no coordinates
    "76;81;81271;81271;2021;B201;636500.0;6320200.0;Acceptable",
    '11;75;75101;751010101;2021;"D502";651450.0;6862360.0;"Bonne"',
]


def write(directory: Path, rows=ROWS, header=HEADER, name="bpe21_ensemble_xy.csv", encoding="utf-8") -> Path:
    path = directory / name
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return path


def mapped_counts(path: Path) -> Counter:
    """Our types expected from the raw file: one structure per row of a mapped TYPEQU."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    counts = Counter()
    for row in rows:
        offer_type = typology.bpe_import_type(row["TYPEQU"])
        if offer_type is not None:
            counts[offer_type.code] += 1
    return counts


def imported_counts() -> Counter:
    return Counter(Structure.objects.filter(source="insee-bpe").values_list("type", flat=True))


def test_only_mapped_types_enter_the_inventory_with_converted_coordinates(referential, tmp_path):
    path = write(tmp_path)

    record, plan = import_offer([path])

    assert imported_counts() == mapped_counts(path) == Counter({"eaje": 3, "ecole_maternelle": 2})
    # Every equipment row is read (the A101 and B201 too); the per-département preview counts the kept ones.
    assert (record.source, record.rows_read, record.created) == ("insee-bpe", 7, 5)
    assert record.by_departement["81"]["created"] == 4 and record.by_departement["75"]["created"] == 1
    twins = Structure.objects.filter(type="eaje", commune_id="81004").order_by("source_id")
    assert [s.source_id[-2:] for s in twins] == ["-1", "-2"]
    crèche = twins[0]
    assert crèche.name == "EAJE (type non précisé) (BPE, commune 81004)"
    assert crèche.source_details["LAMBERT_X"] == ALBI[0] and crèche.source_details["AN"] == "2021"
    # Converted to WGS84: Albi, within a few hundred metres.
    assert abs(crèche.latitude - 43.929) < 0.005 and abs(crèche.longitude - 2.146) < 0.005
    cambon = Structure.objects.get(source="insee-bpe", commune_id="81004", source_commune_code="81050")
    assert (cambon.type, cambon.latitude, cambon.longitude) == ("ecole_maternelle", None, None)
    paris = Structure.objects.get(source="insee-bpe", source_commune_code="75101")
    assert paris.commune_id == "75056" and 48.85 < paris.latitude < 48.87
    assert StructureEvent.objects.filter(offer_import=record, kind="creation").count() == 5


def test_lambert_93_origin_and_a_tarn_point_land_where_they_should():
    assert lambert93_to_wgs84(700000, 6600000) == (46.5, 3.0)
    geojson = TARN / "departement-81-tarn.geojson"
    if not geojson.is_file():
        pytest.skip(f"Données partagées absentes : {geojson}")
    points = []

    def walk(item):
        if isinstance(item[0], (int, float)):
            points.append(item)
        else:
            for sub in item:
                walk(sub)

    data = json.loads(geojson.read_text())
    for feature in data.get("features", [data]):
        walk(feature["geometry"]["coordinates"])
    longitudes, latitudes = [p[0] for p in points], [p[1] for p in points]
    latitude, longitude = lambert93_to_wgs84(float(ALBI[0]), float(ALBI[1]))
    assert min(latitudes) < latitude < max(latitudes) and min(longitudes) < longitude < max(longitudes)


def test_a_second_import_of_the_same_file_changes_nothing(referential, tmp_path):
    path = write(tmp_path)
    import_offer([path])
    before = inventory_snapshot()

    record, _plan = import_offer([path])

    assert (record.created, record.updated, record.unchanged, record.marked_missing) == (0, 0, 5, 0)
    after = inventory_snapshot()
    assert after["structures"] == before["structures"] and after["events"] == before["events"]


def test_an_equipment_gone_from_the_next_file_is_marked_missing_not_deleted(referential, tmp_path):
    import_offer([write(tmp_path)])

    record, _plan = import_offer([write(tmp_path, rows=ROWS[1:], name="bpe22.csv")])

    # The twins' ids are ranks among equal keys: the remaining D502 at the point is now rank 1.
    assert (record.created, record.marked_missing, record.unchanged) == (0, 1, 4)
    assert Structure.objects.filter(source="insee-bpe").count() == 5
    assert Structure.objects.get(source="insee-bpe", missing_from_source=True).source_id.endswith("-2")


def test_the_command_recognises_the_layout_and_previews_per_departement(referential, tmp_path, capsys):
    path = write(tmp_path)

    call_command("offer_import", str(path), "--dry-run")
    call_command("offer_import", str(path), "--source", "insee-bpe", "--dry-run")

    out = capsys.readouterr().out
    assert out.count("source insee-bpe (simulation)") == 2
    assert "lignes lues : 7" in out and "81 (4) : 4 / 0 / 0 / 0 / 0" in out and "75 (1) : 1 / 0" in out
    assert not Structure.objects.exists() and not OfferImport.objects.exists()


BAD = {
    "empty file": ("", None, "fichier vide"),
    "comma separator": (None, HEADER.replace(";", ","), "séparateur « , »"),
    "no TYPEQU column": (None, HEADER.replace("TYPEQU", "TYPE"), "colonne obligatoire « TYPEQU »"),
    "duplicate column": (None, HEADER + ";DEP", "colonne « DEP » en double"),
    "only one coordinate column": (None, HEADER.replace(";LAMBERT_Y", ";Y"), "« LAMBERT_Y » absente"),
    "short row": (ROWS[:3] + ["76;81;81004;2021;D502"], None, "5 champs au lieu de 9"),
    "bad commune code": (ROWS[:3] + ["76;81;8100;x;2021;D502;1;1;Bonne"], None, "code commune invalide"),
    "bad type": (ROWS[:3] + ["76;81;81004;x;2021;d502;;;Bonne"], None, "type d'équipement invalide"),
    "commune outside its département": (ROWS[:3] + ["76;82;81004;x;2021;D502;;;"], None, "pas dans le dép"),
    "decimal comma": (ROWS[:3] + ["76;81;81004;x;2021;D502;631240,5;6314800;"], None, "coordonnée invalide"),
    "one coordinate only": (ROWS[:3] + ["76;81;81004;x;2021;D502;631240;;"], None, "coordonnée vide"),
    "point outside France": (ROWS[:3] + ["76;81;81004;x;2021;C107;9631240;6314800;"], None, "hors de la"),
    "unknown commune": (ROWS[:3] + ["76;81;81888;x;2021;D502;;;"], None, "« 81888 » inconnu"),
    "blank line in the middle": (ROWS[:3] + ["", ROWS[3]], None, "ligne vide au milieu"),
    "unclosed quote": (ROWS[:3] + ['76;81;81004;"x;2021;D502;;;'], None, "fichier tronqué"),
    "header only": ([], None, "aucune ligne de données"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_malformed_file_is_refused_whole_and_changes_nothing(referential, tmp_path, case):
    import_offer([write(tmp_path, name="first.csv")])
    before = inventory_snapshot()
    rows, header, message = BAD[case]
    if rows == "":
        path = tmp_path / "bpe.csv"
        path.write_bytes(b"")
    else:
        path = write(tmp_path, rows=ROWS if rows is None else rows, header=header or HEADER, name="bpe.csv")

    with pytest.raises(OfferImportError) as error:
        import_offer([path], source="insee-bpe")

    assert message in str(error.value) and str(error.value).startswith("bpe.csv")
    assert inventory_snapshot() == before


def test_a_bad_byte_is_located_and_refused(referential, tmp_path):
    path = write(tmp_path, rows=[*ROWS[:2], "76;81;81004;x;2021;D502;;;Médiocre"], encoding="latin-1")

    with pytest.raises(OfferImportError, match=r"ligne 4 : encodage invalide \(octet 0xE9"):
        preview([path])


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_are_serialised_and_neither_is_lost(referential, tmp_path):
    path = write(tmp_path)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            record, _plan = import_offer([path])
            results.append((record.created, record.unchanged))
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(results) == [(0, 5), (5, 0)]
    assert OfferImport.objects.filter(source="insee-bpe").count() == 2
    assert Structure.objects.filter(source="insee-bpe").count() == 5


@pytest.mark.django_db(transaction=True)
def test_an_import_waits_for_the_lock_of_its_source(referential, tmp_path, monkeypatch):
    """Whatever the database (SQLite also queues writers, PostgreSQL would not): an import takes the lock of
    its source before planning, so it waits while another holds it, then plans against what that one wrote."""
    from ctg.offer import services

    path = write(tmp_path)
    asking = threading.Event()
    real_flock = services.fcntl.flock

    class Fcntl:
        LOCK_EX, LOCK_UN = services.fcntl.LOCK_EX, services.fcntl.LOCK_UN

        @staticmethod
        def flock(fd, operation):
            if operation == Fcntl.LOCK_EX and threading.current_thread() is not threading.main_thread():
                asking.set()
            return real_flock(fd, operation)

    monkeypatch.setattr(services, "fcntl", Fcntl)
    outcome = []

    def second():
        try:
            outcome.append(import_offer([path])[0].created)
        finally:
            connection.close()

    with services.source_lock("insee-bpe"):
        thread = threading.Thread(target=second)
        thread.start()
        # A safety net so that a missing lock fails instead of hanging (the event is set at once otherwise).
        assert asking.wait(timeout=60), "l'import n'a pas demandé le verrou de sa source"
        # The second import asked for the lock, which this one holds: it has written nothing.
        assert not OfferImport.objects.exists() and outcome == []
    thread.join()

    assert outcome == [5] and Structure.objects.filter(source="insee-bpe").count() == 5
