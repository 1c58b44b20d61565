import duckdb
import pytest

from ctg.diagnostics import reader, store
from ctg.diagnostics.importers import import_dataset

from .conftest import CAF_HEADER, write


def test_empty_store(stats_dir):
    assert reader.available_datasets() == {}
    assert reader.available_vintages("filosofi_com") == []
    with pytest.raises(reader.DatasetNotAvailable, match="Aucune donnée « filosofi_com » pour 2021"):
        reader.read_dataset("filosofi_com", 2021)


def test_unknown_kind_or_year_never_reaches_the_file_system(stats_dir):
    with pytest.raises(ValueError, match="Jeu de données inconnu"):
        store.dataset_path("../../etc", 2021)
    with pytest.raises(ValueError, match="Millésime invalide"):
        store.dataset_path("filosofi_com", "2021")
    with pytest.raises(ValueError, match="Jeu de données inconnu"):
        reader.available_vintages("autre")


def test_vintages_and_reads(stats_dir, referential, good_filosofi, tmp_path):
    import_dataset(good_filosofi)
    for year in (2022, 2020):
        import_dataset(write(tmp_path, f"inseecaf{year}.csv", [CAF_HEADER, '"810040101";"0";10;1;1']))

    assert reader.available_datasets() == {"filosofi_com": [2021], "caf_iris": [2020, 2022]}
    assert reader.read_dataset("filosofi_com", 2021, codes=["81271"], columns=["MED21"]) == [
        {
            "code": "81271",
            "plm_commune": None,
            "source_codes": "81271",
            "source_rows": 1,
            "MED21": 22000,
            "MED21_secret": False,
        }
    ]
    assert reader.read_dataset("filosofi_com", 2021, codes=[]) == []
    with pytest.raises(ValueError, match="Colonne « MED20 » absente des données « filosofi_com » 2021"):
        reader.read_dataset("filosofi_com", 2021, columns=["MED20"])
    with reader.connect() as connection:
        assert connection.execute("SELECT sum(a) FROM caf_iris_2022").fetchone() == (10,)
        assert connection.execute("SELECT count(*) FROM filosofi_com_2021").fetchone() == (2,)


def test_reads_are_confined_to_the_store(stats_dir, referential, good_filosofi):
    import_dataset(good_filosofi)
    outside = good_filosofi  # a file of the test's directory, outside DATA_DIR/stats

    with reader.connect() as connection:
        with pytest.raises(duckdb.PermissionException):
            connection.execute(f"SELECT * FROM read_csv('{outside}')")
        with pytest.raises(duckdb.InvalidInputException):
            connection.execute("SET enable_external_access = true")


def test_staged_dataset_is_invisible_until_committed(stats_dir):
    schema = [*store.KEY_COLUMNS, ("x", "DOUBLE"), ("x_secret", "BOOLEAN")]
    staged = store.stage_dataset("caf_iris", 2021, schema, [("81004", None, "81004", 1, 0.1, False)])

    assert reader.available_vintages("caf_iris") == []
    staged.commit()
    assert reader.read_dataset("caf_iris", 2021)[0]["x"] == 0.1

    staged = store.stage_dataset("caf_iris", 2021, schema, [("81004", None, "81004", 1, None, True)])
    staged.discard()
    assert [p.name for p in (stats_dir / "caf_iris").iterdir()] == ["2021.parquet"]
    assert reader.read_dataset("caf_iris", 2021)[0]["x"] == 0.1
