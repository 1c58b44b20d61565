"""Who may replace the statistics of the store (audit, high severity: a coordinator's 2-row FiLoSoFi file
reduced the national vintage from 34,845 communes to 2).

A platform data manager imports any file; a CAF adviser only files of their CAF's département, over a
vintage that holds no other département's figures; nobody else. A refused import changes nothing. Every
import is in the journal (who, when, file and SHA-256, territories written) and can be undone, byte for
byte, unless a later import replaced the same vintage.
"""

import errno
import hashlib
import html
import io
import os

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from ctg.diagnostics.importers import DatasetError, import_datasets, undo_import
from ctg.diagnostics.models import DatasetImport
from ctg.diagnostics.reader import read_dataset
from ctg.diagnostics.scope import can_import_statistics, import_scope
from ctg.organisations.models import Organisation
from ctg.organisations.permissions import (
    DATA_MANAGERS_GROUP,
    PLATFORM_OPERATIONS,
    PlatformOp,
    PlatformRole,
    platform_allows,
    platform_role,
    statistics_scope,
)
from ctg.territories.models import Departement
from tests.diagnostics.conftest import FILOSOFI_HEADER, SHARED_DATA, store_snapshot, write
from tests.factories import CommuneFactory, OrganisationFactory, UserFactory

URL = "/statistiques/import/"
TARN_ONLY = [FILOSOFI_HEADER, "81004;23612;45331;21650;20,0;7,4", "81140;5000;9000;22000;12,0;6,1"]
WITH_CORSICA = [*TARN_ONLY, "2A004;30000;60000;21000;18,0;8,0"]


@pytest.fixture
def data(world, stats_dir, referential):
    return stats_dir


def _post(client, user, lines, name="cc_filosofi_2021_COM.csv"):
    """Upload, then confirm on the preview page (a refused upload: its answer)."""
    client.force_login(user)
    upload = SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode("utf-8"), content_type="text/csv")
    response = client.post(URL, {"file": upload})
    if response.status_code != 200:
        return response
    return client.post(URL, {"token": response.context["token"], "action": "confirm"})


def _data_manager(email="donnees@plateforme.fr"):
    """A member of the staff in the group « Gestionnaires des données » (created by a migration)."""
    user = UserFactory(email=email, is_staff=True)
    user.groups.add(Group.objects.get(name=DATA_MANAGERS_GROUP))
    return user


def _national_vintage(tmp_path):
    """The vintage as a data manager loaded it: communes of two départements."""
    import_datasets(write(tmp_path, "cc_filosofi_2021_COM.csv", WITH_CORSICA))


@pytest.mark.parametrize(
    "role", ["coordination", "other_member", "referent_communal", "partenaire", "lecture"]
)
def test_nobody_but_the_caf_and_the_data_managers_imports(client, world, data, tmp_path, role):
    _national_vintage(tmp_path)
    before, records = store_snapshot(data), DatasetImport.objects.count()
    response = _post(client, world.users[role], [FILOSOFI_HEADER, "81004;1;2;3;4;5", "81140;1;2;3;4;5"])
    assert response.status_code == 403
    assert store_snapshot(data) == before and DatasetImport.objects.count() == records
    assert not can_import_statistics(world.users[role])


def test_a_staff_member_without_the_permission_does_not_import(client, world, data):
    staff = UserFactory(email="equipe@plateforme.fr", is_staff=True)
    assert _post(client, staff, TARN_ONLY).status_code == 403
    assert not DatasetImport.objects.exists()


def test_a_caf_adviser_imports_a_file_of_their_departement_into_an_empty_vintage(client, world, data):
    assert import_scope(world.users["pilote_caf"]) == frozenset({"81"})
    response = _post(client, world.users["pilote_caf"], TARN_ONLY)
    assert response.status_code == 302
    record = DatasetImport.objects.get()
    assert (record.kind, record.year, record.imported_by) == ("filosofi_com", 2021, world.users["pilote_caf"])
    page = " ".join(html.unescape(client.get(URL).content.decode()).split())
    assert "le fichier ne doit contenir que des territoires du département 81" in page


def test_a_file_with_a_commune_of_another_departement_is_refused_and_names_it(client, world, data):
    before = store_snapshot(data)
    response = _post(client, world.users["pilote_caf"], WITH_CORSICA)
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "Import refusé, rien n'a été modifié." in page
    assert "1 territoire hors de votre département (81) : 2A004." in page
    assert store_snapshot(data) == before and not DatasetImport.objects.exists()


def test_a_departement_file_over_a_national_vintage_replaces_only_its_departement(
    client, world, data, tmp_path
):
    """The store merges territories (issue 11): a CAF's Tarn file leaves Corsica's figures as they were."""
    _national_vintage(tmp_path)
    corsica = [row for row in read_dataset("filosofi_com", 2021) if row["code"] == "2A004"]
    response = _post(
        client, world.users["pilote_caf"], [FILOSOFI_HEADER, "81004;1;2;3;4;5", "81140;6;7;8;9;10"]
    )
    assert response.status_code == 302
    rows = {row["code"]: row for row in read_dataset("filosofi_com", 2021)}
    assert [rows["2A004"]] == corsica
    assert (rows["81004"]["MED21"], rows["81140"]["MED21"]) == (3, 8)
    record = DatasetImport.objects.latest("pk")
    assert (record.coverage, record.departements) == ("territoires", ["81"])


def test_another_caf_cannot_replace_the_tarn(client, world, data):
    response = _post(client, world.users["other_caf"], TARN_ONLY)
    assert response.status_code == 400
    assert "2 territoires hors de votre département (11) : 81004, 81140." in html.unescape(
        response.content.decode()
    )
    assert not DatasetImport.objects.exists()


def test_a_data_manager_imports_a_national_file_over_a_national_vintage(client, world, data, tmp_path):
    _national_vintage(tmp_path)
    manager = _data_manager()
    assert import_scope(manager) is None
    response = _post(client, manager, WITH_CORSICA)
    assert response.status_code == 302
    assert DatasetImport.objects.filter(imported_by=manager).count() == 1


def test_the_service_refuses_out_of_scope_imports_whatever_the_caller(world, data, tmp_path):
    """The check lives in the one import path (the web form and `ctg import_data` alike)."""
    path = write(tmp_path, "cc_filosofi_2021_COM.csv", WITH_CORSICA)
    with pytest.raises(DatasetError, match="hors de votre département"):
        import_datasets(path, scope=frozenset({"81"}))
    with pytest.raises(DatasetError):
        import_datasets(path, scope=frozenset())
    assert not DatasetImport.objects.exists()
    call_command("import_data", str(path))  # on the server: the platform operator, all France
    assert DatasetImport.objects.count() == 1


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("81004;-3;45331;21650;20,0;7,4", "NBMENFISC21"),
        ("81004;23612;-0,5;21650;20,0;7,4", "NBPERSMENFISC21"),
    ],
)
def test_a_negative_count_is_refused_with_file_line_and_column(world, data, tmp_path, line, column):
    """Audit: negative counts in an official file were accepted silently. A median or a rate is no count."""
    path = write(
        tmp_path, "cc_filosofi_2021_COM.csv", [FILOSOFI_HEADER, "81140;5000;9000;22000;12,0;6,1", line]
    )
    before = store_snapshot(data)
    with pytest.raises(DatasetError) as error:
        import_datasets(path)
    message = str(error.value)
    assert "cc_filosofi_2021_COM.csv" in message and "ligne 3" in message and f"colonne {column}" in message
    assert "effectif négatif" in message
    assert store_snapshot(data) == before and not DatasetImport.objects.exists()
    # A negative rate-like column (not a count) is still read.
    import_datasets(
        write(tmp_path, "cc_filosofi_2021_COM.csv", [FILOSOFI_HEADER, "81004;10;20;21650;-1,0;7,4"])
    )
    assert DatasetImport.objects.count() == 1


def _fail_with(code):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return fail


@pytest.mark.parametrize(
    ("target", "code", "message"),
    [
        ("ctg.diagnostics.store.stage_dataset", errno.ENOSPC, "espace disque insuffisant"),
        ("ctg.diagnostics.store.os.replace", errno.ENOSPC, "espace disque insuffisant"),
        ("ctg.diagnostics.store.stage_dataset", errno.EACCES, "droits insuffisants pour écrire dans"),
    ],
)
def test_a_full_disk_or_missing_rights_give_a_french_message_and_change_nothing(
    client, world, data, tmp_path, monkeypatch, capsys, target, code, message
):
    _national_vintage(tmp_path)
    before, records = store_snapshot(data), DatasetImport.objects.count()
    monkeypatch.setattr(target, _fail_with(code))
    manager = _data_manager()
    response = _post(client, manager, WITH_CORSICA)
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert message in page and "Rien n'a été modifié" in page
    path = write(tmp_path, "cc_filosofi_2021_COM.csv", WITH_CORSICA)
    with pytest.raises(CommandError) as error:
        call_command("import_data", str(path))
    assert message in str(error.value) and "Traceback" not in str(error.value)
    assert store_snapshot(data) == before and DatasetImport.objects.count() == records


# --- The permission table, the journal, the undo ------------------------------------------------------------

UNDO_URL = "/statistiques/imports/{}/annuler/"
LIST_URL = "/statistiques/imports/"
VINTAGE = "filosofi_com/2021.parquet"


def _hashes(stats_dir):
    return {name: hashlib.sha256(content).hexdigest() for name, content in store_snapshot(stats_dir).items()}


def _vintage_files(stats_dir):
    """The store without the copies kept for the undo."""
    return {k: v for k, v in store_snapshot(stats_dir).items() if not k.startswith("_previous/")}


def test_importing_and_undoing_are_platform_operations_of_the_permission_table(world, db):
    manager, direct = _data_manager(), UserFactory(email="direct@plateforme.fr", is_staff=True)
    direct.user_permissions.add(Permission.objects.get(codename="manage_statistics"))
    assert set(PLATFORM_OPERATIONS[PlatformRole.DATA_MANAGER]) == set(PlatformOp)
    for user in (manager, direct):
        assert platform_role(user) == PlatformRole.DATA_MANAGER and statistics_scope(user) is None
    assert platform_role(world.users["pilote_caf"]) == PlatformRole.CAF_ADVISER
    assert statistics_scope(world.users["pilote_caf"], PlatformOp.UNDO_IMPORT) == frozenset({"81"})
    for role in ("coordination", "other_member", "referent_communal", "partenaire", "lecture"):
        assert platform_role(world.users[role]) is None
        assert not platform_allows(world.users[role], PlatformOp.IMPORT_STATISTICS)
        assert statistics_scope(world.users[role]) == frozenset()


def test_the_statistics_menu_is_shown_only_to_those_allowed(client, world, data):
    client.force_login(world.users["pilote_caf"])
    assert 'href="/statistiques/import/"' in client.get("/").content.decode()
    client.force_login(world.users["coordination"])
    assert 'href="/statistiques/import/"' not in client.get("/").content.decode()


def test_the_journal_records_who_when_the_file_and_what_it_wrote(client, world, data):
    content = ("\n".join(TARN_ONLY) + "\n").encode("utf-8")
    response = _post(client, world.users["pilote_caf"], TARN_ONLY)
    assert response.status_code == 302
    record = DatasetImport.objects.get()
    assert record.imported_by == world.users["pilote_caf"] and record.imported_at is not None
    assert record.source_name == "cc_filosofi_2021_COM.csv"
    assert record.source_sha256 == hashlib.sha256(content).hexdigest()
    assert record.stored_sha256 == hashlib.sha256((data / VINTAGE).read_bytes()).hexdigest()
    assert (record.territories_count, record.codes, record.departements) == (2, ["81004", "81140"], ["81"])
    assert record.previous_sha256 == "" and not record.replaced_vintage  # the vintage was new
    page = html.unescape(client.get(LIST_URL).content.decode())
    assert record.source_sha256 in page and "Annuler cet import" in page


def test_a_file_with_an_aude_commune_is_refused_for_the_tarn(client, world, data):
    aude = world.other_ctg.communes.first().departement
    CommuneFactory(code="11069", name="Carcassonne", departement=aude)
    before = _hashes(data)
    response = _post(client, world.users["pilote_caf"], [*TARN_ONLY, "11069;20000;40000;19000;25,0;9,0"])
    assert response.status_code == 400
    assert "1 territoire hors de votre département (81) : 11069." in html.unescape(response.content.decode())
    assert _hashes(data) == before and not DatasetImport.objects.exists()


def test_undo_restores_the_store_byte_for_byte_and_records_who(client, world, data, tmp_path):
    _national_vintage(tmp_path)  # the platform operator: Tarn and Corsica
    national = _hashes(data)
    manager = _data_manager()
    replacing = [FILOSOFI_HEADER, "81004;1;2;3;4;5", "2A004;6;7;8;9;10"]
    assert _post(client, manager, replacing).status_code == 302
    record = DatasetImport.objects.latest("pk")
    assert record.replaced_vintage and _hashes(data) != national
    assert (data / "_previous" / str(record.pk) / VINTAGE).is_file()

    response = client.get(UNDO_URL.format(record.pk))
    assert response.status_code == 200 and "Annuler cet import" in response.content.decode()
    assert client.post(UNDO_URL.format(record.pk), {}).status_code == 400  # not confirmed: nothing done
    assert DatasetImport.objects.get(pk=record.pk).undone_at is None
    response = client.post(UNDO_URL.format(record.pk), {"confirm": "on"})
    assert response.status_code == 302 and response.url == LIST_URL

    assert _hashes(data) == national  # the copy kept for the undo is gone with it
    record.refresh_from_db()
    assert record.undone_by == manager and record.undone_at is not None
    page = html.unescape(client.get(LIST_URL).content.decode())
    assert f"Annulé le {timezone.localtime(record.undone_at):%d/%m/%Y}" in page
    # Undone once only.
    assert client.post(UNDO_URL.format(record.pk), {"confirm": "on"}).status_code == 409


def test_undo_is_refused_while_a_later_import_replaced_the_vintage(client, world, data, tmp_path):
    adviser = world.users["pilote_caf"]
    assert _post(client, adviser, TARN_ONLY).status_code == 302
    first = DatasetImport.objects.get()
    after_first = _vintage_files(data)
    assert _post(client, adviser, [FILOSOFI_HEADER, "81004;1;2;3;4;5"]).status_code == 302  # Tarn only
    second = DatasetImport.objects.latest("pk")
    before = _hashes(data)

    response = client.post(UNDO_URL.format(first.pk), {"confirm": "on"})
    assert response.status_code == 409
    page = html.unescape(response.content.decode())
    assert f"remplacé depuis par l'import n° {second.pk}" in page and "annulez d'abord celui-ci" in page
    assert _hashes(data) == before and DatasetImport.objects.get(pk=first.pk).undone_at is None
    with pytest.raises(DatasetError, match="annulez d'abord celui-ci"):
        undo_import(first)

    assert client.post(UNDO_URL.format(second.pk), {"confirm": "on"}).status_code == 302
    assert _vintage_files(data) == after_first
    assert client.post(UNDO_URL.format(first.pk), {"confirm": "on"}).status_code == 302
    assert not (data / VINTAGE).exists()  # the vintage was created by the first import: removed
    assert _hashes(data) == {}


def test_another_caf_neither_sees_nor_undoes_the_tarn_import(client, world, data):
    assert _post(client, world.users["pilote_caf"], TARN_ONLY).status_code == 302
    record = DatasetImport.objects.get()
    before = _hashes(data)
    client.force_login(world.users["other_caf"])
    assert client.get(UNDO_URL.format(record.pk)).status_code == 404
    assert client.post(UNDO_URL.format(record.pk), {"confirm": "on"}).status_code == 404
    page = client.get(LIST_URL).content.decode()
    assert UNDO_URL.format(record.pk) not in page
    for role in ("coordination", "other_member", "partenaire"):
        client.force_login(world.users[role])
        assert client.get(LIST_URL).status_code == 403
        assert client.post(UNDO_URL.format(record.pk), {"confirm": "on"}).status_code == 403
    with pytest.raises(DatasetError, match="hors de votre périmètre"):
        undo_import(record, undone_by=world.users["other_caf"])
    assert _hashes(data) == before and DatasetImport.objects.get().undone_at is None


def test_a_caf_cannot_undo_a_national_import_nor_put_a_national_vintage_back(client, world, data, tmp_path):
    _national_vintage(tmp_path)
    record = DatasetImport.objects.get()
    client.force_login(world.users["pilote_caf"])
    assert client.get(UNDO_URL.format(record.pk)).status_code == 404
    assert DatasetImport.objects.get().undone_at is None
    # A data manager's Tarn file merged into the vintage changed the Tarn only: the Tarn's CAF may undo it.
    manager = _data_manager()
    assert _post(client, manager, TARN_ONLY).status_code == 302
    tarn = DatasetImport.objects.latest("pk")
    assert tarn.coverage == "territoires"
    client.force_login(world.users["pilote_caf"])
    assert client.post(UNDO_URL.format(tarn.pk), {"confirm": "on"}).status_code == 302
    # A whole-vintage import (before the merge, or France-wide) would put every département back: refused.
    DatasetImport.objects.filter(pk=record.pk).update(coverage="")
    assert _post(client, manager, TARN_ONLY).status_code == 302
    tarn = DatasetImport.objects.latest("pk")
    DatasetImport.objects.filter(pk=tarn.pk).update(coverage=DatasetImport.Coverage.FRANCE)
    before = _hashes(data)
    client.force_login(world.users["pilote_caf"])
    page = html.unescape(client.get(UNDO_URL.format(tarn.pk)).content.decode())
    assert "contient aussi les chiffres de 1 autre département (2A)" in page
    response = client.post(UNDO_URL.format(tarn.pk), {"confirm": "on"})
    assert response.status_code == 409
    assert "hors de votre périmètre" in html.unescape(response.content.decode())
    assert _hashes(data) == before and DatasetImport.objects.get(pk=tarn.pk).undone_at is None


def test_the_command_imports_as_someone_and_undoes(world, data, tmp_path, capsys):
    path = write(tmp_path, "cc_filosofi_2021_COM.csv", WITH_CORSICA)
    with pytest.raises(CommandError, match="hors de votre département"):
        call_command("import_data", str(path), **{"user": world.users["pilote_caf"].email})
    assert not DatasetImport.objects.exists() and _hashes(data) == {}

    out = io.StringIO()
    call_command("import_data", str(path), stdout=out)  # the platform operator
    first = DatasetImport.objects.get()
    assert first.imported_by is None and first.imported_as.startswith("Opérateur de la plateforme")
    assert f"import n° {first.pk}, SHA-256 du fichier" in out.getvalue()
    national = _hashes(data)
    manager = _data_manager()
    call_command(
        "import_data",
        str(write(tmp_path, "cc_filosofi_2021_COM.csv", TARN_ONLY)),
        **{"user": manager.email},
        stdout=io.StringIO(),
    )
    second = DatasetImport.objects.latest("pk")
    assert second.imported_by == manager and second.previous_sha256

    with pytest.raises(CommandError, match="annulez d'abord celui-ci"):
        call_command("import_data", undo=first.pk, stdout=io.StringIO())
    with pytest.raises(CommandError, match="hors de votre périmètre"):  # Corsica and the Tarn
        call_command("import_data", undo=first.pk, **{"user": world.users["pilote_caf"].email})
    out = io.StringIO()
    call_command("import_data", "--undo", str(second.pk), "--as", manager.email, stdout=out)
    assert f"Import n° {second.pk} annulé" in out.getvalue()
    assert _hashes(data) == national
    second.refresh_from_db()
    assert second.undone_by == manager and second.undone_at is not None
    with pytest.raises(CommandError, match="Aucun import n° 999"):
        call_command("import_data", undo=999)


def test_undo_clears_the_engines_caches_and_tells_the_plan(world, data, tmp_path, monkeypatch):
    from ctg.diagnostics import engine
    from ctg.diagnostics.signals import dataset_imported

    _national_vintage(tmp_path)
    import_datasets(write(tmp_path, "cc_filosofi_2021_COM.csv", TARN_ONLY))
    record = DatasetImport.objects.latest("pk")
    resets, signals = [], []
    monkeypatch.setattr(engine, "reset", lambda: resets.append(True))

    def receiver(sender, records, **kwargs):
        signals.append(([r.pk for r in records], kwargs.get("undone")))

    dataset_imported.connect(receiver, dispatch_uid="test-undo")
    try:
        undo_import(record)
    finally:
        dataset_imported.disconnect(dispatch_uid="test-undo")
    assert resets and signals == [([record.pk], True)]
    assert sorted(row["code"] for row in read_dataset("filosofi_com", 2021)) == ["2A004", "81004", "81140"]


@pytest.mark.parametrize(
    ("code", "message"), [(errno.ENOSPC, "espace disque insuffisant"), (errno.EACCES, "droits insuffisants")]
)
def test_undo_on_a_full_disk_changes_nothing(client, world, data, tmp_path, monkeypatch, code, message):
    _national_vintage(tmp_path)
    manager = _data_manager()
    assert _post(client, manager, TARN_ONLY).status_code == 302
    record = DatasetImport.objects.latest("pk")
    before = _hashes(data)
    monkeypatch.setattr("ctg.diagnostics.store.shutil.copyfile", _fail_with(code))
    response = client.post(UNDO_URL.format(record.pk), {"confirm": "on"})
    assert response.status_code == 409 and message in html.unescape(response.content.decode())
    with pytest.raises(CommandError) as error:
        call_command("import_data", undo=record.pk)
    assert message in str(error.value)
    assert _hashes(data) == before and DatasetImport.objects.get(pk=record.pk).undone_at is None


def test_a_full_disk_while_keeping_the_previous_vintage_changes_nothing(world, data, tmp_path, monkeypatch):
    _national_vintage(tmp_path)
    before, records = _hashes(data), DatasetImport.objects.count()
    monkeypatch.setattr("ctg.diagnostics.store.os.link", _fail_with(errno.ENOSPC))
    with pytest.raises(DatasetError, match="espace disque insuffisant"):
        import_datasets(write(tmp_path, "cc_filosofi_2021_COM.csv", WITH_CORSICA))
    assert _hashes(data) == before and DatasetImport.objects.count() == records


SHARED_TARN = SHARED_DATA / "example-81-tarn" / "cc_filosofi_2021_COM_81.csv"


@pytest.mark.skipif(not SHARED_TARN.is_file(), reason="données partagées absentes")
def test_the_readme_commands_a_caf_imports_its_real_departement_file_then_undoes_it(stats_dir, referential):
    """README: `ctg import_data chemin/cc_filosofi_2021_COM_81.csv --as conseillere@caf81.fr`, then
    `ctg import_data --undo N` (the real Tarn extract; the small référentiel knows three of its communes)."""
    data = stats_dir
    caf = OrganisationFactory(
        kind=Organisation.Kind.CAF, name="CAF du Tarn", departement=Departement.objects.get(code="81")
    )
    adviser = UserFactory(email="conseillere@caf81.fr", organisation=caf)
    out = io.StringIO()
    call_command("import_data", str(SHARED_TARN), "--as", adviser.email, stdout=out)
    record = DatasetImport.objects.get()
    assert record.imported_by == adviser and record.departements == ["81"]
    assert record.source_sha256 == hashlib.sha256(SHARED_TARN.read_bytes()).hexdigest()
    assert f"import n° {record.pk}" in out.getvalue()
    call_command("import_data", "--undo", str(record.pk), stdout=io.StringIO())
    assert _hashes(data) == {} and DatasetImport.objects.get().undone_at is not None


def test_a_cafs_journal_lists_only_the_imports_that_wrote_figures_of_its_departement(
    client, world, data, tmp_path
):
    tarn_adviser = world.users["pilote_caf"]
    assert _post(client, tarn_adviser, TARN_ONLY, name="filosofi_tarn_seulement.csv").status_code == 302
    manager = _data_manager()
    assert _post(client, manager, WITH_CORSICA, name="filosofi_national.csv").status_code == 302
    client.get(LIST_URL)  # the manager reads the message of their import (this test client is one browser)
    client.force_login(world.users["other_caf"])
    for url in (LIST_URL, URL):
        page = html.unescape(client.get(url).content.decode())
        assert "filosofi_tarn_seulement.csv" not in page and tarn_adviser.get_full_name() not in page
        assert "filosofi_national.csv" not in page  # the Tarn and Corsica: nothing of the Aude
    client.force_login(tarn_adviser)
    for url in (LIST_URL, URL):
        page = html.unescape(client.get(url).content.decode())
        assert "filosofi_tarn_seulement.csv" in page and "filosofi_national.csv" in page  # both wrote the 81
    client.force_login(manager)
    page = html.unescape(client.get(LIST_URL).content.decode())
    assert "filosofi_tarn_seulement.csv" in page and "filosofi_national.csv" in page
