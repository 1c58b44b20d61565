"""The map of the offer and the offer per commune render in Chromium and pass axe-core (no serious or critical
violation), with commune contours, points of several fields with their legend, and the table of points."""

import json

from ctg.offer.services import structure_create
from tests.conftest import PASSWORD

from .axe import assert_accessible


def _square(lon: float, lat: float, size: float = 0.05) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_offer_map_pages_are_accessible(
    transactional_db, world, page, live_server, login, settings, tmp_path
):
    ctg = world.ctg
    settings.DATA_DIR = tmp_path / "data"
    communes = list(ctg.communes.order_by("code"))
    contours = tmp_path / "contours"
    contours.mkdir()
    features = [
        {"type": "Feature", "properties": {"code": c.code}, "geometry": _square(2.0 + 0.05 * i, 43.9)}
        for i, c in enumerate(communes)
    ]
    (contours / "communes.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    settings.CTG_CONTOURS_DIR = str(contours)
    for i, (type_, name) in enumerate(
        [("france_services", "France services du Test"), ("eaje_creche", "Crèche du Test"), ("alsh", "ALSH")]
    ):
        structure_create(
            actor=None,
            values={
                "type": type_,
                "name": name,
                "commune": communes[i],
                "latitude": 43.92,
                "longitude": 2.02 + 0.05 * i,
                "capacity": 20,
                "source": "saisie",
            },
        )
    login(world.users["lecture"].email, PASSWORD)
    for path, heading in (
        ("carte/", "Les structures de la carte"),
        ("communes/", "Export au format data·inclusion"),
    ):
        response = page.goto(f"{live_server.url}/portrait/ctg/{ctg.pk}/offre/{path}")
        assert response.status == 200
        assert page.get_by_role("heading", name=heading).is_visible()
        assert_accessible(page, f"Offre de services {path}")
    assert page.get_by_role("link", name="1 structure (20 places)").first.is_visible()
