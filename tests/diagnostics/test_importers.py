import os

import pytest
from django.contrib.auth.models import Group

from ctg.diagnostics import reader
from ctg.diagnostics.importers import DatasetError, import_dataset, plm_commune, prepare_dataset
from ctg.diagnostics.models import DatasetImport
from ctg.diagnostics.reader import read_dataset
from ctg.organisations.permissions import DATA_MANAGERS_GROUP
from tests.factories import UserFactory

from .conftest import CAF_HEADER, FILOSOFI_HEADER, RP_HEADER, store_snapshot, write


def by_code(kind, year):
    return {row["code"]: row for row in read_dataset(kind, year)}


@pytest.fixture
def filosofi(tmp_path):
    """Albi and its former déléguée Cambon, Lavaur only through its ancien code, a secret, an arrondissement,
    a vanished commune and one that never existed."""
    return write(
        tmp_path,
        "cc_filosofi_2021_COM.csv",
        [
            FILOSOFI_HEADER,
            "81004;23612;45331;21650;20,0;7,4",
            "81050;150;340;23000;s;s",
            "81321;4000;9000;21540;14,5;-1,5",
            "81271;3000;6500;22000;s;nd",
            "2A004;30000;65000;22500;15,1;6,0",
            "75101;8414;14945;35030;11,0;s",
            "81999;10;20;s;s;s",
            "81888;10;20;s;s;s",
        ],
    )


def test_filosofi_maps_old_codes_to_current_communes(stats_dir, referential, filosofi):
    record = import_dataset(filosofi)

    rows = by_code("filosofi_com", 2021)
    assert list(rows) == ["2A004", "75101", "81004", "81140", "81271"]
    albi = rows["81004"]
    # Counts of merged communes add up; a median or a rate cannot be rebuilt, and is not a secret either.
    assert (albi["source_codes"], albi["source_rows"]) == ("81004 81050", 2)
    assert (albi["NBMENFISC21"], albi["NBPERSMENFISC21"]) == (23762, 45671)
    assert (albi["MED21"], albi["MED21_secret"], albi["TP6021"], albi["TP6021_secret"]) == (
        None,
        False,
        None,
        False,
    )
    # One source row only: its values are kept whole, under the current code.
    lavaur = rows["81140"]
    assert (lavaur["source_codes"], lavaur["MED21"], lavaur["TP6021"], lavaur["PPSOC21"]) == (
        "81321",
        21540,
        14.5,
        -1.5,
    )
    assert lavaur["plm_commune"] is None
    assert (record.rows_read, record.communes_matched, record.codes_mapped) == (8, 4, 2)
    assert (record.arrondissements, record.unknown_codes) == (1, ["81888", "81999"])
    assert (record.kind, record.year, record.source_name) == (
        "filosofi_com",
        2021,
        "cc_filosofi_2021_COM.csv",
    )
    assert record.path == "stats/filosofi_com/2021.parquet"
    assert record.imported_by is None


def test_filosofi_secret_is_told_apart_from_missing(stats_dir, referential, filosofi):
    import_dataset(filosofi)

    juery = by_code("filosofi_com", 2021)["81271"]
    assert (juery["TP6021"], juery["TP6021_secret"]) == (None, True)  # s
    assert (juery["PPSOC21"], juery["PPSOC21_secret"]) == (None, False)  # nd
    assert (juery["MED21"], juery["MED21_secret"]) == (22000, False)


def test_a_secret_count_of_a_merged_commune_is_secret(stats_dir, referential, tmp_path):
    path = write(
        tmp_path,
        "cc_filosofi_2021_COM.csv",
        [FILOSOFI_HEADER, "81004;23612;45331;21650;20,0;7,4", "81050;150;s;23000;s;s"],
    )

    import_dataset(path)

    albi = by_code("filosofi_com", 2021)["81004"]
    assert (albi["NBMENFISC21"], albi["NBMENFISC21_secret"]) == (23762, False)
    assert (albi["NBPERSMENFISC21"], albi["NBPERSMENFISC21_secret"]) == (None, True)


def test_codes_stay_text(stats_dir, referential, filosofi):
    import_dataset(filosofi)

    assert reader.dataset_columns("filosofi_com", 2021)[:4] == [
        "code",
        "plm_commune",
        "source_codes",
        "source_rows",
    ]
    row = read_dataset("filosofi_com", 2021, codes=["2A004"])[0]
    assert row["code"] == "2A004"


def test_arrondissements_keep_their_code(stats_dir, referential, filosofi):
    import_dataset(filosofi)

    paris_1er = by_code("filosofi_com", 2021)["75101"]
    assert (paris_1er["plm_commune"], paris_1er["MED21"], paris_1er["PPSOC21_secret"]) == (
        "75056",
        35030,
        True,
    )
    assert [
        plm_commune(code) for code in ("75101", "75120", "69381", "13216", "75121", "81004", "2A004")
    ] == [
        "75056",
        "75056",
        "69123",
        "13055",
        None,
        None,
        None,
    ]


def test_caf_sums_iris_to_communes(stats_dir, referential, tmp_path):
    path = write(
        tmp_path,
        "inseecaf2021.csv",
        [
            CAF_HEADER,
            '"810040101";"0";1132;88;154',
            '"810040102";"0";768;66;',  # an empty cell is a small-count secret
            '"810500101";"0";50;5;3',  # Cambon, now in Albi
            '"811400101";"0";500;40;30',
            '"811400102";"3";;;',  # a secret row
            '"812710101";"0";300;20;10',
            '"751010101";"0";900;70;60',
            '"751010102";"0";100;10;5',
        ],
        newline="\r\n",
    )

    record = import_dataset(path)

    rows = by_code("caf_iris", 2021)
    albi, lavaur, juery, paris_1er = rows["81004"], rows["81140"], rows["81271"], rows["75101"]
    assert (albi["source_codes"], albi["source_rows"]) == ("81004 81050", 3)
    assert (albi["a"], albi["am"], albi["arsas"], albi["arsas_secret"]) == (1950, 159, None, True)
    # A secret IRIS makes every value of its commune secret.
    assert [(lavaur[c], lavaur[f"{c}_secret"]) for c in ("a", "am", "arsas")] == [(None, True)] * 3
    assert (juery["a"], juery["a_secret"], juery["source_rows"]) == (300, False, 1)
    assert (paris_1er["plm_commune"], paris_1er["a"]) == ("75056", 1000)
    assert (record.year, record.rows_read, record.communes_matched, record.codes_mapped) == (2021, 8, 3, 1)
    assert record.arrondissements == 1


def test_caf_year_from_the_option(stats_dir, referential, tmp_path):
    path = write(tmp_path, "caf_par_iris.csv", [CAF_HEADER, '"810040101";"0";1132;88;154'])

    assert import_dataset(path, year=2022).year == 2022
    assert reader.available_vintages("caf_iris") == [2022]


def test_census_dossier_complet(stats_dir, referential, tmp_path):
    path = write(
        tmp_path,
        "dossier_complet.csv",
        [
            RP_HEADER,
            "81004;7000.5;12000.25;49000.0;1900.0;2500.75",
            "81050;100.0;50.0;140.0;10.0;",
            "81271;1000.0;900.0;6700.0;100.0;",
        ],
    )

    record = import_dataset(path)

    assert (record.kind, record.year) == ("rp_dossier_complet", 2022)
    rows = by_code("rp_dossier_complet", 2022)
    albi, juery = rows["81004"], rows["81271"]
    assert (albi["P22_POP0014"], albi["P22_POP1529"], albi["P16_POP"], albi["C22_FAMMONO"]) == (
        7100.5,
        12050.25,
        49140,
        1910,
    )
    assert (albi["SNEMM_23"], albi["SNEMM_23_secret"]) == (None, False)  # a mean salary does not add up
    assert (juery["SNEMM_23"], juery["SNEMM_23_secret"]) == (None, False)  # empty: not available


def test_kind_given_explicitly(stats_dir, referential, filosofi):
    assert prepare_dataset(filosofi, kind="filosofi_com").kind == "filosofi_com"
    with pytest.raises(DatasetError, match="Jeu de données inconnu « autre »"):
        prepare_dataset(filosofi, kind="autre")


def test_utf8_bom_and_crlf_are_accepted(stats_dir, referential, tmp_path):
    path = tmp_path / "cc_filosofi_2021_COM.csv"
    path.write_bytes(("\ufeff" + FILOSOFI_HEADER + "\r\n81004;23612;45331;21650;20,0;7,4\r\n").encode())

    import_dataset(path)

    assert read_dataset("filosofi_com", 2021)[0]["MED21"] == 21650


def test_reimport_replaces_the_vintage(stats_dir, referential, filosofi, good_filosofi):
    user = UserFactory(is_staff=True)  # a data manager: a person imports with their scope
    user.groups.add(Group.objects.get(name=DATA_MANAGERS_GROUP))
    import_dataset(filosofi)

    record = import_dataset(good_filosofi, imported_by=user)

    assert list(by_code("filosofi_com", 2021)) == ["81004", "81271"]
    assert [p.name for p in (stats_dir / "filosofi_com").iterdir()] == ["2021.parquet"]
    assert DatasetImport.objects.count() == 2
    assert DatasetImport.objects.latest() == record
    assert record.imported_by == user


def test_failed_write_leaves_the_previous_vintage(stats_dir, previous_import, filosofi, monkeypatch):
    def fail(*args):
        raise OSError("disque plein")

    monkeypatch.setattr(os, "replace", fail)

    with pytest.raises(DatasetError, match="écriture impossible .* Rien n'a été modifié"):
        import_dataset(filosofi)

    assert store_snapshot(stats_dir) == previous_import
    assert DatasetImport.objects.count() == 1


def test_progress_bar_on_stderr(stats_dir, referential, filosofi, capsys):
    prepare_dataset(filosofi, progress=True)

    captured = capsys.readouterr()
    assert "cc_filosofi_2021_COM.csv" in captured.err
    assert captured.out == ""
