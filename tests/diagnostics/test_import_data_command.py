import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ctg.diagnostics.models import DatasetImport
from ctg.diagnostics.reader import available_datasets
from ctg.organisations.models import Organisation
from ctg.territories.models import Departement
from tests.factories import OrganisationFactory, UserFactory

from .conftest import CAF_HEADER, FILOSOFI_HEADER, store_snapshot, write


def test_report_in_french(stats_dir, referential, tmp_path):
    path = write(
        tmp_path,
        "cc_filosofi_2021_COM.csv",
        [FILOSOFI_HEADER, "81004;1;2;3;4;5", "81050;1;2;3;4;5", "75101;1;2;3;4;5", "81888;1;2;3;4;5"],
    )
    out = StringIO()

    call_command("import_data", str(path), stdout=out, stderr=StringIO())

    report = out.getvalue()
    assert "cc_filosofi_2021_COM.csv : Insee, FiLoSoFi – communes, millésime 2021" in report
    assert "lignes lues : 4\n" in report
    assert "communes reconnues : 1\n" in report
    assert "codes d'anciennes communes rattachés à une commune actuelle : 1\n" in report
    assert "arrondissements municipaux (Paris, Lyon, Marseille) conservés sous leur code : 1\n" in report
    assert "codes inconnus, ignorés : 1 (81888)" in report
    assert "enregistré dans stats/filosofi_com/2021.parquet" in report


def test_kind_year_and_user_options(stats_dir, referential, tmp_path):
    """`--as` (alias `--user`): who imports, with their scope (a CAF adviser of the Tarn, a Tarn file)."""
    caf = OrganisationFactory(
        kind=Organisation.Kind.CAF, name="CAF du Tarn", departement=Departement.objects.get(code="81")
    )
    user = UserFactory(email="import@caf.fr", organisation=caf)
    path = write(tmp_path, "caf.csv", [CAF_HEADER, '"810040101";"0";10;1;1'])

    call_command(
        "import_data", str(path), kind="caf_iris", year=2021, user="IMPORT@caf.fr", stdout=StringIO()
    )

    record = DatasetImport.objects.get()
    assert (record.kind, record.year, record.imported_by) == ("caf_iris", 2021, user)
    assert record.departements == ["81"] and record.imported_as == "Conseiller·ère CAF (81)"


def test_as_a_person_without_rights_is_refused(stats_dir, referential, good_filosofi):
    UserFactory(email="coordination@epci.fr")
    with pytest.raises(CommandError, match="vous n'avez pas le droit d'importer des statistiques"):
        call_command("import_data", str(good_filosofi), **{"user": "coordination@epci.fr"}, stdout=StringIO())
    assert not DatasetImport.objects.exists() and store_snapshot(stats_dir) == {}


def test_unknown_user(stats_dir, referential, good_filosofi):
    with pytest.raises(CommandError, match="Aucun utilisateur avec l'adresse « personne@nulle.part »"):
        call_command("import_data", str(good_filosofi), user="personne@nulle.part", stdout=StringIO())
    assert not DatasetImport.objects.exists()


def test_one_bad_file_and_nothing_is_written(stats_dir, referential, good_filosofi, tmp_path):
    bad = write(tmp_path, "inseecaf2021.csv", [CAF_HEADER, '"810040101";"0";dix;1;1'])

    with pytest.raises(CommandError) as raised:
        call_command("import_data", str(good_filosofi), str(bad), stdout=StringIO())

    assert str(raised.value) == (
        "Import refusé, rien n'a été modifié. inseecaf2021.csv, ligne 2, colonne a : "
        "valeur non numérique « dix »."
    )
    assert store_snapshot(stats_dir) == {}
    assert not DatasetImport.objects.exists()


def test_two_files_of_the_same_vintage(stats_dir, referential, good_filosofi, tmp_path):
    copy = write(tmp_path, "copie.csv", good_filosofi.read_text().splitlines())

    with pytest.raises(CommandError, match="sont le même jeu de données"):
        call_command("import_data", str(good_filosofi), str(copy), stdout=StringIO())
    assert available_datasets() == {}


def test_exit_code_and_message_on_error(tmp_path):
    """Through the console script: a non-zero exit code and the French message on stderr."""
    path = tmp_path / "vide.csv"
    path.write_bytes(b"")
    environment = {**os.environ, "CTG_DATA_DIR": str(tmp_path / "data")}

    result = subprocess.run(
        [sys.executable, "-m", "ctg.manage", "import_data", str(path)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )

    assert result.returncode != 0
    assert "Import refusé, rien n'a été modifié. vide.csv : fichier vide." in result.stderr
    assert not (tmp_path / "data" / "stats").exists()
