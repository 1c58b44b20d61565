"""« A portrait people read » (issue 13, item 5), in Chromium: the dossier's portrait opens on its key figures
and its map, every theme's chart draws at full width, the long tables are folded, and the page is a fraction
of its former height. A screenshot of the page is saved under the test's tmp_path (its path is printed)."""

import pytest

from ctg.diagnostics import engine
from ctg.diagnostics.importers import import_dataset
from ctg.organisations.permissions import Role
from tests.conftest import PASSWORD
from tests.diagnostics.conftest import CAF_HEADER, referential, stats_dir, write  # noqa: F401
from tests.diagnostics.test_portrait_views import portrait_data  # noqa: F401
from tests.factories import CtgFactory, MembershipFactory, UserFactory

from .axe import assert_accessible

VIEWPORT = {"width": 1280, "height": 900}
# The dossier's portrait of this data set measured 15,339 px (document.body.scrollHeight, 1,280 px wide)
# before issue 13 item 5: every table open one after the other, small charts. Folded, with the charts at the
# content's width, it measures about 6,800 px. The bound is about half the former height: room for a longer
# reading or a wrapped card, and it fails if the tables unfold again (they alone add more than the margin).
MAX_HEIGHT = 8_000

# A chart has drawn when its web component's shadow root holds a canvas (or svg) of non-zero size with
# painted pixels (Chart.js animates from zero: wait until something is painted).
CHART_STATE = """chart => {
    const root = chart.shadowRoot;
    if (!root) return null;
    const canvas = root.querySelector("canvas, svg");
    if (!canvas) return null;
    const box = canvas.getBoundingClientRect();
    let painted = 0;
    if (canvas.tagName.toLowerCase() === "canvas" && canvas.width && canvas.height) {
        const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
    }
    return {width: box.width, height: box.height, painted: painted};
}"""


@pytest.fixture
def dossier(portrait_data, tmp_path):  # noqa: F811
    """The portrait's EPCI as a dossier; CAF recipients imported for Albi only: a partial figure."""
    epci = portrait_data
    import_dataset(write(tmp_path, "inseecaf2021.csv", [CAF_HEADER, '"810040101";"0";1132;88;154']))
    engine.reset()
    return CtgFactory(epci=epci, communes=list(epci.communes.all()), title="CTG du portrait")


def test_the_portrait_reads_at_a_glance(
    transactional_db, dossier, page, live_server, login, tmp_path, record_property
):
    user = UserFactory(email="lecture@portrait.fr", password=PASSWORD)
    MembershipFactory(ctg=dossier, user=user, role=Role.REFERENT_COMMUNAL)
    login(user.email, PASSWORD)
    page.set_viewport_size(VIEWPORT)
    response = page.goto(f"{live_server.url}/portrait/ctg/{dossier.pk}/")
    assert response.ok

    # Every chart has drawn: a canvas of non-zero size, painted, in each web component's shadow root.
    charts = page.locator("bar-chart")
    count = charts.count()
    assert count >= 3
    sizes = []
    for index in range(count):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        handle = page.wait_for_function(
            f"chart => {{ const s = ({CHART_STATE})(chart); return s && s.width > 0 && s.height > 0 "
            "&& s.painted > 500 ? s : null; }",
            arg=chart.element_handle(),
        )
        sizes.append(handle.json_value())
    content_width = page.locator("#portrait-contenu").bounding_box()["width"]
    for size in sizes:
        # Large enough to read at a glance: the content's width, and tall enough for legible bars.
        assert size["width"] >= 0.9 * content_width - 40, (size, content_width)
        assert size["height"] >= 250, size
    print(f"\n{count} graphiques dessinés, tailles : {sizes}")

    # The reading order: key figures, then points of attention, then the map, then the themes.
    order = page.evaluate(
        """() => ["chiffres-cles", "portrait-attention", "portrait-carte", "theme-demographie"].map(
            id => document.getElementById(id).getBoundingClientRect().top + window.scrollY)"""
    )
    assert order == sorted(order)
    cards = page.locator("#chiffres-cles ~ .fr-grid-row .fr-card")
    assert cards.count() >= 5
    allocataires = cards.filter(has_text="Foyers allocataires")
    assert "partiel" in allocataires.inner_text().lower()
    assert page.locator("svg.ctg-map").is_visible()

    # The theme menu: each link reaches its section.
    links = page.locator("nav.fr-sidemenu a.fr-sidemenu__link")
    assert links.count() >= 8
    for href in links.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        assert href.startswith("#") and page.locator(href).count() == 1, href

    # The menu stays in view on a large screen: following its last theme's link leaves it on screen.
    page.locator("nav.fr-sidemenu").get_by_role("link", name="Sources et définitions").click()
    page.wait_for_function("() => window.scrollY > 2000")
    for name in ("Chiffres clés", "Sources et définitions"):  # its first and last links are on screen
        box = page.locator("nav.fr-sidemenu").get_by_role("link", name=name).bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"], (name, box)
    page.evaluate("window.scrollTo(0, 0)")

    # The tables are folded: a theme's table shows once its accordion is opened.
    table = page.locator("#tableau-demographie table")
    assert not table.is_visible()
    page.get_by_role("button", name="Tableau des indicateurs — Démographie").click()
    table.wait_for(state="visible")
    page.get_by_role("button", name="Tableau des indicateurs — Démographie").click()
    table.wait_for(state="hidden")

    height = page.evaluate("document.body.scrollHeight")
    print(f"Hauteur de la page : {height} px (viewport {VIEWPORT['width']} px)")
    assert height < MAX_HEIGHT

    # Printed, the page holds everything: the DSFR's print sheet opens every accordion. Unfolded that way the
    # page is taller than the bound, which therefore fails if the tables unfold again on screen.
    page.emulate_media(media="print")
    page.locator("#tableau-demographie table").wait_for(state="visible")
    page.locator("#tableau-communes table").wait_for(state="visible")
    printed = page.evaluate("document.body.scrollHeight")
    print(f"Hauteur imprimée (accordéons ouverts) : {printed} px")
    assert printed > MAX_HEIGHT
    page.emulate_media(media="screen")

    # The whole page in one screenshot: the viewport made as tall as the page first, and the charts left to
    # redraw at that size (Chart.js animates a resize), so that the picture shows them drawn.
    page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
    page.wait_for_timeout(1500)
    shot = tmp_path / "portrait.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    print(f"Capture du portrait : {shot}")
    record_property("screenshot", str(shot))  # in the test's report (junit XML, -rA)
    record_property("page_height", height)
    record_property("charts_drawn", count)
    assert_accessible(page, "Portrait lisible : chiffres clés, menu des thèmes, accordéons")
