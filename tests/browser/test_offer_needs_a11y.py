"""The « Besoins et offre » page renders in Chromium and passes axe-core (no serious or critical violation),
with its table per field and a white-zones table per type."""

import json

from ctg.offer.services import structure_create
from tests.conftest import PASSWORD

from .axe import assert_accessible


def _square(lon: float, lat: float, size: float = 0.05) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_needs_page_is_accessible(transactional_db, world, page, live_server, login, settings, tmp_path):
    ctg = world.ctg
    settings.DATA_DIR = tmp_path / "data"
    communes = list(ctg.communes.order_by("code"))
    # Contours of the dossier's communes, 0.3° apart (about 30 km): one with a structure, the others far.
    contours = tmp_path / "contours"
    contours.mkdir()
    features = [
        {"type": "Feature", "properties": {"code": c.code}, "geometry": _square(2.0 + 0.3 * i, 43.9)}
        for i, c in enumerate(communes)
    ]
    (contours / "communes.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    settings.CTG_CONTOURS_DIR = str(contours)
    structure_create(
        actor=None,
        values={
            "type": "france_services",
            "name": "France services du Test",
            "commune": communes[0],
            "latitude": 43.925,
            "longitude": 2.025,
            "source": "saisie",
        },
    )
    structure_create(
        actor=None,
        values={
            "type": "eaje_micro_creche",
            "name": "Micro-crèche du Test",
            "commune": communes[0],
            "capacity": 12,
            "source": "saisie",
        },
    )
    login(world.users["lecture"].email, PASSWORD)
    for query in ("", "?distance=30"):
        response = page.goto(f"{live_server.url}/portrait/ctg/{ctg.pk}/offre/besoins/{query}")
        assert response.status == 200
        assert page.get_by_role("heading", name="Zones blanches").is_visible()
        assert_accessible(page, f"Besoins et offre{query}")
