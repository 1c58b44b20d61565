"""A bad file is refused whole: a French message naming file, line and column; the store and the history
unchanged."""

import re

import pytest

from ctg.diagnostics.importers import DatasetError, import_dataset
from ctg.diagnostics.models import DatasetImport

from .conftest import CAF_HEADER, FILOSOFI_HEADER, store_snapshot, write

FILOSOFI = "cc_filosofi_2021_COM.csv"


@pytest.fixture
def rejected(stats_dir, previous_import):
    """Import a file that must fail; check that nothing changed; return the message."""

    def check(path, **options):
        with pytest.raises(DatasetError) as raised:
            import_dataset(path, **options)
        assert store_snapshot(stats_dir) == previous_import
        assert DatasetImport.objects.count() == 1
        return str(raised.value)

    return check


def test_non_numeric_value(tmp_path, rejected):
    rows = [f"810{n:02d};100;200;20000;s;s" for n in range(10, 20)]
    path = write(tmp_path, FILOSOFI, [FILOSOFI_HEADER, "81004;23612;45331;21650;20,0;7,4", *rows])
    path.write_text(path.read_text().replace("81019;100;200;20000", "81019;100;200;21a50"))

    message = rejected(path)

    assert message == f"{FILOSOFI}, ligne 12, colonne MED21 : valeur non numérique « 21a50 »."


def test_decimal_point_in_a_decimal_comma_file(tmp_path, rejected):
    path = write(tmp_path, FILOSOFI, [FILOSOFI_HEADER, "81004;23612;45331;21650;20.0;7,4"])

    assert rejected(path) == f"{FILOSOFI}, ligne 2, colonne TP6021 : valeur non numérique « 20.0 »."


def test_wrong_separator(tmp_path, rejected):
    path = write(tmp_path, FILOSOFI, [FILOSOFI_HEADER.replace(";", ","), "81004,23612,45331,21650,20.0,7.4"])

    assert rejected(path) == f"{FILOSOFI}, ligne 1 : séparateur « , » trouvé dans l'en-tête, « ; » attendu."


def test_wrong_encoding(tmp_path, rejected):
    path = tmp_path / FILOSOFI
    content = f"{FILOSOFI_HEADER}\n81004;23612;45331;21650;20,0;7,4\n81271;Ménages;1;1;1;1\n"
    path.write_bytes(content.encode("latin-1"))

    message = rejected(path)

    assert message.startswith(f"{FILOSOFI}, ligne 3 : encodage invalide (octet 0xE9 non UTF-8)")


def test_missing_required_column(tmp_path, rejected):
    path = write(tmp_path, FILOSOFI, [FILOSOFI_HEADER.replace("CODGEO", "COMMUNE"), "81004;1;2;3;4;5"])

    message = rejected(path)

    assert message == (
        f"{FILOSOFI}, ligne 1 : colonne obligatoire « CODGEO » absente (Insee, FiLoSoFi – communes)."
    )


def test_missing_required_column_with_the_kind_given(tmp_path, rejected):
    path = write(tmp_path, "caf.csv", ['"code";"note";"a"', '"810040101";"0";12'])

    message = rejected(path, kind="caf_iris", year=2021)

    assert "colonne obligatoire « iris_code » absente" in message


def test_duplicated_code(tmp_path, rejected):
    path = write(
        tmp_path,
        FILOSOFI,
        [FILOSOFI_HEADER, "81004;1;2;3;4;5", "81271;1;2;3;4;5", "81004;1;2;3;4;5"],
    )

    assert rejected(path) == f"{FILOSOFI}, ligne 4, colonne CODGEO : code 81004 en double (déjà ligne 2)."


def test_duplicated_iris_code(tmp_path, rejected):
    path = write(
        tmp_path,
        "inseecaf2021.csv",
        [CAF_HEADER, '"810040101";"0";10;1;1', '"810040101";"0";10;1;1'],
        newline="\r\n",
    )

    assert "ligne 3, colonne iris_code : code 810040101 en double (déjà ligne 2)" in rejected(path)


@pytest.mark.parametrize("code", ["1004", "810040", "2C004", " 81004", "81 04"])
def test_malformed_code(tmp_path, rejected, code):
    path = write(tmp_path, FILOSOFI, [FILOSOFI_HEADER, "81004;1;2;3;4;5", f"{code};1;2;3;4;5"])

    message = rejected(path)

    assert message.startswith(f"{FILOSOFI}, ligne 3, colonne CODGEO : code invalide « {code} »")
    assert "5 caractères" in message


def test_truncated_file(tmp_path, rejected):
    path = tmp_path / FILOSOFI
    path.write_text(f"{FILOSOFI_HEADER}\n81004;23612;45331;21650;20,0;7,4\n81271;3000;65", encoding="utf-8")

    assert (
        rejected(path) == f"{FILOSOFI}, ligne 3 : 3 champs au lieu de 6 comme l'en-tête (ligne tronquée ?)."
    )


def test_truncated_inside_quotes(tmp_path, rejected):
    path = tmp_path / "inseecaf2021.csv"
    path.write_bytes(f'{CAF_HEADER}\r\n"810040101";"0";10;1;1\r\n"8100401'.encode())

    assert rejected(path) == (
        "inseecaf2021.csv, ligne 3 : "
        "fin du fichier au milieu d'un champ entre guillemets (fichier tronqué ?)."
    )


def test_line_with_too_many_fields(tmp_path, rejected):
    path = write(tmp_path, FILOSOFI, [FILOSOFI_HEADER, "81004;1;2;3;4;5;6"])

    assert rejected(path) == f"{FILOSOFI}, ligne 2 : 7 champs au lieu de 6 comme l'en-tête."


def test_empty_file(tmp_path, rejected):
    path = tmp_path / FILOSOFI
    path.write_bytes(b"")

    assert rejected(path) == f"{FILOSOFI} : fichier vide."


def test_header_only(tmp_path, rejected):
    path = write(tmp_path, FILOSOFI, [FILOSOFI_HEADER])

    assert rejected(path) == f"{FILOSOFI} : aucune ligne de données après l'en-tête."


def test_blank_line_in_the_middle(tmp_path, rejected):
    path = write(tmp_path, FILOSOFI, [FILOSOFI_HEADER, "81004;1;2;3;4;5", "", "81271;1;2;3;4;5"])

    assert rejected(path) == f"{FILOSOFI}, ligne 3 : ligne vide au milieu du fichier."


def test_unrecognised_format(tmp_path, rejected):
    path = write(tmp_path, "autre.csv", ["CODGEO;LIBGEO;SUPERF", "81004;Albi;44.26"])

    assert "format non reconnu d'après l'en-tête" in rejected(path)


def test_year_asked_differs_from_the_file(tmp_path, rejected):
    path = write(tmp_path, FILOSOFI, [FILOSOFI_HEADER, "81004;1;2;3;4;5"])

    assert rejected(path, year=2020) == f"{FILOSOFI} : millésime 2020 demandé, mais le fichier est de 2021."


def test_caf_without_a_year(tmp_path, rejected):
    path = write(tmp_path, "caf_iris.csv", [CAF_HEADER, '"810040101";"0";10;1;1'])

    assert "millésime introuvable dans le nom du fichier : précisez --year" in rejected(path)


def test_caf_invalid_note(tmp_path, rejected):
    path = write(tmp_path, "inseecaf2021.csv", [CAF_HEADER, '"810040101";"x";10;1;1'])

    assert rejected(path) == (
        "inseecaf2021.csv, ligne 2, colonne note : note de diffusion invalide « x » (entier attendu)."
    )


def test_column_of_another_vintage(tmp_path, rejected):
    path = write(tmp_path, FILOSOFI, [FILOSOFI_HEADER + ";MED20", "81004;1;2;3;4;5;6"])

    assert "millésime de la colonne « MED20 » différent de 2021" in rejected(path)


def test_no_code_of_the_referential(tmp_path, rejected):
    path = write(tmp_path, FILOSOFI, [FILOSOFI_HEADER, "33063;1;2;3;4;5"])

    assert rejected(path) == (
        f"{FILOSOFI} : aucun code ne correspond à une commune du référentiel territorial."
    )


def test_empty_referential(tmp_path, stats_dir, db, good_filosofi):
    with pytest.raises(DatasetError, match=re.escape("le référentiel territorial est vide")):
        import_dataset(good_filosofi)
    assert store_snapshot(stats_dir) == {}
    assert not DatasetImport.objects.exists()
