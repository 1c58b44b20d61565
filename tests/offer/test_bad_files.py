"""Malformed France Services lists: each is refused with a French message that names the file, the line and
the column, and leaves the inventory as it was."""

import pytest
from django.core.management import CommandError, call_command

from ctg.offer.importers import OfferImportError, import_offer

from .conftest import HEADER, csv_text, good_rows, inventory_snapshot, site, write_list


def _drop_column(name):
    header = [column for column in HEADER if column != name]
    return csv_text(good_rows(), header).encode("utf-8")


def _rows(*changes):
    rows = good_rows()
    for index, values in changes:
        rows[index] = {**rows[index], **values}
    return csv_text(rows).encode("utf-8")


def _latin1():
    return csv_text(good_rows()).encode("latin-1")  # « Cécile », line 2, in Latin-1


def _truncated():
    return csv_text(good_rows()).rstrip("\n")[:-2].encode("utf-8")  # the last field, « "Antenn », unclosed


# (name, file bytes, fragments the message must contain)
BAD_FILES = [
    ("missing_column", _drop_column("h_samedi"), ["ligne 1", "colonne h_samedi", "« h_samedi » absente"]),
    ("bad_commune_code", _rows((1, {"insee_com": "8100"})), ["ligne 3", "colonne insee_com", "« 8100 »"]),
    (
        "unknown_commune",
        _rows((1, {"insee_com": "81888"})),
        ["ligne 3", "colonne insee_com", "81888", "inconnu du référentiel"],
    ),
    (
        "commune_without_successor",
        _rows((1, {"insee_com": "81999"})),
        ["ligne 3", "colonne insee_com", "plus en vigueur"],
    ),
    (
        "commune_of_another_departement",
        _rows((1, {"insee_dep": "12"})),
        ["ligne 3", "colonne insee_com", "pas dans le département « 12 »"],
    ),
    ("bad_latitude", _rows((2, {"latitude": "48,86"})), ["ligne 4", "colonne latitude", "« 48,86 »"]),
    ("latitude_out_of_range", _rows((0, {"latitude": "143.9"})), ["ligne 2", "colonne latitude", "hors de"]),
    ("one_coordinate_only", _rows((0, {"longitude": ""})), ["ligne 2", "colonne latitude", "l'une est vide"]),
    (
        "duplicate_id",
        _rows((2, {"id_fs": "1"})),
        ["ligne 4", "colonne id_fs", "« 1 » en double (déjà ligne 2)"],
    ),
    ("bad_encoding", _latin1(), ["ligne 2", "encodage invalide (octet 0xE9", "UTF-8"]),
    ("empty_file", b"", ["fichier vide"]),
    ("blank_file", b"\n\n  \n", ["fichier vide"]),
    ("header_only", csv_text([]).encode("utf-8"), ["aucune ligne de données"]),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", ["ligne", "octet"]),
    (
        "wrong_separator",
        csv_text(good_rows(), separator=";").encode("utf-8"),
        ["ligne 1", "séparateur « ; »"],
    ),
    ("not_the_list", b"CODGEO;MED21\n81004;21650\n", ["ligne 1", "séparateur « ; »"]),
    ("other_csv", b"code,nom\n81004,Albi\n", ["ligne 1", "format de fichier non reconnu"]),
    ("bad_hours", _rows((0, {"h_lundi": "9h-12h"})), ["ligne 2", "colonne h_lundi", "« 9h-12h »"]),
    (
        "reversed_hours",
        _rows((1, {"h_mardi": "14:00 - 12:00"})),
        ["ligne 3", "colonne h_mardi", "finit avant de commencer"],
    ),
    ("impossible_hour", _rows((0, {"h_jeudi": "09:00 - 25:00"})), ["ligne 2", "colonne h_jeudi", "25:00"]),
    (
        "overlong_name",
        _rows((0, {"lib_fs": "France services " * 20})),
        ["ligne 2", "colonne lib_fs", "250 au plus"],
    ),
    (
        "overlong_comment",
        _rows((2, {"commentaire": "x" * 2001})),
        ["ligne 4", "colonne commentaire", "2000 au plus"],
    ),
    (
        "bad_mobile_flag",
        _rows((0, {"itinerance": "Parfois"})),
        ["ligne 2", "colonne itinerance", "Oui ou Non"],
    ),
    ("bad_postcode", _rows((0, {"code_postal": "8100"})), ["ligne 2", "colonne code_postal", "« 8100 »"]),
    ("empty_id", _rows((2, {"id_fs": ""})), ["ligne 4", "colonne id_fs", "identifiant vide"]),
    ("empty_name", _rows((0, {"lib_fs": ""})), ["ligne 2", "colonne lib_fs", "nom du site vide"]),
    ("truncated_quote", _truncated(), ["ligne 4", "fin du fichier au milieu d'un champ"]),
    (
        "short_row",
        csv_text(good_rows()).replace(',"Lieu fixe"\n', "\n", 1).encode("utf-8"),
        ["ligne 2", "23 champs au lieu de 24"],
    ),
    (
        "blank_line_inside",
        csv_text(good_rows()).replace("\n", "\n\n", 2).encode("utf-8"),
        ["ligne 2", "ligne vide au milieu"],
    ),
    (
        "duplicate_column",
        csv_text(good_rows(), [*HEADER, "lib_fs"]).encode("utf-8"),
        ["ligne 1", "colonne lib_fs", "en double"],
    ),
    ("overlong_line", b'"id_fs","lib_fs"\n"1","' + b"x" * 70000 + b'"\n', ["ligne 2", "Kio"]),
]


@pytest.fixture
def previous(referential, good_list):
    """An inventory already loaded from a good list, that a refused import must leave as it is."""
    import_offer([good_list])
    return inventory_snapshot()


def test_at_least_ten_kinds_of_bad_files():
    assert len(BAD_FILES) >= 10


@pytest.mark.parametrize(("name", "content", "fragments"), BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_a_bad_file_is_refused_and_changes_nothing(previous, tmp_path, name, content, fragments):
    path = tmp_path / f"{name}.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError) as caught:
        call_command("offer_import", str(path))

    message = str(caught.value)
    assert message.startswith("Import refusé, rien n'a été modifié.")
    assert f"{name}.csv" in message
    for fragment in fragments:
        assert fragment in message, message
    assert inventory_snapshot() == previous


def test_a_bad_file_among_good_ones_refuses_the_whole_command(previous, tmp_path, good_list):
    other = write_list(
        tmp_path, [site(id_fs="9", lib_fs="Nouveau site"), site(id_fs="10", latitude="nord")], "b.csv"
    )

    with pytest.raises(CommandError, match=r"b\.csv, ligne 3, colonne latitude"):
        call_command("offer_import", str(good_list), str(other))

    assert inventory_snapshot() == previous


def test_an_id_repeated_in_two_files_names_both(previous, tmp_path, good_list):
    other = write_list(tmp_path, [site(id_fs="3")], "autre.csv")

    with pytest.raises(
        OfferImportError, match=r"autre\.csv, ligne 2, colonne id_fs : .*déjà liste-fs\.csv, ligne 4"
    ):
        import_offer([good_list, other])

    assert inventory_snapshot() == previous


def test_a_missing_file_is_refused(previous, tmp_path):
    with pytest.raises(CommandError, match="absent.csv : lecture impossible"):
        call_command("offer_import", str(tmp_path / "absent.csv"))

    assert inventory_snapshot() == previous


def test_the_dry_run_of_a_bad_file_is_refused_too(previous, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(_rows((0, {"insee_com": "8100"})))

    with pytest.raises(CommandError, match="bad.csv, ligne 2, colonne insee_com"):
        call_command("offer_import", str(path), "--dry-run")

    assert inventory_snapshot() == previous
