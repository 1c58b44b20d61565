"""The map of the communes tells « donnée absente » (commune not in the file, or no value published)
from « secret statistique » (the source withheld the figure), issue 11: two fills, two legend entries, and
words for screen readers (the map's description and each commune's title), never the pattern alone."""

import xml.etree.ElementTree as ET

from ctg.diagnostics import maps

SVG = "{http://www.w3.org/2000/svg}"


def square(x: float, y: float = 45.0) -> maps.Shape:
    return [[[(x, y), (x + 0.1, y), (x + 0.1, y + 0.1), (x, y + 0.1), (x, y)]]]


CODES = ("87085", "87005", "87019", "87020", "87038")
NAMES = {
    "87085": "Limoges",
    "87005": "Aureil",
    "87019": "Boisseuil",
    "87020": "Bonnac-la-Côte",
    "87038": "Chaptelat <script>",
}
SHAPES = {code: square(1.0 + i / 5) for i, code in enumerate(CODES)}
VALUES = {"87085": 58000.0, "87005": None, "87019": 1200.0, "87020": None, "87038": None}
STATUSES = {
    "87085": "partiel",
    "87005": "absent",
    "87019": "ok",
    "87020": "secret",
    "87038": "non_disponible",
}


def render(**options) -> ET.Element:
    svg = maps.choropleth_svg(
        SHAPES, VALUES, NAMES, title="Foyers allocataires", unit="foyers", decimals=0, **options
    )
    return ET.fromstring(svg)  # well-formed: every name escaped


def communes(root: ET.Element) -> dict[str, ET.Element]:
    return {path.get("data-code"): path for path in root.iter(f"{SVG}path")}


def legend(root: ET.Element) -> dict[str, tuple[str, str]]:
    """{entry kind: (fill of its swatch, its text)} of the entries for the communes without a value."""
    return {
        group.get("data-legend"): (group.find(f"{SVG}rect").get("fill"), group.find(f"{SVG}text").text)
        for group in root.iter(f"{SVG}g")
        if group.get("data-legend")
    }


def test_absent_and_secret_have_their_own_fill_and_legend_entry():
    root = render(statuses=STATUSES)
    paths = communes(root)
    assert paths["87005"].get("fill") == paths["87038"].get("fill") == "url(#ctg-hatch)"
    assert paths["87020"].get("fill") == "url(#ctg-secret)"
    entries = legend(root)
    assert entries == {
        "absent": (
            "url(#ctg-hatch)",
            "Données non disponibles : commune absente du fichier ou sans valeur publiée",
        ),
        "secret": ("url(#ctg-secret)", "Secret statistique : valeur masquée par la source"),
    }
    # Both patterns are defined, and differ.
    patterns = {p.get("id"): ET.tostring(p) for p in root.iter(f"{SVG}pattern")}
    assert set(patterns) == {"ctg-hatch", "ctg-secret"}
    assert patterns["ctg-hatch"].replace(b"ctg-hatch", b"") != patterns["ctg-secret"].replace(
        b"ctg-secret", b""
    )


def test_each_commune_says_why_it_has_no_value():
    titles = {
        code: path.find(f"{SVG}title").text for code, path in communes(render(statuses=STATUSES)).items()
    }
    assert titles["87005"] == "Aureil : donnée absente du fichier"
    assert titles["87020"] == "Bonnac-la-Côte : secret statistique"
    assert titles["87038"] == "Chaptelat <script> : données non disponibles"
    assert titles["87019"] == "Boisseuil : 1\u202f200\u00a0foyers"
    # A figure of the published IRIS only is a lower bound, coloured by it and said so.
    assert titles["87085"].startswith("Limoges : au moins 58\u202f000\u00a0foyers (partiel")


def test_the_description_counts_absent_and_secret_communes():
    description = render(statuses=STATUSES).find(f"{SVG}desc").text
    assert "2 communes sans donnée : absentes du fichier ou sans valeur publiée (hachures)" in description
    assert "1 commune soumise au secret statistique (motif à points)" in description


def test_the_legend_keeps_its_entries_when_nothing_is_missing():
    values = dict.fromkeys(CODES, 10.0)
    statuses = dict.fromkeys(CODES, "ok")
    svg = maps.choropleth_svg(SHAPES, values, NAMES, title="Carte", unit="foyers", statuses=statuses)
    root = ET.fromstring(svg)
    assert set(legend(root)) == {"absent", "secret"}
    assert "sans donnée" not in root.find(f"{SVG}desc").text
    assert "secret" not in root.find(f"{SVG}desc").text


def test_without_statuses_every_missing_value_is_not_available():
    """A caller that does not give the statuses cannot tell secret from absent: one entry, no « secret »."""
    root = render()
    paths = communes(root)
    assert {paths[c].get("fill") for c in ("87005", "87020", "87038")} == {"url(#ctg-hatch)"}
    assert set(legend(root)) == {"absent"}
    assert paths["87020"].find(f"{SVG}title").text == "Bonnac-la-Côte : données non disponibles"
    assert "3 communes sans donnée" in root.find(f"{SVG}desc").text


def test_the_legend_fits_in_the_picture():
    """A narrow territory: the picture is widened to the longest legend entry rather than cut it."""
    shapes = {code: square(1.0, 45.0 + i / 5) for i, code in enumerate(CODES)}  # a tall column
    root = ET.fromstring(
        maps.choropleth_svg(shapes, VALUES, NAMES, title="Carte", unit="foyers", statuses=STATUSES)
    )
    width = float(root.get("viewBox").split()[2])
    assert width >= 36 + 7.5 * len(maps.MISSING_LEGEND)
