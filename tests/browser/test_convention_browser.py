"""The convention in Chromium: the CAF edits its model (an invalid placeholder is refused with the message
visible, a valid change is saved), generates the convention from the dossier's tab, sees the version listed
and downloads its PDF; axe-core passes on the model page and on the tab."""

import pytest
from playwright.sync_api import expect

from ctg.documents.models import ConventionArticle, ConventionVersion
from tests.conftest import PASSWORD
from tests.documents.fixtures import convention_data  # noqa: F401

from .axe import assert_accessible
from .conftest import JOB_TIMEOUT_MS


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_caf_edits_its_model_and_generates_the_convention(
    transactional_db,
    world,
    convention_data,  # noqa: F811
    page,
    live_server,
    login,
):
    ctg = world.ctg
    login(world.users["pilote_caf"].email, PASSWORD)

    response = page.goto(f"{live_server.url}/convention/modele/")
    assert response.ok
    assert page.get_by_role("heading", level=1).inner_text() == "Modèle de convention — CAF du Tarn"
    assert page.get_by_role("cell", name="{{ coordination.poste }}").is_visible()
    assert_accessible(page, "Modèle de convention")

    body = page.get_by_label("Texte de l'article 2", exact=False)
    body.fill("Projet social de {{ territoire.nomm }}.")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le modèle").click()
    errors = page.locator("#template-errors")
    assert errors.is_visible()
    assert "Repère inconnu : « {{ territoire.nomm }} »" in errors.inner_text()
    assert "Vouliez-vous dire « {{ territoire.nom }} »" in errors.inner_text()
    assert not ConventionArticle.objects.exists()
    assert_accessible(page, "Modèle de convention refusé")

    page.get_by_label("Texte de l'article 2", exact=False).fill(
        "Le projet social de {{ territoire.type }} pour la période {{ periode }}."
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le modèle").click()
    assert "Le modèle de convention est enregistré." in page.content()
    article = ConventionArticle.objects.get(key="objet")
    assert article.body == "Le projet social de {{ territoire.type }} pour la période {{ periode }}."
    assert article.updated_by == world.users["pilote_caf"]

    response = page.goto(f"{live_server.url}/convention/ctg/{ctg.pk}/")
    assert response.ok
    assert_accessible(page, "Onglet Convention sans version")
    # The button starts a job (htmx): its result is shown in place, then the page lists the version.
    page.get_by_role("button", name="Générer la convention").click()
    expect(page.locator("#job-area")).to_contain_text(
        "Convention, version 1 : télécharger le PDF", timeout=JOB_TIMEOUT_MS
    )
    assert_accessible(page, "Onglet Convention, génération terminée")
    page.reload()
    versions = page.locator("#versions")
    assert "Première version" in versions.inner_text()
    assert_accessible(page, "Onglet Convention avec une version")
    version = ConventionVersion.objects.get(ctg=ctg)
    assert version.generated_by == world.users["pilote_caf"]

    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF de la version 1").click()
    download = download_info.value
    assert download.suggested_filename == "convention-ctg-du-test-2025-2028-v1.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    response = page.request.get(f"{live_server.url}/convention/ctg/{ctg.pk}/version/1/pdf/")
    assert response.ok and response.headers["content-type"] == "application/pdf"
