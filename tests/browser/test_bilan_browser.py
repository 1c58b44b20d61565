"""The bilan annuel and the import page in Chromium, for the coordination: they render, pass axe-core, and
the bilan is validated from the page."""

from ctg.evaluation.models import BilanAnnuel
from tests.conftest import PASSWORD
from tests.evaluation.test_bilan import YEAR, plan  # noqa: F401

from .axe import assert_accessible


def test_bilan_and_import_pages_in_the_browser(transactional_db, world, plan, page, live_server, login):  # noqa: F811
    ctg = world.ctg
    login(world.users["coordination"].email, PASSWORD)

    response = page.goto(f"{live_server.url}/plan/ctg/{ctg.pk}/bilan/{YEAR}/")
    assert response.ok
    assert page.get_by_role("heading", level=1).inner_text() == f"Bilan annuel {YEAR}"
    assert page.get_by_role("cell", name="Relais petite enfance").first.is_visible()
    assert_accessible(page, "Bilan annuel")

    page.get_by_label(f"Faits marquants de l'année {YEAR}").fill("Ouverture du relais petite enfance.")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer les faits marquants").click()
    assert "faits marquants du bilan" in page.locator(".fr-alert, .fr-notice").first.inner_text().lower()

    with page.expect_navigation():
        page.get_by_role("button", name="Valider le bilan").click()
    validation = page.locator("#validation")
    assert "Validé le" in validation.inner_text()
    assert page.get_by_role("button", name="Valider le bilan").count() == 0
    assert "Ouverture du relais petite enfance." in page.content()
    assert_accessible(page, "Bilan annuel validé")
    bilan = BilanAnnuel.objects.get(ctg=ctg, year=YEAR)
    assert bilan.validated_by == world.users["coordination"]

    response = page.goto(f"{live_server.url}/plan/ctg/{world.other_ctg.pk}/echange/import/")
    assert response.status == 404  # not a member of the other dossier
    response = page.goto(f"{live_server.url}/plan/ctg/{ctg.pk}/echange/import/")
    assert response.ok
    assert page.get_by_role("heading", level=1).inner_text() == "Importer un plan d'action"
    assert_accessible(page, "Import d'un plan d'action")


def test_import_form_in_the_browser(transactional_db, world, page, live_server, login):
    """The coordination of an empty dossier sees the upload form; a wrong file lists its problems."""
    ctg = world.other_ctg
    login(world.users["other_member"].email, PASSWORD)
    response = page.goto(f"{live_server.url}/plan/ctg/{ctg.pk}/echange/import/")
    assert response.ok
    assert page.get_by_label("Classeur Excel du plan d'action").is_visible()
    assert_accessible(page, "Formulaire d'import d'un plan d'action")
    page.get_by_label("Classeur Excel du plan d'action").set_input_files(
        files=[{"name": "plan.xlsx", "mimeType": "application/octet-stream", "buffer": b"pas un classeur"}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Importer le plan d'action").click()
    assert "rien n'a été enregistré" in page.locator("#import-errors").inner_text()
    assert_accessible(page, "Import refusé")
    assert not ctg.enjeux.exists()
