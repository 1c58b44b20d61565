"""The IRIS table of the portrait: FiLoSoFi IRIS (declared income) of the territory's IRIS-split communes, the
figures as published (``s`` reads « secret », ``ns``/``nd``/``so`` as Insee writes them)."""

import pytest
from django.urls import reverse

from ctg.diagnostics.importers import import_datasets
from ctg.diagnostics.portrait import build_portrait, resolve_territory

from .conftest import write
from .test_portrait_views import EPCI_SIREN, portrait_data  # noqa: F401 (fixture)

HEADER = "IRIS;DEC_PIMP21;DEC_TP6021;DEC_MED21;DEC_D121;DEC_D921;DEC_PTSA21;DEC_PCHO21;DEC_RD21;DEC_NOTE21"


@pytest.fixture
def iris_file(portrait_data, tmp_path):  # noqa: F811
    return import_datasets(
        write(
            tmp_path,
            "BASE_TD_FILO_IRIS_2021_DEC.csv",
            [
                HEADER,
                "810040101;35,0;43,0;16230;510;37960;52,6;4,5;74,9;0",
                "810040102;49,0;s;22330;5630;49230;s;s;so;0",
                "810040804;ns;ns;ns;ns;ns;ns;ns;so;so",
                "810500000;50,0;10,0;24000;9000;40000;60,0;3,0;4,4;1",  # Cambon, now part of Albi
                "811400101;nd;nd;nd;nd;nd;nd;nd;so;so",
                "2A0040101;40,0;20,0;21000;8000;39000;55,0;5,0;4,9;0",
            ],
        )
    )


def table_html(html):
    return html.split('<h2 id="iris"', 1)[1].split("</section>", 1)[0]


def test_the_iris_of_a_commune_as_published(client, iris_file):
    (record,) = iris_file
    assert (record.kind, record.codes_mapped, record.territories_count) == ("filosofi_iris", 1, 6)

    html = client.get(reverse("diagnostics:territory", args=["81004"])).content.decode()

    table = table_html(html)
    assert "Albi : revenus déclarés par IRIS (4 IRIS, 2021)" in table
    assert "Lavaur" not in table and "2A0040101" not in table
    rows = {
        row.split("</span>", 1)[0]: row for row in table.split('<th scope="row"><span class="ctg-ref">')[1:]
    }
    assert list(rows) == ["810040101", "810040102", "810040804", "810500000"]
    assert "16\u202f230\u00a0€" in rows["810040101"] and "43,0\u00a0%" in rows["810040101"]
    # A secret is a secret, never a zero nor « — »; the other markers as published, explained.
    assert rows["810040102"].count('<abbr title="secret statistique">secret</abbr>') == 3
    assert rows["810040804"].count('<abbr title="non significatif">ns</abbr>') == 7
    assert "0,0" not in rows["810040804"]
    assert "FiLoSoFi par IRIS (revenus déclarés) : millésime 2021" in html
    assert "Insee-DGFiP-Cnaf-Cnav-CCMSA, FiLoSoFi 2021, IRIS, revenus déclarés" in table
    assert "pas le taux de pauvreté (revenu disponible)" in table


def test_the_iris_of_every_split_commune_of_a_territory(client, iris_file):
    html = client.get(reverse("diagnostics:territory", args=[EPCI_SIREN])).content.decode()

    table = table_html(html)
    assert "Albi : revenus déclarés par IRIS (4 IRIS, 2021)" in table
    assert "Lavaur : revenus déclarés par IRIS (1 IRIS, 2021)" in table
    assert table.count('<abbr title="non disponible">nd</abbr>') == 7
    assert "Saint-Juéry" not in table  # not split into IRIS in the file


def test_no_table_without_split_commune_or_without_the_file(client, portrait_data):  # noqa: F811
    html = client.get(reverse("diagnostics:territory", args=["81004"])).content.decode()
    assert 'id="iris"' not in html
    assert build_portrait(resolve_territory("81004")).iris is None


def test_no_table_for_an_unsplit_commune(client, iris_file):
    html = client.get(reverse("diagnostics:territory", args=["81271"])).content.decode()
    assert 'id="iris"' not in html and "FiLoSoFi par IRIS" not in html


def test_the_pdf_holds_the_iris_tables(iris_file):
    from ctg.diagnostics.pdf import render_portrait_html

    html = render_portrait_html(build_portrait(resolve_territory("81004")))

    assert "Albi : revenus déclarés par IRIS (4 IRIS, 2021)" in html
    assert "<td>secret</td>" in html and "<td>ns</td>" in html


def test_an_iris_import_is_undone_and_kept_within_a_caf_scope(portrait_data, tmp_path):  # noqa: F811
    from ctg.diagnostics import reader
    from ctg.diagnostics.importers import DatasetError, prepare_datasets, save_datasets, undo_import

    path = write(
        tmp_path, "BASE_TD_FILO_IRIS_2021_DEC.csv", [HEADER, "810040101;35,0;43,0;16230;510;1;2;3;4;0"]
    )
    (record,) = save_datasets(prepare_datasets(path), scope=frozenset({"81"}))
    assert record.departements == ["81"]
    undo_import(record)
    assert reader.available_vintages("filosofi_iris") == []

    corse = write(tmp_path, "BASE_TD_FILO_IRIS_2021_DEC.csv", [HEADER, "2A0040101;40,0;20,0;1;1;1;1;1;1;0"])
    with pytest.raises(DatasetError, match="hors de votre département"):
        save_datasets(prepare_datasets(corse), scope=frozenset({"81"}))
    assert reader.available_vintages("filosofi_iris") == []
