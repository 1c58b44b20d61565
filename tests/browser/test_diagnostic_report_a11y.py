"""The « Document du diagnostic » page renders in Chromium and passes axe-core (no serious or critical
violation): for a reader (the texts, the versions and their downloads), for the coordination (the form of
the introduction and conclusions, the generation), after a refused text (its error shown) and after a
generation."""

from playwright.sync_api import expect

from ctg.documents import services
from tests.conftest import PASSWORD

from .axe import assert_accessible
from .conftest import JOB_TIMEOUT_MS


def test_diagnostic_document_page_is_accessible(transactional_db, world, page, live_server, login):
    ctg = world.ctg
    services.diagnostic_texts_set(
        ctg=ctg,
        actor=world.users["coordination"],
        introduction="Le diagnostic a été conduit en 2025.\n- portrait\n- ateliers",
        conclusions="Trois enjeux retenus.",
    )
    services.diagnostic_generate(ctg=ctg, actor=world.users["coordination"])
    url = f"{live_server.url}/convention/ctg/{ctg.pk}/diagnostic/"

    login(world.users["lecture"].email, PASSWORD)
    assert page.goto(url).status == 200
    assert page.get_by_role("heading", name="Versions du document").is_visible()
    assert page.get_by_role("link", name="Document du diagnostic").get_attribute("aria-current") == "page"
    assert_accessible(page, "Document du diagnostic (lecture)")

    page.context.clear_cookies()
    login(world.users["coordination"].email, PASSWORD)
    assert page.goto(url).status == 200
    assert_accessible(page, "Document du diagnostic (coordination)")
    # The browser stops at the field's maxlength; a longer text (sent by a script) is refused by the server.
    page.eval_on_selector("#id_conclusions", "element => element.removeAttribute('maxlength')")
    page.locator("#id_conclusions").fill("x" * 20_001)
    page.get_by_role("button", name="Enregistrer les textes").click()
    assert page.locator(".fr-error-text").first.is_visible()
    assert_accessible(page, "Document du diagnostic (texte refusé)")
    page.locator("#id_conclusions").fill("Deux enjeux retenus.")
    page.get_by_role("button", name="Enregistrer les textes").click()
    assert page.get_by_text("L'introduction et les conclusions sont enregistrées.").is_visible()
    page.get_by_role("button", name="Générer le document du diagnostic").click()
    job_area = page.locator("#job-area")
    expect(job_area).to_contain_text(
        "Document du diagnostic, version 2 : télécharger le PDF", timeout=JOB_TIMEOUT_MS
    )
    assert_accessible(page, "Document du diagnostic après une génération")
