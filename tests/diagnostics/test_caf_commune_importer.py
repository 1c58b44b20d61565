"""data.caf.fr files « par commune » (base communale allocataires): one theme per file, merged by year."""

import pytest
from django.core.management import call_command

from ctg.diagnostics.importers import DatasetError, import_dataset
from ctg.diagnostics.models import DatasetImport
from ctg.diagnostics.portrait import build_portrait, resolve_territory
from ctg.diagnostics.reader import read_dataset

from .conftest import store_snapshot, write


def test_placeholders_are_left_out_blanks_are_never_zero_and_merged_communes_sum(
    stats_dir, referential, tmp_path
):
    path = write(
        tmp_path,
        "NivComTotal2014.csv",
        [
            "Communes;Codes_Insee;NB_Pers_par_Foyer_Alloc;NB_Enfants",
            "ETRANGER;99999;1200;300",
            "INCONNUE;XXXXX;40;10",
            "ALBI;81004;25000;9000",
            "CAMBON;81050;1000;",
            "SAINT-JUERY;81271;3000;1100",
        ],
    )
    record = import_dataset(path)
    assert (record.kind, record.year, record.rows_read) == ("caf_commune", 2014, 3)
    assert set(record.unknown_codes) == {"99999", "XXXXX"}
    rows = {row["code"]: row for row in read_dataset("caf_commune", 2014)}
    # Albi absorbed Cambon: persons sum; children are secret for Cambon, so not summed and not zero.
    assert rows["81004"]["NB_Pers_par_Foyer_Alloc"] == 26000
    assert (rows["81004"]["NB_Enfants"], rows["81004"]["NB_Enfants_secret"]) == (None, True)
    assert rows["81271"]["NB_Enfants"] == 1100


def test_a_second_theme_of_the_same_year_adds_its_columns(stats_dir, referential, tmp_path):
    import_dataset(
        write(
            tmp_path,
            "NivComTotal2014.csv",
            ["Communes;Codes_Insee;NB_Pers_par_Foyer_Alloc", "ALBI;81004;25000"],
        )
    )
    import_dataset(
        write(
            tmp_path,
            "RsaCom2014.csv",
            ["Communes;Codes_Insee;NB_Foyers_RSA", "ALBI;81004;2100", "LAVAUR;81140;300"],
        )
    )
    rows = {row["code"]: row for row in read_dataset("caf_commune", 2014)}
    assert (rows["81004"]["NB_Pers_par_Foyer_Alloc"], rows["81004"]["NB_Foyers_RSA"]) == (25000, 2100)
    assert (rows["81140"]["NB_Pers_par_Foyer_Alloc"], rows["81140"]["NB_Foyers_RSA"]) == (None, 300)
    assert DatasetImport.objects.filter(kind="caf_commune").count() == 2


def test_the_commune_file_feeds_the_persons_covered_before_the_iris_file(stats_dir, referential, tmp_path):
    iris = write(tmp_path, "inseecaf2021.csv", ['"iris_code";"note";"a";"percou"', '"810040101";"0";10;20'])
    import_dataset(iris)
    result = build_portrait(resolve_territory("81004")).result("personnes_couvertes_caf")
    assert (result.value.value, result.source) == (20, "Insee-Cnaf, allocataires CAF au 31/12/2021")
    import_dataset(
        write(
            tmp_path,
            "NivComTotal2021.csv",
            ["Communes;Codes_Insee;NB_Pers_par_Foyer_Alloc", "ALBI;81004;25000"],
        )
    )
    result = build_portrait(resolve_territory("81004")).result("personnes_couvertes_caf")
    assert result.value.value == 25000 and result.source.startswith("Cnaf, base communale des allocataires")


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["Communes;Codes_Insee;NB_Enfants", "ALBI;81004;douze"], "ligne 2, colonne NB_Enfants"),
        (["Communes;Codes_Insee;NB_Enfants", "ALBI;8100;12"], "colonne Codes_Insee"),
        (["Communes;Codes_Insee;NB_Enfants", "ALBI;81004;12", "ALBI;81004;13"], "en double"),
        (["Communes,Codes_Insee,NB_Enfants", "ALBI,81004,12"], "NivComTotal2014.csv"),
    ],
)
def test_bad_commune_files_are_refused_whole(stats_dir, referential, tmp_path, lines, message):
    before = store_snapshot(stats_dir)
    with pytest.raises(DatasetError, match=message):
        import_dataset(write(tmp_path, "NivComTotal2014.csv", lines))
    assert store_snapshot(stats_dir) == before and not DatasetImport.objects.exists()


def test_the_year_comes_from_the_file_name_or_the_option(stats_dir, referential, tmp_path, capsys):
    path = write(tmp_path, "communes_caf.csv", ["Communes;Codes_Insee;NB_Enfants", "ALBI;81004;12"])
    with pytest.raises(DatasetError, match="millésime"):
        import_dataset(path)
    call_command("import_data", str(path), "--year", "2020")
    assert "millésime 2020" in capsys.readouterr().out
