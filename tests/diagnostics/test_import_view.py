"""Importing an official file from the browser: the same checks and report as the command."""

import html
import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ctg.diagnostics.importers import import_datasets
from ctg.diagnostics.models import DatasetImport
from tests.diagnostics.conftest import FILOSOFI_HEADER, store_snapshot, write

URL = "/statistiques/import/"


@pytest.fixture
def caf_client(client, world, stats_dir, referential):
    client.force_login(world.users["pilote_caf"])
    return client


def _write(folder, lines):
    return write(folder, "cc_filosofi_2021_COM.csv", lines)


def _upload(name, text):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def _confirm(client, response, action="confirm"):
    assert response.status_code == 200 and "Confirmer l'import" in html.unescape(response.content.decode())
    return client.post(URL, {"token": response.context["token"], "action": action})


def test_a_caf_adviser_imports_a_file_and_reads_the_report(caf_client, world, stats_dir):
    content = f"{FILOSOFI_HEADER}\n81004;23612;45331;21650;20,0;7,4\n81050;100;200;s;s;s\n81888;1;2;3;4;5\n"
    preview = caf_client.post(URL, {"file": _upload("cc_filosofi_2021_COM.csv", content)})
    # The upload is checked and kept aside: nothing is written before the confirmation.
    assert store_snapshot(stats_dir) == {} and not DatasetImport.objects.exists()
    page = html.unescape(preview.content.decode())
    assert "Vérifier l'import de cc_filosofi_2021_COM.csv" in page and "Territoires ajoutés : 1" in page
    response = _confirm(caf_client, preview)
    assert response.status_code == 302 and response.url == reverse("statistics_import")
    record = DatasetImport.objects.get()
    assert (record.kind, record.year, record.imported_by) == ("filosofi_com", 2021, world.users["pilote_caf"])
    page = caf_client.get(URL).content.decode()
    assert "Compte rendu de l&#x27;import" in page or "Compte rendu de l'import" in page
    assert "Lignes lues : 3" in page and "81888" in page
    assert not list((settings.DATA_DIR / "uploads" / "pending").iterdir())  # the kept upload is gone


def test_the_preview_names_the_figures_that_move(caf_client, stats_dir):
    import_datasets(
        _write(stats_dir.parent, [FILOSOFI_HEADER, "81004;23612;45331;21650;20,0;7,4", "2A004;1;2;3;4;5"])
    )
    before, records = store_snapshot(stats_dir), DatasetImport.objects.count()
    content = f"{FILOSOFI_HEADER}\n81004;23612;45331;21700;20,0;7,4\n81140;1;2;3;4;5\n"
    response = caf_client.post(URL, {"file": _upload("cc_filosofi_2021_COM.csv", content)})
    page = " ".join(html.unescape(response.content.decode()).split())
    assert "Territoires ajoutés : 1" in page and "Territoires remplacés : 1" in page
    assert "Dont hors de votre département (81) : 0" in page
    assert "Valeurs qui changent dans les territoires remplacés : 1" in page
    # (the page's spaces, non-breaking ones included, are collapsed above)
    assert "<td>Albi (81004)</td><td><code>MED21</code></td> <td>21 650</td><td>21 700</td>" in page
    assert store_snapshot(stats_dir) == before and DatasetImport.objects.count() == records


def test_a_token_is_the_uploaders_only_and_expires(caf_client, client, world, stats_dir):
    content = f"{FILOSOFI_HEADER}\n81004;23612;45331;21650;20,0;7,4\n"
    preview = caf_client.post(URL, {"file": _upload("cc_filosofi_2021_COM.csv", content)})
    token = preview.context["token"]
    # Another person who may import (another CAF), with the token: refused, nothing written.
    other = Client()
    other.force_login(world.users["other_caf"])
    for forged in (token, "../../../etc/passwd", "x" * 32, ""):
        response = other.post(URL, {"token": forged, "action": "confirm"})
        assert response.status_code == 400
        assert "Le fichier à confirmer est introuvable" in html.unescape(response.content.decode())
    assert store_snapshot(stats_dir) == {} and not DatasetImport.objects.exists()
    # Expired: refused as well.
    meta = settings.DATA_DIR / "uploads" / "pending" / token / "meta.json"
    data = json.loads(meta.read_text())
    meta.write_text(json.dumps(data | {"created": data["created"] - 2 * 3600}))
    assert caf_client.post(URL, {"token": token, "action": "confirm"}).status_code == 400
    meta.write_text(json.dumps(data))
    # Abandoned: the upload is deleted, nothing written.
    response = _confirm(caf_client, preview, action="cancel")
    assert response.status_code == 302 and not (settings.DATA_DIR / "uploads" / "pending" / token).exists()
    assert store_snapshot(stats_dir) == {} and not DatasetImport.objects.exists()
    assert caf_client.post(URL, {"token": token, "action": "confirm"}).status_code == 400


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
    response = _confirm(caf_client, caf_client.post(URL, {"file": _upload("txcouv_pe_com.csv", content)}))
    assert response.status_code == 302
    assert sorted(DatasetImport.objects.values_list("kind", "year")) == [
        ("caf_txcouv_com", 2022),
        ("caf_txcouv_com", 2023),
    ]
    page = caf_client.get(URL).content.decode()
    assert page.count("Lignes lues : 1") == 2
