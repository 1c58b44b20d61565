"""A bad CAF-by-IRIS file is still refused whole now that the importer keeps the published part of the
secret communes (``<column>_published``, ``<column>_secret_rows``): the store and the journal unchanged."""

import re

import pytest

from ctg.diagnostics import reader
from ctg.diagnostics.importers import DatasetError, import_dataset
from ctg.diagnostics.models import DatasetImport

from .conftest import CAF_HEADER, store_snapshot, write


def stored_rows() -> dict[str, dict]:
    return {row["code"]: row for row in reader.read_dataset("caf_iris", 2021)}


@pytest.fixture
def previous_caf(stats_dir, referential, tmp_path):
    """A CAF vintage already in the store (Albi: 2 IRIS, one blanked), that a refused file leaves as it is."""
    path = write(
        tmp_path,
        "inseecaf2021.csv",
        [CAF_HEADER, '"810040101";"0";100;10;5', '"810040102";"2";;;', '"811400101";"0";50;5;'],
        newline="\r\n",
    )
    import_dataset(path)
    assert DatasetImport.objects.count() == 1
    albi = stored_rows()["81004"]
    assert (albi["a"], albi["a_published"], albi["a_secret_rows"], albi["source_rows"]) == (None, 100, 1, 2)
    lavaur = stored_rows()["81140"]
    assert (lavaur["a"], lavaur["a_published"], lavaur["arsas"], lavaur["arsas_published"]) == (
        50,
        None,
        None,
        None,
    )
    return store_snapshot(stats_dir)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lines, message",
    [
        # An IRIS code that is no IRIS code: the file is refused, not its line.
        (['"812710101";"0";7;1;1', '"81004010";"0";1;1;1'], "code invalide « 81004010 »"),
        (['"812710101";"0";7;1;1', '"8100401AB";"0";1;1;1'], "code invalide"),
        # No IRIS of the file falls on a commune of the référentiel.
        (['"999990101";"0";1;1;1', '"999990102";"2";;;'], "aucun code ne correspond à une commune"),
        (['"812710101";"0";7;1;1', '"810040101";"x";1;1;1'], "note de diffusion invalide"),
        (['"812710101";"0";7;1;1', '"810040101";"0";-1;1;1'], "effectif négatif"),
        (['"810040101";"0";1;1;1', '"810040101";"2";;;'], "en double"),
    ],
)
def test_a_bad_file_is_refused_whole(stats_dir, previous_caf, tmp_path, lines, message):
    path = write(tmp_path, "inseecaf2021_bad.csv", [CAF_HEADER, *lines])
    with pytest.raises(DatasetError, match=re.escape(message)):
        import_dataset(path)
    assert store_snapshot(stats_dir) == previous_caf
    assert DatasetImport.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("column", ["a_published", "am_secret_rows"])
def test_a_file_column_named_as_a_published_part_is_refused(stats_dir, previous_caf, tmp_path, column):
    path = write(tmp_path, "inseecaf2021_bad.csv", [CAF_HEADER + f';"{column}"', '"810040101";"0";1;1;1;1'])
    with pytest.raises(DatasetError, match=f"nom de colonne réservé « {column} »"):
        import_dataset(path)
    assert store_snapshot(stats_dir) == previous_caf
    assert DatasetImport.objects.count() == 1
