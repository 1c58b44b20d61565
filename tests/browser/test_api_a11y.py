"""The API's pages in Chromium: the documentation page (public, rendered on the server from the schema) and
the page of a person's API tokens, before and after creating one, pass axe-core (no serious or critical
violation) and trigger no Content-Security-Policy violation."""

from playwright.sync_api import Page

from tests.conftest import PASSWORD

from .axe import assert_accessible
from .test_csp_browser import CspWatch


def test_api_docs_and_tokens_pages_are_accessible(transactional_db, world, page: Page, live_server, login):
    watch = CspWatch(page, live_server.url)
    watch.visit("/api/docs", "Documentation de l'API")
    assert page.get_by_role("heading", name="Dossiers CTG").is_visible()
    assert_accessible(page, "Documentation de l'API")

    login(world.users["coordination"].email, PASSWORD)
    watch.visit("/compte/jetons-api/", "Jetons d'API")
    assert_accessible(page, "Jetons d'API (aucun)")
    page.get_by_label("Nom du jeton").fill("Tableur de suivi")
    with page.expect_navigation():
        page.get_by_role("button", name="Créer le jeton").click()
    token = page.locator("#new-token").inner_text()
    assert token.startswith("ctg_")
    assert_accessible(page, "Jetons d'API (jeton créé)")
    watch.collect("Jetons d'API après création")
    watch.assert_none()
