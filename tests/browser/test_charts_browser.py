"""The charts of the web pages in Chromium: the `<bar-chart>` web components of @gouvfr/dsfr-chart, served
from /static/dsfr-chart/ (no CDN), draw on the portrait page and the plan's dashboard (budget), and the pages
still pass axe-core."""

from playwright.sync_api import Page

from tests.conftest import PASSWORD
from tests.diagnostics.conftest import referential, stats_dir  # noqa: F401
from tests.diagnostics.test_portrait_views import EPCI_SIREN, portrait_data  # noqa: F401
from tests.plans.test_views_follow import follow_plan  # noqa: F401

from .axe import assert_accessible

ASSETS = ("/static/dsfr-chart/BarChart/BarChart.", "/static/ctg/dsfr_chart.js")
# The canvas holds bars in the DSFR chart's main colour (#5C68E5), drawn by Chart.js (animated from zero).
DRAWN = """canvas => {
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
        if (data[i] === 92 && data[i + 1] === 104 && data[i + 2] === 229) count++;
    }
    return count > 200;
}"""


def watch(page: Page) -> tuple[list, list]:
    """Record the responses of the dsfr-chart assets, and the page's JavaScript errors."""
    assets, errors = [], []
    page.on(
        "response", lambda r: assets.append((r.url, r.status)) if any(a in r.url for a in ASSETS) else None
    )
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return assets, errors


def drawn_charts(page: Page, expected: int) -> None:
    """Every <bar-chart> of the page has drawn its canvas (Chart.js sizes it once the chart exists), and the
    stylesheets reach its shadow root: the legend shows a colour dot per series."""
    charts = page.locator("bar-chart")
    assert charts.count() == expected
    for index in range(expected):
        canvas = charts.nth(index).locator("canvas")
        canvas.wait_for(state="visible")
        page.wait_for_function(DRAWN, arg=canvas.element_handle())
        dot = charts.nth(index).locator(".legende_dot").first
        dot.wait_for(state="visible")  # 0 × 0 without the component's stylesheet
        assert dot.bounding_box()["width"] > 5


def assert_assets_served(assets: list) -> None:
    statuses = {url.rsplit("/", 1)[-1]: status for url, status in assets}
    assert statuses == {"dsfr_chart.js": 200, "BarChart.js": 200, "BarChart.css": 200}, assets


def test_portrait_charts_in_the_browser(transactional_db, portrait_data, page, live_server):  # noqa: F811
    assets, errors = watch(page)
    response = page.goto(f"{live_server.url}/portrait/{EPCI_SIREN}/")
    assert response.ok
    drawn_charts(page, 3)
    assert_assets_served(assets)
    assert errors == []
    # The legend of the age structure names both series; the drawing has an accessible name.
    age = page.locator("bar-chart").first
    assert age.locator(".chart_legend p").all_inner_texts() == ["CA de Test", "Tarn"]
    figure = page.get_by_role("img", name="Structure par âge de la population : CA de Test")
    assert figure.locator("bar-chart").count() == 1
    # The data table follows each chart, in the accordion right after the figure; no server SVG chart on the
    # page (it is kept for the PDF).
    data = page.locator("figure + .fr-accordions-group table caption").first
    assert data.text_content().startswith("Données du graphique")
    page.get_by_role(
        "button", name="Données du graphique : Structure par âge de la population : CA de Test"
    ).click()
    data.locator("xpath=..").wait_for(state="visible")
    assert page.locator("svg.ctg-chart").count() == 0
    assert_accessible(page, "Portrait avec graphiques dsfr-chart")


def test_budget_charts_in_the_browser(transactional_db, follow_plan, page, live_server, login):  # noqa: F811
    world = follow_plan.world
    login(world.users["lecture"].email, PASSWORD)
    assets, errors = watch(page)
    response = page.goto(f"{live_server.url}/plan/ctg/{world.ctg.pk}/tableau-de-bord/")
    assert response.ok
    drawn_charts(page, 4)  # fiches by status and by field, budget by funder and by year
    assert_assets_served(assets)
    assert errors == []
    by_status = page.get_by_role("img", name="Nombre de fiches action par statut")
    assert by_status.locator(".chart_legend p").all_inner_texts() == ["Fiches action"]
    by_funder = page.get_by_role("img", name="Budget prévu et réalisé par financeur")
    assert by_funder.locator(".chart_legend p").all_inner_texts() == ["Prévu", "Réalisé"]
    assert_accessible(page, "Tableau de bord : budget en graphiques dsfr-chart")
