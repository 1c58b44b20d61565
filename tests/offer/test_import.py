"""The France Services import on a small référentiel: what a structure holds, idempotence, missing sites,
the preview, and the history of each change."""

import pytest
from django.core.management import call_command

from ctg.offer.importers import import_offer, preview
from ctg.offer.models import OfferImport, Structure, StructureEvent

from .conftest import good_rows, inventory_snapshot, site, write_list


def test_every_row_becomes_a_structure_on_a_commune_in_force(referential, good_list):
    record, _plan = import_offer([good_list])

    assert (record.rows_read, record.created, record.updated, record.marked_missing) == (3, 3, 0, 0)
    albi = Structure.objects.get(source="anct-france-services", source_id="1")
    assert (albi.type, albi.name, albi.commune_id, albi.source_commune_code) == (
        "france_services",
        "France services d'Albi",
        "81004",
        "",
    )
    assert (albi.latitude, albi.longitude, albi.postcode, albi.is_mobile) == (43.9289, 2.1464, "81000", False)
    assert albi.opening_hours == "Mo-Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00"
    assert albi.status == Structure.Status.OPEN and not albi.missing_from_source and albi.last_update
    assert albi.source_details == {
        "format_fs": "Site principal",
        "format_fs_anct": "Lieu fixe",
        "labellisation": "Espace labellisé 01/01/2020",
    }
    # Cambon's old code lands on Albi, the code as published kept.
    bus = Structure.objects.get(source_id="2")
    assert (bus.commune_id, bus.source_commune_code, bus.is_mobile) == ("81004", "81050", True)
    # Overlapping spans merged, 00:00 - 00:00 is no opening.
    assert bus.opening_hours == "Mo 08:30-17:00; We,Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00"
    # A municipal arrondissement goes to its commune; the antenne is kept.
    paris = Structure.objects.get(source_id="3")
    assert (paris.commune_id, paris.source_commune_code, paris.source_details["format_fs"]) == (
        "75056",
        "75101",
        "Antenne",
    )
    assert record.by_departement == {
        "75": {"rows": 1, "created": 1, "updated": 0, "unchanged": 0, "missing": 0, "back": 0},
        "81": {"rows": 2, "created": 2, "updated": 0, "unchanged": 0, "missing": 0, "back": 0},
    }
    events = StructureEvent.objects.filter(structure=albi)
    assert [(e.kind, e.offer_import_id) for e in events] == [(StructureEvent.Kind.CREATED, record.pk)]
    assert events[0].changes["name"] == ["", "France services d'Albi"]


def test_a_second_import_of_the_same_file_changes_nothing(referential, good_list):
    import_offer([good_list])
    before = inventory_snapshot()

    record, _plan = import_offer([good_list])

    assert (record.created, record.updated, record.unchanged, record.marked_missing) == (0, 0, 3, 0)
    after = inventory_snapshot()
    assert after["structures"] == before["structures"]
    assert after["events"] == before["events"]


def test_a_changed_row_is_updated_with_its_history(referential, good_list, tmp_path):
    import_offer([good_list])
    rows = good_rows()
    rows[0] = {**rows[0], "lib_fs": "France Services Albi centre", "h_samedi": "09:00 - 12:00"}
    record, _plan = import_offer([write_list(tmp_path, rows, "v2.csv")])

    assert (record.created, record.updated, record.unchanged) == (0, 1, 2)
    albi = Structure.objects.get(source_id="1")
    assert albi.name == "France Services Albi centre"
    assert albi.opening_hours == "Mo-Th 09:00-12:00,13:30-17:00; Fr,Sa 09:00-12:00"
    event = StructureEvent.objects.filter(structure=albi).first()
    assert event.kind == StructureEvent.Kind.UPDATED and event.offer_import_id == record.pk
    assert event.changes["name"] == ["France services d'Albi", "France Services Albi centre"]
    assert set(event.changes) == {"name", "opening_hours"}
    assert "(nom, horaires d'ouverture)" in event.summary


def test_a_row_removed_from_the_file_is_marked_missing_never_deleted(referential, good_list, tmp_path):
    import_offer([good_list])
    shorter = write_list(tmp_path, good_rows()[:1] + good_rows()[2:], "sans-le-bus.csv")

    record, _plan = import_offer([shorter])

    assert (record.created, record.unchanged, record.marked_missing) == (0, 2, 1)
    assert Structure.objects.count() == 3
    bus = Structure.objects.get(source_id="2")
    assert bus.missing_from_source and bus.missing_since is not None
    assert bus.status == Structure.Status.OPEN  # a list that forgets a site does not close it
    assert StructureEvent.objects.filter(structure=bus).first().kind == StructureEvent.Kind.MISSING
    assert record.by_departement["81"]["missing"] == 1

    # Listed again: back in the source.
    record, _plan = import_offer([good_list])
    bus.refresh_from_db()
    assert (record.back_in_source, record.updated, bus.missing_from_source, bus.missing_since) == (
        1,
        0,
        False,
        None,
    )
    assert StructureEvent.objects.filter(structure=bus).first().kind == StructureEvent.Kind.BACK


def test_a_file_of_one_departement_leaves_the_others_alone(referential, good_list, tmp_path):
    import_offer([good_list])
    tarn_only = write_list(tmp_path, good_rows()[:2], "tarn.csv")

    record, plan = import_offer([tarn_only])

    assert (record.marked_missing, plan.untouched) == (0, 1)
    assert not Structure.objects.get(source_id="3").missing_from_source


def test_the_dry_run_writes_nothing_and_says_what_would_change(referential, good_list, tmp_path, capsys):
    import_offer([good_list])
    rows = good_rows()
    rows[0] = {**rows[0], "telephone": "05 63 11 11 11"}
    rows = rows[:2] + [site(id_fs="4", lib_fs="Nouveau site de Saint-Juéry", insee_com="81271")]
    path = write_list(tmp_path, rows, "v2.csv")
    before = inventory_snapshot()

    call_command("offer_import", str(path), "--dry-run")

    assert inventory_snapshot() == before
    out = capsys.readouterr().out
    assert "v2.csv : source anct-france-services (simulation)" in out
    assert "structures qui seraient créées : 1" in out
    assert "structures qui seraient mises à jour : 1" in out
    # Paris is not in the file: its site is left as it is, not marked missing.
    assert "structures qui seraient marquées absentes de la dernière source : 0" in out
    assert "structures de départements absents du fichier, laissées telles quelles : 1" in out
    assert "    81 (3) : 1 / 1 / 1 / 0 / 0" in out
    assert "Simulation (--dry-run) : rien n'a été écrit." in out
    plan = preview([path])
    assert plan.by_departement == {
        "81": {"rows": 3, "created": 1, "updated": 1, "unchanged": 1, "missing": 0, "back": 0}
    }


def test_the_command_imports_and_reports(referential, good_list, capsys):
    call_command("offer_import", str(good_list), "--source", "anct-france-services")

    out = capsys.readouterr().out
    assert "structures qui ont été créées : 3" in out
    assert "jours aux plages horaires qui se chevauchent, fusionnées : 1" in out
    assert "plages « 00:00 - 00:00 » (aucune ouverture) ignorées : 1" in out
    record = OfferImport.objects.get()
    assert (record.imported_as, record.imported_by, len(record.source_sha256)) == (
        "Ligne de commande",
        None,
        64,
    )
    assert f"import n° {record.pk}" in out


@pytest.mark.parametrize("source", ["insee-bpe", "autre"])
def test_an_unknown_source_is_refused(referential, good_list, source):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("offer_import", str(good_list), "--source", source)

    assert not Structure.objects.exists()
