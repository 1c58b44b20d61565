"""The real ANCT France Services list of ../shared/data, imported on the real COG 2026; the expected figures
are computed here from the raw file."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from ctg.offer.importers import import_offer
from ctg.offer.models import OfferImport, Structure, StructureEvent
from ctg.territories.importer import import_territories

from .conftest import COG, FRANCE_SERVICES, HEADER, SHARED_DATA, inventory_snapshot, raw_rows

pytestmark = [pytest.mark.shared_data, pytest.mark.django_db]


@pytest.fixture(scope="module")
def france(django_db_setup, django_db_blocker):
    """The whole COG 2026, loaded once for the module and rolled back after it."""
    if not (COG / "communes.json").is_file() or not FRANCE_SERVICES.is_file():
        pytest.skip(f"Données partagées absentes : {SHARED_DATA}")
    with django_db_blocker.unblock(), transaction.atomic():
        import_territories(COG, progress=False)
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def raw():
    if not FRANCE_SERVICES.is_file():
        pytest.skip(f"Données partagées absentes : {FRANCE_SERVICES}")
    return raw_rows(FRANCE_SERVICES)


def test_the_header_is_the_published_one(raw):
    assert list(raw[0]) == HEADER


def test_the_real_list_imports_every_site_per_departement(france, raw, capsys):
    call_command("offer_import", str(FRANCE_SERVICES))

    structures = Structure.objects.filter(source="anct-france-services")
    assert structures.count() == len(raw) == 2707
    per_departement = dict(structures.values_list("commune__departement").annotate(n=Count("id")))
    assert per_departement == Counter(row["insee_dep"] for row in raw)
    assert per_departement["81"] == 25 and per_departement["87"] == 22
    # Antennes and mobile sites are kept.
    antennes = sum(1 for row in raw if row["format_fs"] == "Antenne")
    assert structures.filter(source_details__format_fs="Antenne").count() == antennes == 139
    assert structures.filter(is_mobile=True).count() == sum(1 for row in raw if row["itinerance"] == "Oui")
    assert set(structures.values_list("source_id", flat=True)) == {row["id_fs"] for row in raw}
    assert not structures.exclude(type="france_services").exists()
    record = OfferImport.objects.get()
    assert (record.rows_read, record.created, record.updated, record.marked_missing) == (2707, 2707, 0, 0)
    assert {dep: counts["rows"] for dep, counts in record.by_departement.items()} == per_departement
    assert "structures qui ont été créées : 2\xa0707" in capsys.readouterr().out


def test_old_commune_codes_and_arrondissements_of_the_real_list(france, raw):
    import_offer([FRANCE_SERVICES])

    # Pierrefitte-sur-Seine (93059) merged into Saint-Denis (93066) on 1 January 2025.
    pierrefitte = [row["id_fs"] for row in raw if row["insee_com"] == "93059"]
    assert len(pierrefitte) == 2
    for structure in Structure.objects.filter(source_id__in=pierrefitte):
        assert (structure.commune_id, structure.source_commune_code) == ("93066", "93059")
    # Paris arrondissements: the sites are on Paris, their arrondissement kept.
    paris = [row for row in raw if row["insee_com"].startswith("751")]
    assert paris
    for row in paris:
        structure = Structure.objects.get(source_id=row["id_fs"])
        assert (structure.commune_id, structure.source_commune_code) == ("75056", row["insee_com"])


def test_hours_of_the_real_list(france, raw):
    import_offer([FRANCE_SERVICES])

    first = raw[0]
    assert (first["id_fs"], first["h_lundi"], first["h_vendredi"]) == (
        "1",
        "09:00 - 12:00 / 13:30 - 17:00",
        "09:00 - 12:00 / 13:30 - 16:00",
    )
    assert Structure.objects.get(source_id="1").opening_hours == (
        "Mo-Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00,13:30-16:00"
    )
    # No hours at all, or only « 00:00 - 00:00 » (no opening): no opening_hours.
    no_hours = [
        row["id_fs"] for row in raw if not {row[day] for day in HEADER[12:18]} - {"", "00:00 - 00:00"}
    ]
    assert "230" in no_hours
    assert set(Structure.objects.filter(opening_hours="").values_list("source_id", flat=True)) == set(
        no_hours
    )


def test_a_second_import_of_the_real_list_changes_nothing(france):
    import_offer([FRANCE_SERVICES])
    before = inventory_snapshot()

    record, _plan = import_offer([FRANCE_SERVICES])

    assert (record.created, record.updated, record.unchanged, record.marked_missing) == (0, 0, 2707, 0)
    after = inventory_snapshot()
    assert after["structures"] == before["structures"] and after["events"] == before["events"]


def test_a_site_removed_from_the_real_list_is_marked_missing(france, raw, tmp_path):
    import_offer([FRANCE_SERVICES])
    # The published bytes (CRLF) without one line: a Tarn site whose row is one line.
    lines = FRANCE_SERVICES.read_bytes().split(b"\r\n")
    tarn = next(row for row in raw if row["insee_dep"] == "81" and "\n" not in row["commentaire"])
    kept = [line for line in lines if not line.startswith(f'"{tarn["id_fs"]}","81",'.encode())]
    assert len(kept) == len(lines) - 1
    shorter = tmp_path / "liste-fs.csv"
    shorter.write_bytes(b"\r\n".join(kept))

    record, _plan = import_offer([shorter])

    assert (record.rows_read, record.marked_missing, record.unchanged) == (2706, 1, 2706)
    assert Structure.objects.count() == 2707
    gone = Structure.objects.get(source_id=tarn["id_fs"])
    assert gone.missing_from_source and gone.status == Structure.Status.OPEN
    assert gone.events.first().kind == StructureEvent.Kind.MISSING
    assert record.by_departement["81"] == {
        "rows": 24,
        "created": 0,
        "updated": 0,
        "unchanged": 24,
        "missing": 1,
        "back": 0,
    }


def test_the_dry_run_of_the_real_list_writes_nothing(france, raw, capsys):
    call_command("offer_import", str(FRANCE_SERVICES), "--dry-run")

    assert not Structure.objects.exists() and not OfferImport.objects.exists()
    assert not StructureEvent.objects.exists()
    out = capsys.readouterr().out
    assert "structures qui seraient créées : 2\xa0707" in out
    tarn = sum(1 for row in raw if row["insee_dep"] == "81")
    assert f"    81 ({tarn}) : {tarn} / 0 / 0 / 0 / 0" in out
