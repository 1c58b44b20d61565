"""Who may replace the statistics of the store (audit, high severity: a coordinator's 2-row FiLoSoFi file
reduced the national vintage from 34,845 communes to 2).

A platform data manager imports any file; a CAF adviser only files of their CAF's département, over a
vintage that holds no other département's figures; nobody else. A refused import changes nothing.
"""

import errno
import html
import os

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from ctg.diagnostics.importers import DatasetError, import_datasets
from ctg.diagnostics.models import DatasetImport
from ctg.diagnostics.scope import can_import_statistics, import_scope
from tests.diagnostics.conftest import FILOSOFI_HEADER, store_snapshot, write
from tests.factories import UserFactory

URL = "/statistiques/import/"
TARN_ONLY = [FILOSOFI_HEADER, "81004;23612;45331;21650;20,0;7,4", "81140;5000;9000;22000;12,0;6,1"]
WITH_CORSICA = [*TARN_ONLY, "2A004;30000;60000;21000;18,0;8,0"]


@pytest.fixture
def data(world, stats_dir, referential):
    return stats_dir


def _post(client, user, lines, name="cc_filosofi_2021_COM.csv"):
    client.force_login(user)
    upload = SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode("utf-8"), content_type="text/csv")
    return client.post(URL, {"file": upload})


def _data_manager():
    user = UserFactory(email="donnees@plateforme.fr", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_datasetimport"))
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


def test_a_departement_file_over_a_national_vintage_is_refused_and_names_the_departements(
    client, world, data, tmp_path
):
    _national_vintage(tmp_path)
    before, records = store_snapshot(data), DatasetImport.objects.count()
    response = _post(client, world.users["pilote_caf"], TARN_ONLY)
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "le millésime 2021" in page
    assert "contient aussi les chiffres de 1 autre département (2A) : l'import les effacerait." in page
    assert "Seul·e un·e gestionnaire des données de la plateforme peut remplacer ce millésime." in page
    assert store_snapshot(data) == before and DatasetImport.objects.count() == records


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
