"""The exchange views: the plan downloaded as xlsx and JSON, and uploaded back from a workbook."""

import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ctg.plans.models import BudgetLine, Enjeu, FicheAction, PlanIndicator
from tests.evaluation.test_bilan import plan  # noqa: F401

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _url(ctg, name):
    return reverse(f"plans:{name}", kwargs={"pk": ctg.pk})


def _upload(content: bytes, name="plan.xlsx"):
    return {"file": SimpleUploadedFile(name, content, content_type=XLSX)}


def _download_xlsx(client, world) -> bytes:
    client.force_login(world.users["lecture"])
    response = client.get(_url(world.ctg, "export_xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    return response.content


def _empty_dossier_for(client, world):
    """The other dossier of `world` is empty; its coordination imports into it."""
    client.force_login(world.users["other_member"])
    return world.other_ctg


def test_json_download(client, world, plan):  # noqa: F811
    client.force_login(world.users["lecture"])
    response = client.get(_url(world.ctg, "export_json"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    payload = json.loads(response.content)
    assert payload["format"] == "ctg-plan"
    assert sorted(f["title"] for f in payload["fiches"]) == sorted(f.title for f in plan.values())


def test_xlsx_download_reimports_into_an_empty_dossier(client, world, plan):  # noqa: F811
    content = _download_xlsx(client, world)
    target = _empty_dossier_for(client, world)
    response = client.post(_url(target, "import_xlsx"), _upload(content))
    assert response.status_code == 302 and response.url == _url(target, "import_xlsx")
    assert sorted(target.fiches.values_list("title", flat=True)) == sorted(f.title for f in plan.values())
    assert target.enjeux.count() == world.ctg.enjeux.count()
    assert (
        BudgetLine.objects.filter(fiche__ctg=target).count()
        == BudgetLine.objects.filter(fiche__ctg=world.ctg).count()
    )
    assert PlanIndicator.objects.filter(fiche__ctg=target).count() == 3
    page = client.get(response.url).content.decode()
    assert "action est importé : 5 enjeux, 5 fiches action." in page
    # Now the plan is not empty: the form gives way to an explanation.
    assert 'name="file"' not in page and "n'est pas vide" in page


def test_import_page_explains_the_layout(client, world):
    client.force_login(world.users["coordination"])
    response = client.get(_url(world.ctg, "import_xlsx"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'type="file"' in content and 'enctype="multipart/form-data"' in content
    for sheet in ("Enjeux", "Fiches", "Budget", "Indicateurs", "Valeurs"):
        assert f"« {sheet} »" in content
    assert "JJ/MM/AAAA" in content


def test_malformed_upload_is_refused_with_the_place_of_each_problem(client, world, plan):  # noqa: F811
    workbook = openpyxl.load_workbook(io.BytesIO(_download_xlsx(client, world)))
    sheet = workbook["Fiches"]
    headers = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=headers.index("statut") + 1, value="Peut-être")
    buffer = io.BytesIO()
    workbook.save(buffer)
    target = _empty_dossier_for(client, world)
    response = client.post(_url(target, "import_xlsx"), _upload(buffer.getvalue()))
    assert response.status_code == 400
    content = response.content.decode()
    assert "Feuille « Fiches », ligne 2, colonne « statut »" in content
    assert "rien n'a été enregistré" in content
    assert not Enjeu.objects.filter(ctg=target).exists() and not target.fiches.exists()


def test_not_a_workbook_is_refused(client, world):
    target = _empty_dossier_for(client, world)
    response = client.post(_url(target, "import_xlsx"), _upload(b"pas un classeur"))
    assert response.status_code == 400
    assert "fr-alert--error" in response.content.decode()
    assert not target.enjeux.exists()


def test_missing_file_is_refused(client, world):
    target = _empty_dossier_for(client, world)
    response = client.post(_url(target, "import_xlsx"), {})
    assert response.status_code == 400
    assert "Choisissez un classeur Excel" in response.content.decode()


def test_upload_into_a_non_empty_plan_is_refused(client, world, plan):  # noqa: F811
    content = _download_xlsx(client, world)
    before = FicheAction.objects.filter(ctg=world.ctg).count()
    client.force_login(world.users["coordination"])
    response = client.post(_url(world.ctg, "import_xlsx"), _upload(content))
    assert response.status_code == 400
    assert "n&#x27;est pas vide" in response.content.decode()
    assert FicheAction.objects.filter(ctg=world.ctg).count() == before


@pytest.mark.parametrize("role", ["referent_communal", "partenaire", "lecture"])
def test_import_refused_to_other_roles(client, world, role):
    client.force_login(world.users[role])
    content = _download_xlsx(client, world)
    client.force_login(world.users[role])
    assert client.post(_url(world.ctg, "import_xlsx"), _upload(content)).status_code == 403
