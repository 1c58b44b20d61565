"""The funding pages in Chromium (issue 14): the CAF's parameter table, a value's page with its history, and
the simulator with its results pass axe-core (no serious or critical violation) and trigger no
Content-Security-Policy violation."""

from playwright.sync_api import Page

from ctg.funding.services import parameter_set
from tests.conftest import PASSWORD

from .axe import assert_accessible
from .test_csp_browser import CspWatch


def test_parameter_table_value_and_simulator_are_accessible(
    transactional_db, world, page: Page, live_server, login
):
    caf = world.ctg.caf
    parameter_set(
        caf=caf,
        year=2026,
        key="eaje_new_place_tranche_2",
        value="3100",
        actor=world.users["pilote_caf"],
        comment="Délibération du conseil d'administration",
    )
    watch = CspWatch(page, live_server.url)
    login(world.users["pilote_caf"].email, PASSWORD)

    watch.visit(f"/caf/financements/{caf.pk}/parametres/?annee=2026", "Paramètres de financement")
    assert page.get_by_role("heading", name="Historique des modifications de 2026").is_visible()
    assert_accessible(page, "Paramètres de financement")

    watch.visit(f"/caf/financements/{caf.pk}/parametres/2026/coordination_rate/", "Un paramètre")
    assert_accessible(page, "Un paramètre")

    watch.visit(f"/caf/financements/{caf.pk}/simulateur/", "Simulateur")
    page.locator("#id_eaje_new_places__places").fill("20")
    page.locator("#id_eaje_new_places__tranche").fill("2")
    with page.expect_navigation():
        page.get_by_role("button", name="Simuler").click()
    assert page.get_by_role("cell", name="62\u00a0000 € par an", exact=True).is_visible()
    assert_accessible(page, "Simulateur, résultats")
    watch.collect("Simulateur")
    watch.assert_none()
