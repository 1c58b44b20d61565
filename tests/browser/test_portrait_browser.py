"""The portrait in Chromium: the public page and the dossier tab render, pass axe-core, and show the map."""

from ctg.organisations.permissions import Role
from tests.conftest import PASSWORD
from tests.diagnostics.conftest import referential, stats_dir  # noqa: F401
from tests.diagnostics.test_portrait_views import EPCI_SIREN, portrait_data  # noqa: F401
from tests.factories import CtgFactory, MembershipFactory, UserFactory

from .axe import assert_accessible


def test_public_portrait_in_the_browser(transactional_db, portrait_data, page, live_server):  # noqa: F811
    response = page.goto(f"{live_server.url}/portrait/{EPCI_SIREN}/")
    assert response.ok
    assert page.get_by_role("heading", level=1).inner_text().startswith("Portrait social de territoire")
    carte = page.locator("svg.ctg-map")
    carte.wait_for()
    assert carte.is_visible() and carte.locator("path").count() == 3
    page.locator("bar-chart canvas").first.wait_for()  # the charts are dsfr-chart web components
    assert_accessible(page, "Portrait public d'un EPCI")

    # The commune table is folded; opened, sorting by a column is a link, then the header says how the table
    # is sorted, and the table comes back open.
    page.get_by_role("button", name="Tableau des communes (3)").click()
    page.get_by_role("link", name="Part des moins de 15 ans (%) — trier par ordre croissant").click()
    page.wait_for_url("**tri=part_moins_15_ans**")
    header = page.locator('#communes ~ div th[aria-sort="ascending"]')
    header.wait_for(state="visible")
    assert "Part des moins de 15 ans" in header.inner_text()
    first = page.locator("#communes ~ div tbody tr th").first.inner_text()
    assert first.startswith("Albi")

    # Another indicator on the map.
    page.get_by_label("Indicateur représenté").select_option("taux_pauvrete")
    page.get_by_role("button", name="Afficher la carte").click()
    page.wait_for_url("**carte=taux_pauvrete**")
    assert "Taux de pauvreté" in page.locator("svg.ctg-map title").first.text_content()


def test_dossier_tab_in_the_browser(transactional_db, portrait_data, page, live_server, login):  # noqa: F811
    epci = portrait_data
    ctg = CtgFactory(epci=epci, communes=list(epci.communes.all()), title="CTG du portrait")
    user = UserFactory(email="referent@portrait.fr", password=PASSWORD)
    MembershipFactory(ctg=ctg, user=user, role=Role.REFERENT_COMMUNAL)
    login(user.email, PASSWORD)
    response = page.goto(f"{live_server.url}/portrait/ctg/{ctg.pk}/")
    assert response.ok
    assert page.get_by_role("link", name="Diagnostic", exact=True).get_attribute("aria-current") == "page"
    assert page.locator("svg.ctg-map").is_visible()
    assert_accessible(page, "Onglet Diagnostic d'un dossier")
