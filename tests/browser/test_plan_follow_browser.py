"""The follow-up pages of the plan d'action in Chromium: a member sees the table of fiches (and sorts it), the
timeline and the dashboard, and each page passes axe-core."""

from tests.conftest import PASSWORD
from tests.plans.test_views_follow import follow_plan  # noqa: F401

from .axe import assert_accessible


def test_plan_follow_pages_in_the_browser(transactional_db, follow_plan, page, live_server, login):  # noqa: F811
    world = follow_plan.world
    login(world.users["lecture"].email, PASSWORD)
    base = f"{live_server.url}/plan/ctg/{world.ctg.pk}"

    response = page.goto(f"{base}/fiches/")
    assert response.ok
    assert page.get_by_role("heading", level=1).inner_text() == "Fiches action"
    assert page.locator(".ctg-count").inner_text() == "3 fiches"
    assert_accessible(page, "Tableau des fiches action")

    # Filtering by the form, then sorting by a column keeps the filter.
    page.get_by_label("Champ d'intervention").select_option("jeunesse")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**champ=jeunesse**")
    assert page.locator(".ctg-count").inner_text() == "2 fiches correspondant aux filtres"
    page.get_by_role("link", name="Intitulé — trier par ordre croissant").click()
    page.wait_for_url("**tri=titre**")
    header = page.locator('th[aria-sort="ascending"]')
    assert "Intitulé" in header.inner_text()
    assert page.locator("tbody tr th").first.inner_text() == "Bilan des accueils de loisirs"
    assert_accessible(page, "Tableau des fiches filtré et trié")

    response = page.goto(f"{base}/calendrier/")
    assert response.ok
    assert page.locator("table.ctg-gantt td.ctg-gantt-active").count() == 3
    assert_accessible(page, "Calendrier des fiches action")

    response = page.goto(f"{base}/tableau-de-bord/?annee=2026")
    assert response.ok
    # Fiches by status and by field, budget by funder and by year: all drawn by dsfr-chart.
    assert page.locator("bar-chart").count() == 4
    assert page.locator("svg.ctg-chart").count() == 0
    page.locator("bar-chart canvas").last.wait_for()
    assert "Jeunes accueillis" in page.locator("#indicateurs-en-retard").inner_text()
    assert_accessible(page, "Tableau de bord du plan d'action")
