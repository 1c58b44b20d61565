"""The map of the offer of services of a territory, as inline SVG (issue 12, « voir l'offre »): the commune
contours of `ctg.diagnostics.maps` (same sources, same projection) and one point per structure with
coordinates, its shape and colour telling its CTG field, with a legend. Every point has a <title>; the SVG has
a <desc>; the page lists every point in a table too. No style attribute, no script (Content-Security-Policy).
"""

import math
from xml.sax.saxutils import escape

from ctg.conventions.models import Field
from ctg.diagnostics.maps import projection, quoteattr_text, svg_path

CONTOUR_FILL = "#f6f6f6"
CONTOUR_STROKE = "#929292"
TEXT_COLOUR = "#161616"
# One marker per field: (shape, colour); colours of the DSFR illustrative palette, dark enough on grey.
MARKERS = {
    Field.PETITE_ENFANCE.value: ("circle", "#000091"),
    Field.ENFANCE.value: ("square", "#18753c"),
    Field.JEUNESSE.value: ("triangle", "#b34000"),
    Field.PARENTALITE.value: ("diamond", "#6e445a"),
    Field.ANIMATION_VIE_SOCIALE.value: ("triangle_down", "#716043"),
    Field.ACCES_DROITS.value: ("star", "#ce0500"),
    Field.LOGEMENT.value: ("square", "#3a3a3a"),
    Field.HANDICAP.value: ("circle", "#009081"),
}
DEFAULT_MARKER = ("circle", "#3a3a3a")
SHAPE_NAMES = {
    "circle": "rond",
    "square": "carré",
    "triangle": "triangle",
    "diamond": "losange",
    "triangle_down": "triangle pointe en bas",
    "star": "étoile",
}


def marker(field: str) -> tuple[str, str]:
    return MARKERS.get(field, DEFAULT_MARKER)


def _marker_svg(shape: str, colour: str, x: float, y: float, size: float = 5.0) -> str:
    """The opening tag of a marker's element (closed by the caller, which puts the <title> inside)."""
    common = f'fill="{colour}" stroke="#ffffff" stroke-width="1"'
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" {common}>', "</circle>"
    if shape == "square":
        s = size * 0.9
        return (
            f'<rect x="{x - s:.1f}" y="{y - s:.1f}" width="{2 * s:.1f}" height="{2 * s:.1f}" {common}>',
            "</rect>",
        )
    if shape == "star":
        points = []
        for i in range(10):
            radius = size * 1.3 if i % 2 == 0 else size * 0.55
            angle = math.pi / 2 + i * math.pi / 5
            points.append((x + radius * math.cos(angle), y - radius * math.sin(angle)))
    else:
        s = size * 1.2
        points = {
            "triangle": [(x, y - s), (x + s, y + s * 0.8), (x - s, y + s * 0.8)],
            "triangle_down": [(x, y + s), (x + s, y - s * 0.8), (x - s, y - s * 0.8)],
            "diamond": [(x, y - s), (x + s, y), (x, y + s), (x - s, y)],
        }[shape]
    text = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
    return f'<polygon points="{text}" {common}>', "</polygon>"


def offer_map_svg(
    shapes: dict,
    names: dict[str, str],
    points: list[dict],
    *,
    title: str,
    width: int = 640,
    height: int = 460,
) -> str:
    """`points`: dicts with `lon`, `lat`, `field`, `field_label`, `label` (the <title> text), `code` (the
    structure's id). The map is fitted to the contours and the points together; "" when there is nothing."""
    if not shapes and not points:
        return ""
    # The points take part in the fit as one more « shape » (a ring of their coordinates).
    fitted = dict(shapes)
    if points:
        fitted["__points__"] = [[[(p["lon"], p["lat"]) for p in points]]]
    project, map_w, map_h = projection(fitted, width, height, margin=10)
    fields = []
    for point in points:
        if (point["field"], point["field_label"]) not in fields:
            fields.append((point["field"], point["field_label"]))
    fields.sort(key=lambda item: list(MARKERS).index(item[0]) if item[0] in MARKERS else len(MARKERS))
    legend_h = 22 * len(fields) + 28 if fields else 0
    longest = max((len(label) for _f, label in fields), default=0)
    total_w = max(map_w, 320, math.ceil(60 + 7.5 * longest))
    total_h = map_h + legend_h
    counts = {f: sum(1 for p in points if p["field"] == f) for f, _label in fields}
    desc = (
        f"Carte de {len(shapes)} commune{'s' if len(shapes) > 1 else ''} et de {len(points)} "
        f"structure{'s' if len(points) > 1 else ''} localisée{'s' if len(points) > 1 else ''} ; "
        + " ; ".join(f"{label} : {counts[f]} ({SHAPE_NAMES[marker(f)[0]]})" for f, label in fields)
        + ". Chaque structure figure aussi dans le tableau sous la carte."
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total_w:.0f} {total_h:.0f}" '
        f'width="{total_w:.0f}" role="img" aria-labelledby="ctg-offer-map-t ctg-offer-map-d" '
        'class="ctg-map" font-family="Marianne, Arial, sans-serif">'
        f'<title id="ctg-offer-map-t">{escape(title)}</title>'
        f'<desc id="ctg-offer-map-d">{escape(desc)}</desc><g>'
    ]
    for code in sorted(shapes):
        out.append(
            f'<path d="{svg_path(shapes[code], project)}" fill="{CONTOUR_FILL}" stroke="{CONTOUR_STROKE}" '
            f'stroke-width="0.8" data-code="{quoteattr_text(code)}"><title>{escape(names.get(code, code))}'
            "</title></path>"
        )
    out.append("</g><g>")
    for point in points:
        x, y = project(point["lon"], point["lat"])
        shape, colour = marker(point["field"])
        opening, closing = _marker_svg(shape, colour, x, y)
        opening = opening[:-1] + f' data-structure="{quoteattr_text(point["code"])}">'
        out.append(f"{opening}<title>{escape(point['label'])}</title>{closing}")
    out.append("</g>")
    if fields:
        y = map_h + 18
        out.append(
            f'<text x="4" y="{y:.0f}" font-size="13" font-weight="700" fill="{TEXT_COLOUR}">Légende</text>'
        )
        for field, label in fields:
            y += 22
            shape, colour = marker(field)
            opening, closing = _marker_svg(shape, colour, 16, y - 5)
            out.append(
                f'<g data-legend="{quoteattr_text(field)}">{opening}{closing}<text x="36" y="{y:.0f}" '
                f'font-size="13" fill="{TEXT_COLOUR}">{escape(label)} ({counts[field]})</text></g>'
            )
    out.append("</svg>")
    return "".join(out)
