"""Importing an official file from the browser: the same checks and report as the command."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ctg.diagnostics.models import DatasetImport
from tests.diagnostics.conftest import FILOSOFI_HEADER, store_snapshot

URL = "/statistiques/import/"


@pytest.fixture
def caf_client(client, world, stats_dir, referential):
    client.force_login(world.users["pilote_caf"])
    return client


def _upload(name, text):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_a_caf_adviser_imports_a_file_and_reads_the_report(caf_client, world):
    content = f"{FILOSOFI_HEADER}\n81004;23612;45331;21650;20,0;7,4\n81050;100;200;s;s;s\n81888;1;2;3;4;5\n"
    response = caf_client.post(URL, {"file": _upload("cc_filosofi_2021_COM.csv", content)})
    assert response.status_code == 302 and response.url == reverse("statistics_import")
    record = DatasetImport.objects.get()
    assert (record.kind, record.year, record.imported_by) == ("filosofi_com", 2021, world.users["pilote_caf"])
    page = caf_client.get(URL).content.decode()
    assert "Compte rendu de l&#x27;import" in page or "Compte rendu de l'import" in page
    assert "Lignes lues : 3" in page and "81888" in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "cc_filosofi_2021_COM.csv",
            f"{FILOSOFI_HEADER}\n81004;23612;45331;21a50;20,0;7,4\n",
            "ligne 2, colonne MED21",
        ),
        ("cc_filosofi_2021_COM.csv", "", "vide"),
        ("cc_filosofi_2021_COM.csv", "CODGEO,NBMENFISC21,MED21\n81004,1,2\n", "cc_filosofi_2021_COM.csv"),
        ("inconnu.csv", "A;B\n1;2\n", "inconnu.csv"),
    ],
)
def test_a_bad_file_is_refused_whole_with_a_french_message(caf_client, stats_dir, name, content, message):
    before = store_snapshot(stats_dir)
    response = caf_client.post(URL, {"file": _upload(name, content)})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    if message != "vide":
        assert "Import refusé, rien n&#x27;a été modifié." in page
    assert store_snapshot(stats_dir) == before and not DatasetImport.objects.exists()


def test_no_file_and_forged_kind_are_refused(caf_client):
    response = caf_client.post(URL, {})
    assert response.status_code == 400 and "Ce champ est obligatoire." in response.content.decode()
    response = caf_client.post(
        URL, {"file": _upload("a.csv", f"{FILOSOFI_HEADER}\n"), "kind": "astrologie", "year": "deux"}
    )
    form = response.context["form"]
    assert {"kind", "year"} <= set(form.errors)


def test_a_childcare_file_with_two_years_gives_two_vintages(caf_client, world):
    content = (
        "annee;numcom;nomcom;txcouv_com;pl_psu_col_com\n2022;81004;Albi;61,5;700\n2023;81004;Albi;63.0;720\n"
    )
    response = caf_client.post(URL, {"file": _upload("txcouv_pe_com.csv", content)})
    assert response.status_code == 302
    assert sorted(DatasetImport.objects.values_list("kind", "year")) == [
        ("caf_txcouv_com", 2022),
        ("caf_txcouv_com", 2023),
    ]
    page = caf_client.get(URL).content.decode()
    assert page.count("Lignes lues : 1") == 2
