"""The CAF's départemental dashboard in Chromium: the map (communes coloured and patterned by the state of
their EPCI's CTG, EPCI outlines, legend), the figures and the tables pass axe-core (no serious or critical
violation) without Content-Security-Policy violation, for the CAF adviser, filtered, for the Département's
reader, after a refused filter, and without contours."""

import datetime
import json

from playwright.sync_api import Page

from ctg.organisations.models import Organisation
from tests.conftest import PASSWORD
from tests.factories import CommuneFactory, EpciFactory, OrganisationFactory, SignatoryFactory, UserFactory

from .axe import assert_accessible
from .test_csp_browser import CspWatch


def _square(lon: float, lat: float, size: float = 0.05) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_dashboard_pages_are_accessible(
    transactional_db, world, page: Page, live_server, login, settings, tmp_path
):
    ctg = world.ctg
    tarn = ctg.caf.departement
    SignatoryFactory(ctg=ctg, organisation=ctg.caf, signed_on=datetime.date(2025, 2, 1))
    other = EpciFactory(name="CC <b>Sans</b> Convention")
    others = [CommuneFactory(epci=other, departement=tarn, name=f"Village {i}") for i in range(3)]
    # Two rows of three squares sharing their edges: the CTG's EPCI above, the other below.
    features = [
        {
            "type": "Feature",
            "properties": {"code": c.code},
            "geometry": _square(2.0 + 0.05 * i, 43.95 - 0.05 * row),
        }
        for row, communes in enumerate([list(ctg.communes.order_by("code")), others])
        for i, c in enumerate(communes)
    ]
    contours = tmp_path / "contours"
    contours.mkdir()
    (contours / "communes.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    settings.CTG_CONTOURS_DIR = str(contours)
    settings.DATA_DIR = tmp_path / "data"

    watch = CspWatch(page, live_server.url)
    login(world.users["pilote_caf"].email, PASSWORD)
    watch.visit("/caf/", "Tableau de bord (redirection)")
    assert page.url.endswith("/caf/81/")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Tableau de bord des CTG") and heading.endswith("Tarn (81)")
    assert page.locator("svg.ctg-map path[data-code]").count() == 6
    assert page.locator('svg.ctg-map path[data-state="signee"]').count() == 3
    assert page.locator('svg.ctg-map path[data-outline="epci"]').count() == 1
    assert page.locator('li[data-legend="aucune"]').inner_text().startswith("Pas de CTG")
    assert page.get_by_role("cell", name="CC <b>Sans</b> Convention").count() == 0  # a row header
    assert page.get_by_role("rowheader", name="CC <b>Sans</b> Convention").is_visible()
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    assert_accessible(page, "Tableau de bord départemental")

    watch.visit("/caf/81/?etat=aucune", "Tableau de bord filtré")
    assert page.locator("table[data-table=epci] tbody tr").count() == 1
    assert_accessible(page, "Tableau de bord filtré")

    watch.visit("/caf/81/?echeance=abc", "Filtre refusé")
    assert page.get_by_role("heading", name="Filtre invalide").is_visible()
    assert_accessible(page, "Filtre refusé")

    settings.CTG_CONTOURS_DIR = str(tmp_path / "nowhere")
    page.context.clear_cookies()
    reader = UserFactory(
        email="pmi@tarn.fr",
        organisation=OrganisationFactory(kind=Organisation.Kind.SERVICE_DEPARTEMENT, departement=tarn),
    )
    login(reader.email, PASSWORD)
    watch.visit("/caf/81/", "Tableau de bord du Département")
    assert page.get_by_text("lecture seule").is_visible()
    assert_accessible(page, "Tableau de bord du Département (lecture seule)")

    # A data manager chooses the département.
    page.context.clear_cookies()
    manager = UserFactory(email="donnees@plateforme.fr", is_staff=True, is_superuser=True)
    login(manager.email, PASSWORD)
    watch.visit("/caf/", "Choix du département")
    page.get_by_role("link", name="Tarn (81)").click()
    assert page.url.endswith("/caf/81/")
    watch.visit("/caf/", "Choix du département")
    assert_accessible(page, "Choix du département")
    watch.assert_none()
