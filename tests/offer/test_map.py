"""Seeing the offer: the map (points and table agree, names escaped in the SVG), the table per commune (cells
linking to the filtered list), the data·inclusion export (only the types data·inclusion knows, formulas
neutralised, names kept exactly), the territory that bounds them all."""

import csv
import datetime
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from ctg.offer import datainclusion
from ctg.offer.services import structure_create

SCRIPT = "<script>alert(1)</script>"
FORMULA = "=cmd|' /C calc'!A0"


def make(commune, name, type="france_services", **values):
    return structure_create(
        actor=None,
        values={
            "type": type,
            "name": name,
            "commune": commune,
            "source": "saisie",
            "last_update": datetime.date(2025, 3, 14),
            **values,
        },
    )


@pytest.fixture
def offer(world):
    first, second, _third = world.ctg.communes.order_by("code")
    other_commune = world.other_ctg.communes.get()
    return {
        "fs": make(first, SCRIPT, latitude=43.93, longitude=2.15, postcode="81000"),
        "formula": make(second, FORMULA, type="centre_social", latitude=43.95, longitude=2.20),
        "creche": make(
            second, "Crèche Les Lutins", type="eaje_creche", capacity=24, latitude=43.9, longitude=2.1
        ),
        "micro": make(second, "Micro-crèche", type="eaje_micro_creche", capacity=12),
        "outside": make(other_commune, "France services voisine", latitude=43.2, longitude=2.35),
    }


def _get(client, world, name, role="lecture", pk=None, **params):
    client.force_login(world.users[role])
    return client.get(reverse(f"offer:{name}", args=[pk or world.ctg.pk]), params)


def _svg(page: str) -> str:
    return re.search(r"<svg.*?</svg>", page, re.S).group(0)


def test_every_located_structure_is_a_point_with_its_title_and_a_row_of_the_table(client, world, offer):
    response = _get(client, world, "map")
    assert response.status_code == 200
    page = response.content.decode()
    svg = _svg(page)
    points = set(re.findall(r'data-structure="(\d+)"><title>', svg))
    rows = set(re.findall(r'<tr data-structure="(\d+)">', page))
    expected = {str(offer[key].pk) for key in ("fs", "formula", "creche")}
    assert points == rows == expected
    assert "<desc" in svg and "Chaque structure figure aussi dans le tableau" in svg
    assert "Légende" in svg
    # The structure without coordinates is said, not drawn.
    assert "1 structure sans coordonnées" in page
    assert "<script" not in svg and " style=" not in svg  # Content-Security-Policy: no script, no style


def test_names_are_escaped_in_the_svg_titles_and_the_table(client, world, offer):
    page = _get(client, world, "map").content.decode()
    svg = _svg(page)
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; — France Services" in svg


def test_a_structure_outside_the_territory_is_absent_everywhere(client, world, offer):
    outside = offer["outside"]
    for name in ("map", "communes"):
        page = _get(client, world, name).content.decode()
        assert "France services voisine" not in page
        assert f'data-structure="{outside.pk}"' not in page
    records = json.loads(_get(client, world, "datainclusion_json").content)
    assert f"ctg-{outside.pk}" not in {r["id"] for r in records}


def test_the_map_follows_the_filters_of_the_list(client, world, offer):
    page = _get(client, world, "map", champ="petite_enfance").content.decode()
    points = set(re.findall(r'data-structure="(\d+)"><title>', _svg(page)))
    assert points == {str(offer["creche"].pk)}


def test_the_table_per_commune_counts_structures_and_places_and_links_to_the_list(client, world, offer):
    response = _get(client, world, "communes")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.context["rows"]}
    second = offer["creche"].commune_id
    cells = {c["field_label"]: c for c in rows[second]["cells"]}
    petite = cells["Petite enfance (0-3 ans)"]
    assert (petite["count"], petite["places"]) == (2, 36)
    assert cells["Animation de la vie sociale"]["count"] == 1
    assert rows[second]["total"] == 3
    query = parse_qs(urlsplit(petite["url"]).query)
    assert query == {"commune": [second], "champ": ["petite_enfance"]}
    listed = client.get(petite["url"]).context["rows"]
    assert sorted(r["structure"].name for r in listed) == ["Crèche Les Lutins", "Micro-crèche"]
    assert offer["outside"].commune_id not in rows


def test_the_data_inclusion_export_holds_only_the_types_it_knows(client, world, offer):
    response = _get(client, world, "datainclusion_json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"<script" not in response.content
    records = json.loads(response.content)
    assert {r["id"] for r in records} == {f"ctg-{offer['fs'].pk}", f"ctg-{offer['formula'].pk}"}
    by_id = {r["id"]: r for r in records}
    fs = by_id[f"ctg-{offer['fs'].pk}"]
    assert fs["nom"] == SCRIPT  # kept exactly: the JSON escapes, the reader gets the name back
    assert (fs["reseaux_porteurs"], fs["code_insee"], fs["code_postal"], fs["date_maj"]) == (
        ["france-service"],
        offer["fs"].commune_id,
        "81000",
        "2025-03-14",
    )
    assert by_id[f"ctg-{offer['formula'].pk}"]["reseaux_porteurs"] == ["fcsf"]
    assert all(set(r) == set(datainclusion.FIELDS) for r in records)
    assert set(datainclusion.mappable_types()).isdisjoint({"eaje_creche", "rpe", "laep", "alsh", "pmi"})


def test_the_data_inclusion_csv_neutralises_formulas(client, world, offer):
    response = _get(client, world, "datainclusion_csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(rows[0]) == list(datainclusion.FIELDS)
    names = {r["nom"] for r in rows}
    assert len(rows) == 2
    assert SCRIPT in names
    assert FORMULA not in names and any(n.endswith(FORMULA) and not n.startswith("=") for n in names)


@pytest.mark.parametrize("name", ["map", "communes", "datainclusion_json", "datainclusion_csv"])
def test_another_dossier_s_id_answers_404(client, world, offer, name):
    assert _get(client, world, name, pk=world.other_ctg.pk).status_code == 404


def test_the_list_links_to_the_map_and_the_table_per_commune(client, world, offer):
    page = _get(client, world, "list").content.decode()
    assert reverse("offer:map", args=[world.ctg.pk]) in page
    assert reverse("offer:communes", args=[world.ctg.pk]) in page


def test_the_commune_contours_are_drawn_under_the_points_with_the_legend(
    client, world, offer, settings, tmp_path
):
    communes = list(world.ctg.communes.order_by("code"))
    ring = lambda lon: [[lon, 43.85], [lon + 0.1, 43.85], [lon + 0.1, 43.98], [lon, 43.98], [lon, 43.85]]  # noqa: E731
    features = [
        {
            "type": "Feature",
            "properties": {"code": c.code},
            "geometry": {"type": "Polygon", "coordinates": [ring(2.05 + 0.1 * i)]},
        }
        for i, c in enumerate(communes)
    ]
    (tmp_path / "communes.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features})
    )
    settings.CTG_CONTOURS_DIR = str(tmp_path)
    svg = _svg(_get(client, world, "map").content.decode())
    assert set(re.findall(r'<path d="[^"]+"[^>]*data-code="(\w+)"', svg)) == {c.code for c in communes}
    legend = set(re.findall(r'data-legend="(\w+)"', svg))
    assert legend == {"petite_enfance", "acces_droits", "animation_vie_sociale"}
