"""Needs versus offer, by field, and white zones (issue 12, item 4).

For a territory (a commune, an EPCI, a département or a dossier's territory), per CTG field of the typology:
the demand indicators of the portrait (computed by the engine through `build_portrait`, never re-read here),
beside the offer of the inventory (open structures and their places, per 1,000 children of the age band or
per 10,000 inhabitants), and for the petite enfance the coverage rate that the Cnaf publishes when it is
loaded, else the rate computed from the inventory and labelled so. Every figure carries its status and source.

White zones: the communes of the territory with no structure of a type within a distance, as the crow flies
from the commune's centroid (computed from its contour polygons, `ctg.diagnostics.maps.load_contours`) to the
nearest structure with coordinates (haversine). A structure without coordinates counts in its own commune
only. Structures outside the territory count too (a neighbouring commune's France Services serves across the
border).

Scenarios (`ctg.offer.scenarios`): both functions take hypothetical structures (`HypotheticalStructure`: type,
commune, places, coordinates) and the ids of structures a scenario closes, and count them as if they were in
the inventory, without writing to it; an offer figure they change is marked simulated (`Figure.simulated`,
shown « simulé »), with its status and source kept.
"""

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from django.conf import settings

from ctg.conventions.models import Field
from ctg.diagnostics.engine import NON_DISPONIBLE, OK, PARTIEL, Value
from ctg.diagnostics.maps import contours_dir, load_contours
from ctg.diagnostics.portrait import Territory, build_portrait
from ctg.diagnostics.readings import format_number
from ctg.offer import typology
from ctg.offer.models import Structure
from ctg.offer.selectors import source_label, structures_of_territory

EARTH_RADIUS_KM = 6371.0088
COVERAGE_ID = "taux_couverture_accueil_jeune_enfant"
CNAF_PLACES_ID = "places_eaje"  # the EAJE places of the Cnaf file: offer beside the inventory's, when loaded
INVENTORY_LABEL = "calculé à partir de l'inventaire"
NO_CNAF = "taux de la Cnaf non chargé ; sans garde à domicile ni préscolarisation"
INVENTORY_SOURCE = "Inventaire de l'offre de services de la plateforme"
METHOD = (
    "Distance à vol d'oiseau (formule de haversine) entre le centroïde de la commune, calculé à partir "
    "de son contour, et la structure ouverte la plus proche ayant des coordonnées, y compris hors du "
    "territoire. Une structure sans coordonnées ne compte que pour sa propre commune. Aucun temps de "
    "trajet n'est calculé : aucun service d'itinéraire n'est configuré."
)

# The fields of the typology, in the order of the conventions, with the demand indicators of the portrait
# (ids of ../shared/docs/indicators.md) and the denominator of the offer: the children of the age band
# (`enfants_moins_3_ans`, per 1,000) or the inhabitants (`population`, per 10,000).
FIELDS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        Field.PETITE_ENFANCE,
        ("enfants_moins_3_ans", "part_familles_monoparentales", "part_allocataires_monoparents"),
        "enfants",
    ),
    (Field.ENFANCE, ("part_moins_15_ans", "familles_avec_enfants"), "population"),
    (Field.JEUNESSE, ("part_15_29_ans", "part_11_17_ans", "taux_chomage_15_24"), "population"),
    (
        Field.PARENTALITE,
        ("familles_avec_enfants", "part_familles_monoparentales", "part_allocataires_monoparents"),
        "population",
    ),
    (
        Field.ANIMATION_VIE_SOCIALE,
        ("population", "menages_une_personne", "part_60_ans_et_plus"),
        "population",
    ),
    (Field.ACCES_DROITS, ("allocataires", "part_allocataires_rsa", "taux_pauvrete"), "population"),
    (Field.LOGEMENT, ("allocataires_aide_logement", "menages_une_personne"), "population"),
    (Field.HANDICAP, ("allocataires_aah",), "population"),
)
DENOMINATORS = {
    "enfants": ("enfants_moins_3_ans", 1000, "pour 1 000 enfants de moins de 3 ans"),
    "population": ("population", 10000, "pour 10 000 habitants"),
}
# Places counted in the coverage rate computed from the inventory (indicators.md: EAJE + assistantes
# maternelles; the inventory has no garde à domicile nor préscolarisation places).
COVERAGE_TYPES = {t.code for t in typology.of_field(Field.PETITE_ENFANCE) if t.code.startswith("eaje")} | {
    "mam",
    "assistantes_maternelles",
}


SIMULATED_CAVEAT = "simulé : avec le scénario"
SCENARIO_SOURCE = "scénario (structures simulées)"


@dataclass(frozen=True)
class HypotheticalStructure:
    """A structure that a scenario adds, counted as an open structure of the inventory (never saved): its
    coordinates are those of its commune's centroid, when known."""

    type: str
    commune: str  # the commune's INSEE code
    places: int | None = None
    latitude: float | None = None
    longitude: float | None = None


def default_distance_km() -> float:
    return float(getattr(settings, "CTG_WHITE_ZONE_KM", 10))


@dataclass
class Figure:
    """One figure of the table: its value, unit, status (the engine's), source and caveat."""

    label: str
    value: float | None
    unit: str
    status: str
    source: str
    caveat: str = ""
    indicator: str = ""  # the catalogue id, for a demand figure
    simulated: bool = False  # counts the hypothetical structures (or closures) of a scenario

    def simulate(self) -> "Figure":
        self.simulated = True
        self.caveat = "; ".join(x for x in (self.caveat, SIMULATED_CAVEAT) if x)
        return self

    @property
    def text(self) -> str:
        if self.value is None:
            return "non disponible"
        return format_number(self.value, 0 if float(self.value).is_integer() else 1)

    def as_json(self) -> dict:
        document = {
            "indicator": self.indicator or None,
            "label": self.label,
            "value": None if self.value is None else round(self.value, 2),
            "unit": self.unit,
            "status": self.status,
            "source": self.source,
            "caveat": self.caveat,
        }
        if self.simulated:
            document["simulated"] = True
        return document


@dataclass
class FieldRow:
    field: str
    label: str
    demand: list[Figure]
    offer: list[Figure]
    rate: Figure | None = None

    def as_json(self) -> dict:
        return {
            "field": self.field,
            "label": self.label,
            "demand": [f.as_json() for f in self.demand],
            "offer": [f.as_json() for f in self.offer],
            "rate": self.rate.as_json() if self.rate else None,
        }


def _demand_figure(portrait, indicator_id: str) -> Figure:
    from ctg.diagnostics.catalogue import BY_ID

    ind = BY_ID[indicator_id]
    result = next((r for r in portrait.results if r.indicator.id == indicator_id), None)
    if result is None:
        value = Value(None, NON_DISPONIBLE, None, None, note="non disponible : données non chargées")
        return Figure(ind.label, None, ind.unit, NON_DISPONIBLE, "", value.note, indicator_id)
    value = result.value
    caveat = value.caveat or ("" if value.status == OK else value.status.replace("_", " "))
    return Figure(ind.label, value.value, ind.unit, value.status, result.source, caveat, indicator_id)


def _ratio(count: float, base: Figure, per: int, label: str, unit: str) -> Figure:
    if base.value is None or base.value <= 0:
        return Figure(label, None, unit, NON_DISPONIBLE, INVENTORY_SOURCE, f"{base.label} : non disponible")
    status = PARTIEL if base.status == PARTIEL else OK
    caveat = f"dénominateur partiel ({base.caveat})" if status == PARTIEL else ""
    source = f"{INVENTORY_SOURCE} ; {base.label} : {base.source}"
    return Figure(label, count / base.value * per, unit, status, source, caveat)


def _open_structures(territory: Territory, closed: Collection[int] = ()):
    structures = structures_of_territory(territory).filter(status=Structure.Status.OPEN)
    return structures.exclude(pk__in=closed) if closed else structures


def portrait_for_needs(territory: Territory):
    """The portrait figures that `needs_versus_offer` reads (built once, reusable for a before/after)."""
    wanted = {i for _f, ids, _d in FIELDS for i in ids} | {"population", "enfants_moins_3_ans", COVERAGE_ID}
    wanted.add(CNAF_PLACES_ID)
    return build_portrait(territory, with_references=False, indicators=wanted)


def needs_versus_offer(
    territory: Territory,
    extra: Sequence[HypotheticalStructure] = (),
    closed: Collection[int] = (),
    *,
    portrait=None,
) -> list[FieldRow]:
    """One row per field of the typology: demand, offer and, for the petite enfance, the coverage rate.
    `extra` (hypothetical structures: those of the territory's communes count) and `closed` (ids of
    structures a scenario closes) simulate a scenario; `portrait`: one built by `portrait_for_needs`."""
    portrait = portrait_for_needs(territory) if portrait is None else portrait
    inside = set(territory.communes)
    extra = [h for h in extra if h.commune in inside]
    closed_types = set(
        _open_structures(territory).filter(pk__in=closed).values_list("type", flat=True) if closed else ()
    )
    simulated = {typology.BY_CODE[t].field for t in closed_types} | {
        typology.BY_CODE[h.type].field for h in extra
    }
    counts: dict[str, list[int]] = {}
    sources: dict[str, set[str]] = {}
    rows_read = list(_open_structures(territory, closed).values_list("type", "capacity", "source"))
    rows_read += [(h.type, h.places, None) for h in extra]
    for type_code, capacity, source in rows_read:
        info = typology.BY_CODE[type_code]
        entry = counts.setdefault(info.field, [0, 0, 0])  # structures, places, structures with places
        if info.counted:
            entry[1] += capacity or 0
        else:
            entry[0] += 1
            if capacity:
                entry[1] += capacity
                entry[2] += 1
        label = SCENARIO_SOURCE if source is None else source_label(source)
        sources.setdefault(info.field, set()).add(label)
    bases = {key: _demand_figure(portrait, ind) for key, (ind, _per, _label) in DENOMINATORS.items()}
    rows = []
    for field_value, indicator_ids, denominator in FIELDS:
        structures, places, with_places = counts.get(field_value, [0, 0, 0])
        source = INVENTORY_SOURCE
        if sources.get(field_value):
            source += " (" + ", ".join(sorted(sources[field_value])) + ")"
        _ind, per, per_label = DENOMINATORS[denominator]
        base = bases[denominator]
        offer = [Figure("Structures ouvertes", structures, "structures", OK, source)]
        offer.append(_ratio(structures, base, per, f"Structures {per_label}", f"structures {per_label}"))
        if places or field_value == Field.PETITE_ENFANCE:
            caveat = (
                ""
                if with_places == structures
                else f"places connues pour {with_places} structure(s) sur {structures}"
            )
            offer.append(Figure("Places", places, "places", OK if not caveat else PARTIEL, source, caveat))
            offer.append(_ratio(places, base, per, f"Places {per_label}", f"places {per_label}"))
        if field_value in simulated:
            for figure in offer:
                if figure.value is not None:  # « non disponible » stays so, simulated or not
                    figure.simulate()
        row = FieldRow(
            field_value,
            Field(field_value).label,
            [_demand_figure(portrait, i) for i in indicator_ids],
            offer,
        )
        if field_value == Field.PETITE_ENFANCE:
            cnaf_places = _demand_figure(portrait, CNAF_PLACES_ID)
            cnaf_places.label += " (fichier de la Cnaf)"
            row.offer.append(cnaf_places)
            row.rate = _coverage_rate(portrait, territory, bases["enfants"], extra, closed)
        rows.append(row)
    return rows


def _coverage_rate(
    portrait,
    territory: Territory,
    children: Figure,
    extra: Sequence[HypotheticalStructure] = (),
    closed: Collection[int] = (),
) -> Figure:
    label = "Taux de couverture de l'accueil du jeune enfant"
    unit = "places pour 100 enfants de moins de 3 ans"
    coverage = _open_structures(territory).filter(type__in=COVERAGE_TYPES)
    # The places a scenario adds (its structures of the petite enfance) or removes (those it closes).
    delta = sum(h.places or 0 for h in extra if h.type in COVERAGE_TYPES)
    delta -= sum(c or 0 for c in coverage.filter(pk__in=closed).values_list("capacity", flat=True))
    changed = any(h.type in COVERAGE_TYPES for h in extra) or (
        bool(closed) and coverage.filter(pk__in=closed).exists()
    )
    published = _demand_figure(portrait, COVERAGE_ID)
    if published.value is not None:
        published.label = f"{label} (publié par la Cnaf)"
        if changed:
            if children.value:
                published.value += delta / children.value * 100
                published.simulate()
            else:
                published.caveat += (
                    " ; places du scénario non comptées : enfants de moins de 3 ans non disponibles"
                )
        return published
    places = sum(capacity or 0 for capacity in coverage.values_list("capacity", flat=True)) + delta
    figure = _ratio(places, children, 100, f"{label} ({INVENTORY_LABEL})", unit)
    figure.caveat = "; ".join(x for x in (figure.caveat, NO_CNAF) if x)
    if figure.value is not None and figure.status == OK:
        figure.status = PARTIEL
    return figure.simulate() if changed and figure.value is not None else figure


# --- white zones -------------------------------------------------------------------------------------


# (contours directory, commune code) → ((lat, lon) or None, the contours' source): contours are read once.
_centroids: dict[tuple[str, str], tuple[tuple[float, float] | None, str]] = {}


def _centroid(shape) -> tuple[float, float] | None:
    """The area-weighted centroid (lon, lat) of the outer rings of a MultiPolygon."""
    total = cx = cy = 0.0
    for polygon in shape:
        ring = polygon[0] if polygon else []
        area = x = y = 0.0
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=False):
            cross = x0 * y1 - x1 * y0
            area += cross
            x += (x0 + x1) * cross
            y += (y0 + y1) * cross
        if area:
            total += area / 2
            cx += x / 6
            cy += y / 6
    if not total:
        return None
    return cx / total, cy / total


def centroids(codes: list[str]) -> tuple[dict[str, tuple[float, float]], str]:
    """{commune code: (lat, lon)} of the communes whose contour is known, and the contours' source."""
    directory = str(contours_dir() or "")
    missing = [c for c in codes if (directory, c) not in _centroids]
    if missing:
        shapes, source = load_contours(missing)
        for code in missing:
            point = _centroid(shapes[code]) if code in shapes else None
            _centroids[(directory, code)] = ((point[1], point[0]), source) if point else (None, "")
    found = {c: _centroids[(directory, c)] for c in codes}
    sources = sorted({source for _point, source in found.values() if source})
    return {c: point for c, (point, _s) in found.items() if point}, " ; ".join(sources)


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass
class WhiteZone:
    type: str
    label: str
    communes: list[dict]  # code, name, nearest_km (None: no structure with coordinates)
    covered: int  # communes with a structure within the distance
    without_centroid: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "type": self.type,
            "label": self.label,
            "communes_covered": self.covered,
            "white_zones": self.communes,
            "communes_without_centroid": self.without_centroid,
        }


def white_zones(
    territory: Territory,
    distance_km: float | None = None,
    types: list[str] | None = None,
    extra: Sequence[HypotheticalStructure] = (),
    closed: Collection[int] = (),
):
    """Per type (those with an open structure in or near the territory, or `types`): the communes of the
    territory with no open structure of the type within `distance_km`, and the distance to the nearest.
    `extra` and `closed` simulate a scenario (structures added, ids of structures closed)."""
    distance_km = default_distance_km() if distance_km is None else distance_km
    points, contour_source = centroids(territory.communes)
    lats = [p[0] for p in points.values()] or [0.0]
    lons = [p[1] for p in points.values()] or [0.0]
    margin = distance_km / 111 + 0.05
    lon_margin = margin / max(0.2, math.cos(math.radians(sum(lats) / len(lats))))
    nearby = Structure.objects.filter(status=Structure.Status.OPEN).exclude(
        type__in=[t.code for t in typology.TYPES if t.counted]
    )
    if closed:
        nearby = nearby.exclude(pk__in=closed)
    in_box = nearby.filter(
        latitude__gte=min(lats) - margin,
        latitude__lte=max(lats) + margin,
        longitude__gte=min(lons) - lon_margin,
        longitude__lte=max(lons) + lon_margin,
    ).values_list("type", "latitude", "longitude", "commune_id")
    own = (
        structures_of_territory(territory)
        .filter(pk__in=nearby)
        .values_list("type", "latitude", "longitude", "commune_id")
    )
    by_type: dict[str, list[tuple[float, float]]] = {}
    own_communes: dict[str, set[str]] = {}
    hypothetical = [
        (h.type, h.latitude, h.longitude, h.commune) for h in extra if not typology.BY_CODE[h.type].counted
    ]
    for type_code, lat, lon, commune in list(in_box) + list(own) + hypothetical:
        own_communes.setdefault(type_code, set()).add(commune)
        if lat is not None and lon is not None:
            by_type.setdefault(type_code, []).append((lat, lon))
    wanted = types or [t.code for t in typology.TYPES if t.code in own_communes]
    zones = []
    for type_code in wanted:
        found = list(set(by_type.get(type_code, [])))
        here = own_communes.get(type_code, set())
        # A grid of cells of the distance's size: a commune looks in its cell and the 8 around it first.
        cell = distance_km / 111
        grid: dict[tuple[int, int], list[tuple[float, float]]] = {}
        for lat, lon in found:
            grid.setdefault((int(lat // cell), int(lon // cell)), []).append((lat, lon))
        zone_rows, covered, unknown = [], 0, []
        for code in territory.communes:
            if code in here:
                covered += 1
                continue
            point = points.get(code)
            if point is None:
                unknown.append(code)
                continue
            lat, lon = point
            ci, cj = int(lat // cell), int(lon // cell)
            # cells are `cell` degrees of latitude, narrower in km in longitude: widen the longitude window.
            span = 1 + int(1 / max(0.2, math.cos(math.radians(lat))))
            close = [
                p
                for di in (-1, 0, 1)
                for dj in range(-span, span + 1)
                for p in grid.get((ci + di, cj + dj), ())
            ]
            if any(haversine_km(lat, lon, a, b) <= distance_km for a, b in close):
                covered += 1
                continue
            nearest = min((haversine_km(lat, lon, a, b) for a, b in found), default=None)
            if nearest is not None and nearest <= distance_km:
                covered += 1
                continue
            zone_rows.append(
                {
                    "code": code,
                    "name": territory.commune_name(code),
                    "nearest_km": None if nearest is None else round(nearest, 1),
                }
            )
        zone_rows.sort(key=lambda r: (-(r["nearest_km"] or 1e9), r["name"]))
        zones.append(WhiteZone(type_code, typology.BY_CODE[type_code].label, zone_rows, covered, unknown))
    return zones, contour_source


def needs_json(territory: Territory, distance_km: float | None = None) -> dict:
    distance_km = default_distance_km() if distance_km is None else distance_km
    zones, contour_source = white_zones(territory, distance_km)
    return {
        "territory": {"code": territory.code, "kind": territory.kind, "name": territory.name},
        "fields": [row.as_json() for row in needs_versus_offer(territory)],
        "white_zones": {
            "distance_km": distance_km,
            "method": METHOD,
            "contours": contour_source,
            "types": [zone.as_json() for zone in zones],
        },
    }
