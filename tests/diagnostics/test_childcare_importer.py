"""Cnaf, « accueil du jeune enfant – taux de couverture » (data.caf.fr): communes, EPCI and départements, one
vintage per year of the file."""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ctg.diagnostics import reader
from ctg.diagnostics.importers import (
    DatasetError,
    detect_format,
    import_dataset,
    import_datasets,
    prepare_dataset,
    prepare_datasets,
)
from ctg.diagnostics.models import DatasetImport
from tests.factories import DepartementFactory, EpciFactory

from .conftest import CAF_HEADER, FILOSOFI_HEADER, RP_HEADER, store_snapshot, write

COM = "txcouv_pe_com.csv"
COM_HEADER = (
    "annee;numcom;nomcom;numepci;nomepci;numdep;nomdep;txcouv_com;txcouv_eaje_com;pl_psu_col_com;nb_am_com"
)
EPCI_HEADER = "annee;numepci;nomepci;txcouv_epci;txcouv_am_ind_epci;pl_psu_col_epci;tot_offre_epci"
DEP_HEADER = "annee;numdep;nomdep;txcouv_dep;txcouv_prescol_dep;pl_hors_psu_col_dep"


def commune(year, code, rate, eaje, places, nannies="10", name="Commune"):
    return f'{year};{code};"{name}";248100737;"CA de l\'Albigeois";81;"Tarn";{rate};{eaje};{places};{nannies}'


@pytest.fixture
def communes_file(tmp_path):
    """Two years; Albi with its former déléguée Cambon in 2022; decimal comma and point; a placeholder."""
    return write(
        tmp_path,
        COM,
        [
            COM_HEADER,
            commune(2022, "81004", "60,5", "30,2", "500", name="Albi"),
            commune(2022, "81050", "70,0", "10,0", "20", "2", name="Cambon"),
            commune(2022, "81271", "55.5", "", "12"),  # decimal point; an empty cell is missing
            commune(2022, "XXXXX", "40,0", "", ""),  # the publisher's placeholder: no territory
            commune(2022, "81888", "40,0", "", ""),
            commune("2023-01-01", "81004", "62", "31,5", "510", name="Albi"),  # a date: its year
            commune(2023, "81321", "50.25", "20", "100"),
        ],
    )


def by_code(kind, year):
    return {row["code"]: row for row in reader.read_dataset(kind, year)}


def test_communes_one_vintage_per_year(stats_dir, referential, communes_file):
    records = import_datasets(communes_file)

    assert [(r.kind, r.year) for r in records] == [("caf_txcouv_com", 2022), ("caf_txcouv_com", 2023)]
    assert records[0].get_kind_display() == "Cnaf, taux de couverture accueil jeune enfant – communes"
    assert reader.available_vintages("caf_txcouv_com") == [2022, 2023]
    assert reader.dataset_columns("caf_txcouv_com", 2022) == [
        "code",
        "plm_commune",
        "source_codes",
        "source_rows",
        "txcouv_com",
        "txcouv_com_secret",
        "txcouv_eaje_com",
        "txcouv_eaje_com_secret",
        "pl_psu_col_com",
        "pl_psu_col_com_secret",
        "nb_am_com",
        "nb_am_com_secret",
    ]
    first = by_code("caf_txcouv_com", 2022)
    assert list(first) == ["81004", "81271"]
    albi = first["81004"]
    # Rates of merged communes cannot be rebuilt: NULL, not secret; places add up.
    assert (albi["source_codes"], albi["source_rows"]) == ("81004 81050", 2)
    assert (albi["txcouv_com"], albi["txcouv_com_secret"], albi["txcouv_eaje_com"]) == (None, False, None)
    assert (albi["pl_psu_col_com"], albi["nb_am_com"]) == (520, 12)
    juery = first["81271"]
    assert (juery["txcouv_com"], juery["txcouv_eaje_com"], juery["txcouv_eaje_com_secret"]) == (
        55.5,
        None,
        False,
    )
    assert (juery["plm_commune"], juery["pl_psu_col_com"]) == (None, 12)

    second = by_code("caf_txcouv_com", 2023)
    assert (second["81004"]["txcouv_com"], second["81004"]["txcouv_eaje_com"]) == (62, 31.5)
    assert (second["81140"]["source_codes"], second["81140"]["txcouv_com"]) == ("81321", 50.25)

    assert (records[0].rows_read, records[0].communes_matched, records[0].codes_mapped) == (5, 2, 1)
    assert records[0].unknown_codes == ["81888", "XXXXX"]
    assert (records[1].rows_read, records[1].communes_matched, records[1].codes_mapped) == (2, 2, 1)
    assert records[1].unknown_codes == []
    assert DatasetImport.objects.count() == 2


def test_placeholders_are_counted(stats_dir, referential, communes_file):
    prepared = prepare_datasets(communes_file)

    assert [(dataset.year, dataset.placeholders) for dataset in prepared] == [(2022, 1), (2023, 0)]


def test_one_year_picked_with_the_option(stats_dir, referential, communes_file):
    records = import_datasets(communes_file, year=2023)

    assert [r.year for r in records] == [2023]
    assert reader.available_vintages("caf_txcouv_com") == [2023]
    assert import_dataset(communes_file, year=2022).year == 2022


def test_a_failed_write_puts_back_every_vintage(stats_dir, referential, communes_file, monkeypatch):
    import_datasets(communes_file, year=2022)
    before = store_snapshot(stats_dir)
    replace = os.replace
    calls = []

    def fail_second(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise OSError("disque plein")
        replace(source, target)

    monkeypatch.setattr(os, "replace", fail_second)

    # Any failure to write is told in French (here an OSError without errno): nothing was changed.
    with pytest.raises(DatasetError, match="écriture impossible .* Rien n'a été modifié"):
        import_datasets(communes_file)

    # 2022 was replaced, then 2023 failed: 2022 is put back, 2023 never appears, no record is kept.
    assert [Path(target).name for target in calls] == ["2022.parquet", "2023.parquet", "2022.parquet"]
    assert store_snapshot(stats_dir) == before
    assert DatasetImport.objects.count() == 1


def test_year_absent_from_the_file(stats_dir, referential, communes_file):
    with pytest.raises(DatasetError) as raised:
        import_datasets(communes_file, year=2021)

    assert (
        str(raised.value) == f"{COM} : millésime 2021 demandé, absent du fichier (millésimes : 2022, 2023)."
    )
    assert store_snapshot(stats_dir) == {}


def test_one_vintage_expected_by_prepare_dataset(stats_dir, referential, communes_file):
    with pytest.raises(DatasetError, match="le fichier contient plusieurs millésimes \\(2022, 2023\\)"):
        prepare_dataset(communes_file)


def test_epci(stats_dir, referential, tmp_path):
    EpciFactory(siren="248100737", name="CA de l'Albigeois")
    EpciFactory(siren="200066637", name="CC Tarn-Agout", is_active=False)
    path = write(
        tmp_path,
        "txcouv_pe_epci.csv",
        [
            EPCI_HEADER,
            '2023;"248100737";"CA de l\'Albigeois";65,3;30.1;450;1200',
            "2023;200066637;CC Tarn-Agout;50;20;100;300",  # no longer in force
            "2023;XXXXXXXXX;;40;;;",
        ],
    )

    (record,) = import_datasets(path)

    assert (record.kind, record.year, record.communes_matched) == ("caf_txcouv_epci", 2023, 1)
    assert record.unknown_codes == ["200066637", "XXXXXXXXX"]
    row = reader.read_dataset("caf_txcouv_epci", 2023)[0]
    assert row == {
        "code": "248100737",
        "plm_commune": None,
        "source_codes": "248100737",
        "source_rows": 1,
        "txcouv_epci": 65.3,
        "txcouv_epci_secret": False,
        "txcouv_am_ind_epci": 30.1,
        "txcouv_am_ind_epci_secret": False,
        "pl_psu_col_epci": 450,
        "pl_psu_col_epci_secret": False,
        "tot_offre_epci": 1200,
        "tot_offre_epci_secret": False,
    }


def test_departements(stats_dir, referential, tmp_path):
    DepartementFactory(code="2B", name="Haute-Corse")
    path = write(
        tmp_path,
        "txcouv_pe_dep.csv",
        [
            DEP_HEADER,
            "2022;81;Tarn;58,1;10,5;3000",
            "2022;2A;Corse-du-Sud;45;8;900",
            "2022;974;La Réunion;30;5;5000",  # not in the référentiel of the test
            "2022;XX;;;;",
            "2023;81;Tarn;59;11;3100",
        ],
    )

    records = import_datasets(path)

    assert [(r.kind, r.year) for r in records] == [("caf_txcouv_dep", 2022), ("caf_txcouv_dep", 2023)]
    assert records[0].unknown_codes == ["974", "XX"]
    assert records[0].communes_matched == 2
    first = by_code("caf_txcouv_dep", 2022)
    assert list(first) == ["2A", "81"]
    assert (
        first["81"]["txcouv_dep"],
        first["81"]["txcouv_prescol_dep"],
        first["81"]["pl_hors_psu_col_dep"],
    ) == (
        58.1,
        10.5,
        3000,
    )
    assert by_code("caf_txcouv_dep", 2023)["81"]["txcouv_dep"] == 59


def test_upper_case_header_and_bom(stats_dir, referential, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(("\ufeffANNEE;NUMDEP;TXCOUV_DEP\r\n2023;81;58,1\r\n").encode())

    (record,) = import_datasets(path)

    assert record.kind == "caf_txcouv_dep"
    assert reader.read_dataset("caf_txcouv_dep", 2023)[0]["txcouv_dep"] == 58.1


def test_recognised_from_the_header(db):
    assert detect_format(COM_HEADER.split(";"), COM).kind == "caf_txcouv_com"
    assert detect_format(EPCI_HEADER.split(";"), COM).kind == "caf_txcouv_epci"
    assert detect_format(DEP_HEADER.split(";"), COM).kind == "caf_txcouv_dep"
    # A commune file missing its key is still a commune file (and then refused for the missing column).
    assert detect_format(["annee", "txcouv_eaje_com"], COM).kind == "caf_txcouv_com"
    for header, kind in ((FILOSOFI_HEADER, "filosofi_com"), (RP_HEADER, "rp_dossier_complet")):
        assert detect_format(header.split(";"), "x.csv").kind == kind
    assert detect_format(CAF_HEADER.replace('"', "").split(";"), "x.csv").kind == "caf_iris"


def test_command_reports_each_vintage(stats_dir, referential, communes_file):
    out = StringIO()

    call_command("import_data", str(communes_file), stdout=out, stderr=StringIO())

    report = out.getvalue()
    assert f"{COM} : Cnaf, taux de couverture accueil jeune enfant – communes, millésime 2022" in report
    assert f"{COM} : Cnaf, taux de couverture accueil jeune enfant – communes, millésime 2023" in report
    assert "lignes sans territoire (code XXXXX), ignorées : 1\n" in report
    assert "codes inconnus, ignorés : 2 (81888, XXXXX)" in report
    assert "enregistré dans stats/caf_txcouv_com/2022.parquet" in report
    assert "enregistré dans stats/caf_txcouv_com/2023.parquet" in report
    assert DatasetImport.objects.count() == 2


def test_command_epci_report(stats_dir, referential, tmp_path):
    EpciFactory(siren="248100737")
    path = write(tmp_path, "txcouv_pe_epci.csv", [EPCI_HEADER, "2023;248100737;CA;65,3;30.1;450;1200"])
    out = StringIO()

    call_command("import_data", str(path), kind="caf_txcouv_epci", year=2023, stdout=out, stderr=StringIO())

    report = out.getvalue()
    assert "EPCI reconnus : 1\n" in report
    assert "anciennes communes" not in report


def test_command_refuses_a_bad_year_and_writes_nothing(stats_dir, referential, communes_file, tmp_path):
    bad = write(tmp_path, "txcouv_pe_dep.csv", [DEP_HEADER, "2023;81;Tarn;cinquante;1;1"])

    with pytest.raises(CommandError, match="Import refusé, rien n'a été modifié. txcouv_pe_dep.csv, ligne 2"):
        call_command("import_data", str(communes_file), str(bad), stdout=StringIO())

    assert store_snapshot(stats_dir) == {}
    assert not DatasetImport.objects.exists()


# --- Bad input: refused whole, the store and the history unchanged ----------------------------------------


@pytest.fixture
def rejected(stats_dir, previous_import):
    def check(path, **options):
        with pytest.raises(DatasetError) as raised:
            import_datasets(path, **options)
        assert store_snapshot(stats_dir) == previous_import
        assert DatasetImport.objects.count() == 1
        return str(raised.value)

    return check


def test_wrong_separator(tmp_path, rejected):
    path = write(tmp_path, COM, [COM_HEADER.replace(";", ","), "2023,81004,Albi,,,,,60.5,30,500,10"])

    assert rejected(path) == f"{COM}, ligne 1 : séparateur « , » trouvé dans l'en-tête, « ; » attendu."


def test_missing_rate_column(tmp_path, rejected):
    path = write(tmp_path, COM, ["annee;numcom;txcouv_eaje_com", "2023;81004;30"])

    assert rejected(path) == (
        f"{COM}, ligne 1 : colonne obligatoire « txcouv_com » absente "
        "(Cnaf, taux de couverture accueil jeune enfant – communes)."
    )


def test_missing_key_column(tmp_path, rejected):
    path = write(tmp_path, "dep.csv", ["annee;code;txcouv_dep", "2023;81;58"])

    assert "colonne obligatoire « numdep » absente" in rejected(path)


def test_missing_year_column_with_the_kind_given(tmp_path, rejected):
    path = write(tmp_path, "epci.csv", ["numepci;txcouv_epci", "248100737;58"])

    assert "colonne obligatoire « annee » absente" in rejected(path, kind="caf_txcouv_epci")


def test_duplicated_code_in_one_year(tmp_path, rejected):
    path = write(
        tmp_path,
        COM,
        [
            COM_HEADER,
            commune(2022, "81004", "60", "30", "500"),
            commune(2023, "81004", "60", "30", "500"),  # another year: fine
            commune("2023-01-01", "81004", "61", "30", "500"),
        ],
    )

    assert (
        rejected(path)
        == f"{COM}, ligne 4, colonne numcom : code 81004 en double pour l'année 2023 (déjà ligne 3)."
    )


@pytest.mark.parametrize(
    ("header", "line", "column", "code", "expected"),
    [
        (COM_HEADER, commune(2023, "8104", "1", "1", "1"), "numcom", "8104", "code commune à 5 caractères"),
        (EPCI_HEADER, "2023;24810073;CA;1;1;1;1", "numepci", "24810073", "SIREN d'EPCI à 9 chiffres"),
        (DEP_HEADER, "2023;2C;Corse;1;1;1", "numdep", "2C", "code de département attendu"),
    ],
)
def test_malformed_code(tmp_path, rejected, header, line, column, code, expected):
    path = write(tmp_path, "export.csv", [header, line])

    message = rejected(path)

    assert message.startswith(f"export.csv, ligne 2, colonne {column} : code invalide « {code} » ({expected}")


def test_non_numeric_value(tmp_path, rejected):
    path = write(
        tmp_path,
        COM,
        [COM_HEADER, commune(2023, "81004", "60", "30", "500"), commune(2023, "81271", "60", "n/a", "5")],
    )

    assert rejected(path) == f"{COM}, ligne 3, colonne txcouv_eaje_com : valeur non numérique « n/a »."


def test_invalid_year(tmp_path, rejected):
    path = write(tmp_path, COM, [COM_HEADER, commune("23", "81004", "60", "30", "500")])

    assert (
        rejected(path) == f"{COM}, ligne 2, colonne annee : année invalide « 23 » (par exemple 2023 attendu)."
    )


def test_truncated_line(tmp_path, rejected):
    path = tmp_path / COM
    path.write_text(
        f"{COM_HEADER}\n{commune(2023, '81004', '60', '30', '500')}\n2023;81271;", encoding="utf-8"
    )

    assert rejected(path) == f"{COM}, ligne 3 : 3 champs au lieu de 11 comme l'en-tête (ligne tronquée ?)."


def test_empty_file(tmp_path, rejected):
    path = tmp_path / COM
    path.write_bytes(b"\n\n")

    assert rejected(path) == f"{COM} : fichier vide."


def test_only_placeholders(tmp_path, rejected):
    path = write(tmp_path, COM, [COM_HEADER, commune(2023, "XXXXX", "60", "30", "500")])

    assert rejected(path) == f"{COM} : aucune ligne avec un code pour l'année 2023."


def test_empty_epci_referential(tmp_path, rejected):
    path = write(tmp_path, "epci.csv", [EPCI_HEADER, "2023;248100737;CA;1;1;1;1"])

    assert "le référentiel territorial est vide" in rejected(path)


def test_no_known_epci(tmp_path, rejected):
    EpciFactory(siren="248100737")
    path = write(tmp_path, "epci.csv", [EPCI_HEADER, "2023;200066637;CA;1;1;1;1"])

    assert rejected(path) == "epci.csv : aucun code ne correspond à un EPCI du référentiel territorial."
