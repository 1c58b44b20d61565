"""The comparison of the EPCI of a département and the comparable territories in Chromium: both pages (and the
search) pass axe-core (no serious or critical violation) and trigger no Content-Security-Policy violation; the
table sorts through its header links, the search form leads to an EPCI's page."""

from playwright.sync_api import Page

from tests.conftest import PASSWORD
from tests.dashboard.test_comparable_views import store  # noqa: F401 (a fixture)

from .axe import assert_accessible
from .test_csp_browser import CspWatch


def test_comparison_and_comparable_pages_are_accessible(
    transactional_db,
    world,
    store,  # noqa: F811
    page: Page,
    live_server,
    login,
):
    watch = CspWatch(page, live_server.url)
    login(world.users["pilote_caf"].email, PASSWORD)
    watch.visit("/caf/81/comparaison/", "Comparaison des intercommunalités")
    assert page.get_by_role("heading", name="Comparaison des intercommunalités — Tarn").is_visible()
    assert_accessible(page, "Comparaison des intercommunalités")
    with page.expect_navigation():
        page.get_by_role("link", name="Population (recensement) (hab.) — trier par ordre croissant").click()
    assert "tri=population" in page.url
    assert page.locator('th[aria-sort="ascending"]').count() == 1
    assert_accessible(page, "Comparaison triée")
    watch.collect("Comparaison triée")

    watch.visit("/caf/territoires-comparables/", "Recherche de territoires comparables")
    assert_accessible(page, "Recherche de territoires comparables")
    page.get_by_label("Intercommunalité à comparer").fill("Voisine")
    with page.expect_navigation():
        page.get_by_role("button", name="Chercher").click()
    assert_accessible(page, "Résultats de la recherche")
    with page.expect_navigation():
        page.get_by_role("link", name="CC Voisine").click()
    assert page.get_by_role("heading", name="Territoires comparables à CC Voisine").is_visible()
    assert page.get_by_text("Caractéristiques manquantes pour CC Voisine").is_visible()
    assert_accessible(page, "Territoires comparables")
    watch.collect("Territoires comparables")
    watch.assert_none()
