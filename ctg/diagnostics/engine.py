"""Computes indicators over groups of communes, straight from the Parquet store, with DuckDB.

The status of every commune for each indicator (counted, partly published, secret, blank, absent from the
file and why) is computed once per dataset vintage, for all communes, in a DuckDB table (`_status_table`,
forgotten by `reset()`); one SQL query per dataset then sums, for every group (a territory, every EPCI, every
département…), each indicator's numerator and denominator over the communes counted, the population they
cover, and how many communes are secret or absent. `values_from_sums` turns those sums into values
and statuses by the catalogue's aggregation rules; it is pure and tested without a database.
"""

import csv
import math
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from typing import NamedTuple

import duckdb
from django.db.models import Count, Max

from ctg.diagnostics import reader, store
from ctg.diagnostics.catalogue import Indicator, Kind
from ctg.territories.models import Commune, TerritoryImport

OK, PARTIEL, SECRET, NON_DISPONIBLE = "ok", "partiel", "secret", "non_disponible"
ABSENT = "absent"  # no row in the imported file for the commune(s): neither secret nor blank
NOT_AGGREGATABLE_NOTE = (
    "Ne s'agrège pas sur plusieurs communes : il faut le fichier officiel de ce niveau (non chargé)."
)
# Datasets published only for the communes split into IRIS: a commune without a row is not split.
IRIS_DATASETS = frozenset({"caf_iris", "filosofi_iris"})
# Why a commune has no row in the file: (one commune, several).
NOT_SPLIT = ("commune non découpée en IRIS", "communes non découpées en IRIS")
NOT_IN_FILE = ("commune absente du fichier publié", "communes absentes du fichier publié")
DEPARTEMENT_NOT_IMPORTED = (
    "son département n'est pas dans le fichier importé",
    "leur département n'est pas dans le fichier importé",
)
# Optional columns of a dataset summed from several source rows (IRIS): the sum of the published rows of a
# commune whose value is secret, and how many of its rows the source blanked (`source_rows`: how many in all).
PUBLISHED_SUFFIX = "_published"
SECRET_ROWS_SUFFIX = "_secret_rows"


@dataclass(frozen=True)
class Coverage:
    """Which communes a figure counts, and why the others are missing: the one account of a figure's
    completeness, from which `caveat` writes the status every output shows."""

    communes: int
    with_data: int  # communes counted (whole, or their published IRIS only: `partial_communes`)
    absent: tuple[tuple[tuple[str, str], int], ...] = ()  # (reason, communes) without a row in the file
    secret: int = 0  # communes whose value the source blanked (statistical secrecy)
    unpublished: int = 0  # communes in the file with an empty value, not said secret
    population_share: float | None = None  # population of the communes counted / of all (0–1)
    partial_communes: int = 0  # communes counted for their published IRIS only (secret IRIS left out)
    secret_parts: int = 0  # IRIS blanked by the source in those communes
    parts: int = 0  # IRIS of those communes

    @property
    def absent_count(self) -> int:
        return sum(n for _reason, n in self.absent)


@dataclass(frozen=True)
class Value:
    value: float | None
    status: str
    coverage: float | None  # share of the population (0–1) of the communes that have the data
    year: int | None
    note: str = ""  # for a figure that is not complete: its status and coverage, as every output writes it
    communes_with_data: int = 0
    communes: int = 0
    detail: Coverage | None = None

    @property
    def caveat(self) -> str:
        """The status and coverage of a figure that is not complete (« partiel : … »); empty when complete."""
        return "" if self.status == OK else self.note

    @property
    def is_complete(self) -> bool:
        return self.status == OK


class Sums(NamedTuple):
    """What the SQL returns for one indicator and one group (a tuple: one per indicator and group, built
    cheaply)."""

    numerator: float | None
    denominator: float | None
    covered_population: float | None
    total_population: float | None
    communes_with_data: int
    communes: int
    any_secret: bool
    years: int | None = None  # EVOLUTION: number of years between the two vintages
    # Why the other communes have no value (None: not counted; then `any_secret` says secret or blank).
    absent: tuple[tuple[tuple[str, str], int], ...] | None = None
    secret_communes: int | None = None
    partial_communes: int = 0
    secret_parts: int = 0
    parts: int = 0


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{_number(n)} {word if n == 1 else plural or word + 's'}"


def _number(n: float) -> str:
    return f"{n:,.0f}".replace(",", "\u202f")


def coverage_of(sums: Sums) -> Coverage:
    missing = sums.communes - sums.communes_with_data
    if sums.absent is None and sums.secret_communes is None:
        absent: tuple = ()
        secret = missing if sums.any_secret else 0
    else:
        order = (NOT_SPLIT, NOT_IN_FILE, DEPARTEMENT_NOT_IMPORTED)
        absent = tuple(
            sorted((item for item in sums.absent or () if item[1]), key=lambda i: order.index(i[0]))
        )
        secret = sums.secret_communes or 0
    unpublished = max(missing - secret - sum(n for _r, n in absent), 0)
    share = None
    if sums.total_population:
        share = (sums.covered_population or 0.0) / sums.total_population
    return Coverage(
        sums.communes,
        sums.communes_with_data,
        absent,
        secret,
        unpublished,
        share,
        sums.partial_communes,
        sums.secret_parts,
        sums.parts,
    )


def missing_phrases(c: Coverage) -> list[str]:
    """Why communes have no figure, one phrase per reason, as every status line and note writes it: absent
    from the file (and why), apart from those whose value the source withheld (secret statistique)."""
    phrases = []
    for (one, several), n in c.absent:
        absent = "absente" if n == 1 else "absentes"
        phrases.append(f"{_plural(n, 'commune')} {absent} du fichier ({one if n == 1 else several})")
    if c.secret:
        verb = "soumise" if c.secret == 1 else "soumises"
        phrases.append(f"{_plural(c.secret, 'commune')} {verb} au secret statistique")
    if c.unpublished:
        phrases.append(f"{_plural(c.unpublished, 'commune')} sans valeur publiée")
    return phrases


def caveat_text(status: str, value: float | None, c: Coverage, ind: Indicator | None = None) -> str:
    """The status of a figure as every output writes it (page, PDF, CSV, JSON, annexes)."""
    if status == OK:
        return ""
    missing = missing_phrases(c)
    if status == PARTIEL:
        parts = []
        if c.secret_parts:
            parts.append(
                f"au moins {_format(value, ind)} "
                f"({_number(c.secret_parts)} IRIS sur {_number(c.parts)} soumis au secret)"
            )
        if c.with_data < c.communes:
            share = ""
            if c.population_share is not None:
                share = f", {_number(round(c.population_share * 100))}\u00a0% de la population"
            counted = "commune" if c.with_data == 1 else "communes"
            parts.append(f"{_number(c.with_data)} {counted} sur {_number(c.communes)}{share}")
        return "partiel : " + " ; ".join(parts + missing)
    if status == SECRET:
        if c.communes <= 1:
            return "secret statistique : valeur masquée par la source"
        return "secret statistique : " + " ; ".join(missing)
    if status == ABSENT:
        if c.communes <= 1 and c.absent:
            return f"absent du fichier : {c.absent[0][0][0]}"
        return "absent du fichier : " + " ; ".join(missing)
    return "non disponible : " + " ; ".join(missing) if missing else "non disponible"


def _format(value: float | None, ind: Indicator | None) -> str:
    from ctg.diagnostics.readings import format_value  # pure; imported late: readings imports nothing here

    if ind is None:
        return _number(value or 0)
    return format_value(value, ind.unit, ind.decimals)


def values_from_sums(ind: Indicator, sums: Sums, year: int | None) -> Value:
    """The aggregation rules of the catalogue, applied to one group's sums; the status and its wording come
    from the counts of communes counted, absent from the file, secret or blank (`Coverage`)."""
    if sums.communes_with_data == 0 and sums.communes and ind.kind != Kind.NOT_AGGREGATABLE:
        return _empty_value(sums, year)
    base = {"year": year, "communes_with_data": sums.communes_with_data, "communes": sums.communes}
    if sums.communes == 0:
        return Value(None, NON_DISPONIBLE, None, note="Aucune commune.", **base)
    if ind.kind == Kind.NOT_AGGREGATABLE and sums.communes > 1:
        return Value(None, NON_DISPONIBLE, None, note=NOT_AGGREGATABLE_NOTE, **base)
    if sums.communes_with_data == 0:
        return _empty_value(sums, year)
    cov = _coverage(sums)
    value = _value(ind, sums)
    if sums.communes_with_data < sums.communes or sums.partial_communes:
        status = PARTIEL if value is not None else NON_DISPONIBLE
        coverage = cov.population_share
        note = _caveat(status, value, cov, ind) if value is not None else "Dénominateur nul."
        return Value(value, status, coverage, note=note, detail=cov, **base)
    if value is None:
        return Value(None, NON_DISPONIBLE, 1.0, note="Dénominateur nul.", detail=cov, **base)
    return Value(value, OK, 1.0, detail=cov, **base)


# The accounts of completeness and their wording, by the counts they come from: every indicator of a group
# that misses the same communes (and every group alike) shares one, computed once until `reset()`.
_judged: dict = {}
_JUDGED_LIMIT = 200_000


def _counts(sums: Sums) -> tuple:
    """What `coverage_of` reads."""
    return (
        sums.communes,
        sums.communes_with_data,
        sums.any_secret,
        sums.absent,
        sums.secret_communes,
        sums.covered_population,
        sums.total_population,
        sums.partial_communes,
        sums.secret_parts,
        sums.parts,
    )


def _coverage(sums: Sums) -> Coverage:
    """`coverage_of(sums)`, remembered by the counts it reads (it reads nothing else)."""
    key = _counts(sums)
    cov = _judged.get(key)
    if cov is None:
        if len(_judged) > _JUDGED_LIMIT:
            _judged.clear()
        cov = _judged[key] = coverage_of(sums)
    return cov


def _empty_value(sums: Sums, year: int | None) -> Value:
    """The figure of a group none of whose communes is counted: secret, absent from the file or not
    available, said why; it reads neither the indicator nor a value, so that it is the same figure for every
    indicator of the same counts (one object, frozen)."""
    key = ("empty", sums, year)  # the whole sums: none of them is a figure here
    value = _judged.get(key)
    if value is None:
        cov = _coverage(sums)
        if cov.secret == cov.communes:
            status = SECRET
        elif cov.absent_count == cov.communes:
            status = ABSENT
        else:
            status = NON_DISPONIBLE
        note = caveat_text(status, None, cov)
        value = _judged[key] = Value(None, status, 0.0, year, note, 0, sums.communes, cov)
    return value


def _caveat(status: str, value: float | None, c: Coverage, ind: Indicator | None) -> str:
    """`caveat_text`, remembered by status and coverage when the text does not quote the value (« au moins
    … » of a partial count with secret IRIS)."""
    if status == PARTIEL and c.secret_parts:
        return caveat_text(status, value, c, ind)
    key = ("caveat", status, c)
    text = _judged.get(key)
    if text is None:
        text = _judged[key] = caveat_text(status, value, c, ind)
    return text


def _value(ind: Indicator, sums: Sums) -> float | None:
    if ind.kind in (Kind.COUNT, Kind.NOT_AGGREGATABLE):
        return sums.numerator
    if not sums.denominator:
        return None
    if ind.kind == Kind.RATE:
        return sums.numerator / sums.denominator * ind.scale
    if ind.kind == Kind.EVOLUTION:
        if not sums.years or sums.numerator is None or sums.numerator <= 0:
            return None
        return (math.pow(sums.numerator / sums.denominator, 1 / sums.years) - 1) * 100
    raise ValueError(ind.kind)


# --- column resolution ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    indicator: Indicator
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    years: int | None = None
    column_year: int | None = None  # the year read in the column name ({yyyy} templates)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.numerator + self.denominator))


def _yy(year: int) -> str:
    return f"{year % 100:02d}"


def _pick(alternatives, available: set[str], year: int) -> tuple[str, ...] | None:
    names, _column_year = _pick_with_year(alternatives, available, year)
    return names


def _pick_with_year(
    alternatives, available: set[str], year: int
) -> tuple[tuple[str, ...] | None, int | None]:
    for columns in alternatives:
        if any("{yyyy}" in c for c in columns):
            # The most recent year for which every column exists (BPE_2024_D502…).
            patterns = [
                re.compile("^" + re.escape(c).replace(r"\{yyyy\}", r"(\d{4})") + "$") for c in columns
            ]
            years = None
            for pattern in patterns:
                found = {int(m.group(1)) for name in available if (m := pattern.match(name))}
                years = found if years is None else years & found
            if years:
                best = max(years)
                return tuple(c.replace("{yyyy}", str(best)) for c in columns), best
            continue
        names = tuple(c.format(yy=_yy(year)) for c in columns)
        if all(n in available for n in names):
            return names, None
    return None, None


def resolve(ind: Indicator, available: set[str], year: int) -> Resolved | None:
    """The dataset's columns for `ind`, or None when the file does not carry them."""
    numerator, column_year = _pick_with_year(ind.numerator, available, year)
    if numerator is None:
        return None
    if ind.kind == Kind.EVOLUTION:
        for back in ind.years_back:
            older = tuple(c.format(xx=_yy(year - back)) for c in ind.denominator[0])
            if all(n in available for n in older):
                return Resolved(ind, numerator, older, years=back)
        return None
    denominator = ()
    if ind.denominator:
        denominator = _pick(ind.denominator, available, year)
        if denominator is None:
            return None
    return Resolved(ind, numerator, denominator, column_year=column_year)


# --- the store's files ---------------------------------------------------------------------------------


_columns_cache: dict = {}


available_vintages = reader.available_vintages


def dataset_columns(kind: str, year: int) -> list[str]:
    """The store's `reader.dataset_columns`, remembered until the file changes."""
    path = store.dataset_path(kind, year)
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _columns_cache:
        _columns_cache[key] = reader.dataset_columns(kind, year)
    return _columns_cache[key]


# --- DuckDB --------------------------------------------------------------------------------------------

_lock = threading.RLock()
_state: dict = {"connection": None, "cog_key": None, "cache": {}, "tables": {}, "statuses": {}}


def _cog_key():
    latest = TerritoryImport.objects.aggregate(pk=Max("pk"))["pk"]
    stats = Commune.objects.filter(is_active=True).aggregate(n=Count("pk"), epci=Count("epci"))
    return (latest, stats["n"], stats["epci"])


def reset() -> None:
    """Forget the cached commune table and results (after a change of the référentiel or of the store)."""
    with _lock:
        _state.update(connection=None, cog_key=None, cache={}, tables={}, statuses={})
        _judged.clear()


def _connection() -> duckdb.DuckDBPyConnection:
    """The in-memory DuckDB connection holding the current communes (code, population, départements…)."""
    key = _cog_key()
    if _state["connection"] is not None and _state["cog_key"] == key:
        return _state["connection"]
    connection = duckdb.connect(":memory:")
    rows = Commune.objects.filter(is_active=True).values_list(
        "code", "population", "departement_id", "region_id", "epci_id"
    )
    fd, name = tempfile.mkstemp(suffix=".csv")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["code", "population", "departement", "region", "epci"])
            writer.writerows(rows)
        connection.execute(
            "CREATE TABLE cog AS SELECT * FROM read_csv(?, header = true, auto_detect = false, nullstr = '', "
            "columns = {'code': 'VARCHAR', 'population': 'DOUBLE', 'departement': 'VARCHAR', "
            "'region': 'VARCHAR', 'epci': 'VARCHAR'})",
            [name],
        )
    finally:
        os.unlink(name)
    _state.update(connection=connection, cog_key=key, cache={}, tables={}, statuses={})
    return connection


def _extras(columns: list[str], available: set[str]) -> list[str]:
    """The optional columns of the store that tell what a secret commune's published IRIS add up to."""
    return [
        c + suffix
        for c in columns
        if c + PUBLISHED_SUFFIX in available and c + SECRET_ROWS_SUFFIX in available
        for suffix in (PUBLISHED_SUFFIX, SECRET_ROWS_SUFFIX)
    ]


def _dataset_table(
    connection, kind: str, year: int, columns: list[str], additive: set[str], extras: list[str] = ()
) -> str:
    """An in-memory table of the dataset's columns used by the catalogue, one row per current commune;
    rebuilt when the Parquet file changes. The départements that have a row in it are remembered
    (`_state["departements"]`), to tell a commune not split into IRIS from one whose file is not imported."""
    path = store.dataset_path(kind, year)
    name = f"ds_{kind}_{year}"
    stamp = (path.stat().st_mtime_ns, tuple(columns), tuple(extras))
    if _state["tables"].get(name) != stamp:
        sql = (
            _dataset_sql(str(path), columns, additive, list(extras))
            if columns
            else "SELECT NULL::VARCHAR AS code, NULL::INTEGER AS source_rows WHERE false"
        )
        connection.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")
        found = connection.execute(
            f"SELECT DISTINCT cog.departement FROM {name} AS ds JOIN cog ON cog.code = ds.code"
        ).fetchall()
        _state.setdefault("departements", {})[name] = frozenset(d for (d,) in found)
        _state["tables"][name] = stamp
    return name


def _q(name: str) -> str:
    if not store.SAFE_NAME.match(name):
        raise ValueError(name)
    return f'"{name}"'


def _dataset_sql(path: str, columns: list[str], additive: set[str], extras: list[str] = ()) -> str:
    """One row per current commune: arrondissements of Paris, Lyon and Marseille are rolled into their
    commune when the file has no row for it (counts sum, only when every arrondissement has the cell)."""
    src = f"read_parquet('{path}')"
    own = ", ".join(
        ["source_rows"]
        + [_q(c) for c in columns]
        + [_q(c + store.SECRET_SUFFIX) for c in columns]
        + [_q(c) for c in extras]
    )
    rolled = ["sum(source_rows)::INTEGER AS source_rows"]
    for c in columns:
        if c in additive:
            rolled.append(f"CASE WHEN count({_q(c)}) = count(*) THEN sum({_q(c)}) END AS {_q(c)}")
        else:
            rolled.append(f"CASE WHEN count(*) = 1 THEN max({_q(c)}) END AS {_q(c)}")
    rolled += [f"bool_or({_q(c + store.SECRET_SUFFIX)}) AS {_q(c + store.SECRET_SUFFIX)}" for c in columns]
    rolled += [f"sum({_q(c)}) AS {_q(c)}" for c in extras]
    return (
        f"SELECT code, {own} FROM {src} WHERE plm_commune IS NULL "
        f"UNION ALL SELECT plm_commune AS code, {', '.join(rolled)} FROM {src} "
        f"WHERE plm_commune IS NOT NULL AND plm_commune NOT IN (SELECT code FROM {src}) GROUP BY plm_commune"
    )


def _commune_sql(r: Resolved, extras: set[str] = frozenset()) -> dict[str, str | None]:
    """The SQL, for one commune row (`ds` joined to `cog`), of what an indicator counts: `status` (0 counted
    whole, 1 counted for its published IRIS only, 2 secret, 3 no value and not secret, or no row in the file),
    `n` and `d` (what the commune adds to the numerator and the denominator), and for a count whose secret
    communes keep the sum of their published IRIS (`_published_part`, in SQL), `b` (IRIS blanked) and `r`
    (IRIS in all)."""
    have = " AND ".join(f"ds.{_q(c)} IS NOT NULL" for c in r.columns)
    secret = " OR ".join(f"coalesce(ds.{_q(c + store.SECRET_SUFFIX)}, false)" for c in r.columns)
    num = " + ".join(f"ds.{_q(c)}" for c in r.numerator)
    den = " + ".join(f"ds.{_q(c)}" for c in r.denominator) if r.denominator else None
    sql: dict[str, str | None] = {"b": None, "r": None}
    sql["d"] = f"CASE WHEN {have} THEN {den} END" if den else None
    if (
        r.indicator.kind == Kind.COUNT
        and not r.denominator
        and all(c + PUBLISHED_SUFFIX in extras for c in r.numerator)
    ):
        known = " AND ".join(
            f"(ds.{_q(c)} IS NOT NULL OR (ds.{_q(c + PUBLISHED_SUFFIX)} IS NOT NULL "
            f"AND coalesce(ds.{_q(c + SECRET_ROWS_SUFFIX)}, 0) > 0))"
            for c in r.numerator
        )
        partial = f"(NOT ({have}) AND ({secret}) AND {known})"
        published = " + ".join(f"coalesce(ds.{_q(c)}, ds.{_q(c + PUBLISHED_SUFFIX)})" for c in r.numerator)
        blanked = ", ".join(
            f"CASE WHEN ds.{_q(c)} IS NULL THEN ds.{_q(c + SECRET_ROWS_SUFFIX)} ELSE 0 END"
            for c in r.numerator
        )
        sql["status"] = f"CASE WHEN {have} THEN 0 WHEN {partial} THEN 1 WHEN {secret} THEN 2 ELSE 3 END"
        sql["n"] = f"CASE WHEN {have} THEN {num} WHEN {partial} THEN {published} END"
        sql["b"] = f"CASE WHEN {partial} THEN greatest({blanked}) END"
        sql["r"] = f"CASE WHEN {partial} THEN ds.source_rows END"
    else:
        sql["status"] = f"CASE WHEN {have} THEN 0 WHEN {secret} THEN 2 ELSE 3 END"
        sql["n"] = f"CASE WHEN {have} THEN {num} END"
    return sql


STATUS_TABLES_PER_FILE = 8


@dataclass(frozen=True)
class _StatusLayout:
    """Where one indicator's cells are in a status table: its status column, the columns of what each
    commune adds to its numerator and denominator, and of the IRIS of its partly published communes."""

    status: str
    n: str
    d: str | None
    b: str | None
    r: str | None


def _status_table(
    connection, kind: str, year: int, table: str, usable: list[tuple[Indicator, Resolved]], extras: list[str]
) -> tuple[str, dict[str, _StatusLayout]]:
    """One row per current commune with, for each indicator, its status (counted, partly published, secret,
    blank, or absent from the file, and why: `a`, 0 in the file, 1 absent from a file of its département, 2
    département not in the file) and what it adds to the sums: computed once per dataset vintage and set of
    indicators for all communes, and read by every grouping (all EPCI, départements, regions, France…) until
    the file or the référentiel changes (`reset()`)."""
    signature = tuple((ind.id, r.numerator, r.denominator, ind.kind) for ind, r in usable)
    key = (table, _state["tables"][table], signature, tuple(extras))
    statuses = _state.setdefault("statuses", {})
    if key in statuses:
        return statuses[key]
    # Those of an older file, and beyond a few sets of indicators of the same file (the oldest first), go.
    stale = [k for k in statuses if k[0] == table and k[1] != key[1]]
    stale += [k for k in statuses if k[0] == table and k[1] == key[1]][: -STATUS_TABLES_PER_FILE + 1]
    for old in stale:
        connection.execute(f"DROP TABLE IF EXISTS {statuses.pop(old)[0]}")
    name = f"st_{table}_{len(statuses)}"
    while any(found[0] == name for found in statuses.values()):
        name += "_"
    select = [
        "cog.code",
        "cog.population",
        "cog.departement",
        "cog.region",
        "cog.epci",
        "CASE WHEN ds.code IS NOT NULL THEN 0 WHEN list_contains(?, cog.departement) THEN 1 ELSE 2 END AS a",
    ]
    by_sql: dict[str, str] = {}  # the status of indicators that read the same cells is one column
    layout = {}
    extra_set = set(extras)
    for index, (ind, r) in enumerate(usable):
        sql = _commune_sql(r, extra_set)
        status = by_sql.get(sql["status"])
        if status is None:
            status = by_sql[sql["status"]] = f"s{index}"
            select.append(f"{sql['status']}::UTINYINT AS {status}")
        select.append(f"{sql['n']} AS n{index}")
        for part in ("d", "b", "r"):
            if sql[part] is not None:
                select.append(f"{sql[part]} AS {part}{index}")
        layout[ind.id] = _StatusLayout(
            status,
            f"n{index}",
            f"d{index}" if sql["d"] else None,
            f"b{index}" if sql["b"] else None,
            f"r{index}" if sql["r"] else None,
        )
    connection.execute(
        f"CREATE OR REPLACE TABLE {name} AS SELECT {', '.join(select)} "
        f"FROM cog LEFT JOIN {table} AS ds ON ds.code = cog.code",
        [sorted(_state["departements"][table])],
    )
    statuses[key] = (name, layout)
    return statuses[key]


def _indicator_sql(layout: _StatusLayout) -> list[str]:
    """One indicator's sums over a group, from its status table: n, p, c, q (communes secret), then for a
    count partly published m (how many), b (IRIS blanked), r (IRIS in all); d last."""
    s = layout.status
    parts = [
        f"sum({layout.n})",
        f"sum(cog.population) FILTER (WHERE {s} <= 1)",
        f"count(*) FILTER (WHERE {s} <= 1)",
        f"count(*) FILTER (WHERE {s} = 2)",
    ]
    if layout.b is not None:
        parts += [f"count(*) FILTER (WHERE {s} = 1)", f"sum({layout.b})", f"sum({layout.r})"]
    parts.append(f"sum({layout.d})" if layout.d else "NULL")
    return parts


GROUP_KEYS = {
    "commune": "cog.code",
    "epci": "cog.epci",
    "departement": "cog.departement",
    "region": "cog.region",
    "france": "'FR'",
    "all": "'*'",
}


def _columns_missing(year: int, communes: int) -> Value:
    note = "Le fichier importé ne contient pas les variables nécessaires."
    return Value(None, NON_DISPONIBLE, None, year, note=note, communes=communes)


def aggregate(
    kind: str,
    year: int,
    indicators: list[Indicator],
    *,
    group: str,
    codes: list[str] | None = None,
    fresh: bool = False,
) -> dict[str, dict[str, Value]]:
    """{group key: {indicator id: Value}} for the communes (all, or `codes`) grouped by `group`."""
    available = set(dataset_columns(kind, year))
    resolved = [(ind, resolve(ind, available, year)) for ind in indicators]
    usable = [(ind, r) for ind, r in resolved if r is not None]
    columns = list(dict.fromkeys(c for _ind, r in usable for c in r.columns))
    additive = {c for _ind, r in usable if r.indicator.kind != Kind.NOT_AGGREGATABLE for c in r.columns}
    key = GROUP_KEYS[group]
    select = [
        f"{key} AS k",
        "count(*) AS communes",
        "sum(cog.population) AS pop",
        "count(*) FILTER (WHERE cog.a > 0) AS absent",
        "count(*) FILTER (WHERE cog.a = 1) AS absent_in",
    ]
    extras = _extras(columns, available)
    where = ""
    params: list = []
    if codes is not None:
        where = "WHERE cog.code IN (SELECT unnest(?))"
        params.append(list(codes))
    if group not in ("france", "all", "commune"):
        where = (where + " AND " if where else "WHERE ") + f"{key} IS NOT NULL"
    with _lock:
        connection = _state["connection"] if fresh and _state["connection"] is not None else _connection()
        table = _dataset_table(connection, kind, year, columns, additive, extras)
        statuses, layouts = _status_table(connection, kind, year, table, usable, extras)
        widths = {}
        for ind, _r in usable:
            parts = _indicator_sql(layouts[ind.id])
            widths[ind.id] = len(parts)
            select += parts
        sql = f"SELECT {', '.join(select)} FROM {statuses} AS cog {where} GROUP BY 1"
        rows = connection.execute(sql, params).fetchall()
    result: dict[str, dict[str, Value]] = {}
    for row in rows:
        group_key, communes, population, absent, absent_in = row[:5]
        reasons = (
            (NOT_SPLIT if kind in IRIS_DATASETS else NOT_IN_FILE, absent_in),
            (DEPARTEMENT_NOT_IMPORTED, absent - absent_in),
        )
        values = {}
        offset = 5
        for ind, r in usable:
            width = widths[ind.id]
            cells = row[offset : offset + width]
            offset += width
            n, p, c, q = cells[:4]
            m, b, rows_in_all = cells[4:7] if width == 8 else (0, 0, 0)
            d = cells[-1]
            sums = Sums(
                n,
                d,
                p,
                population,
                c,
                communes,
                bool(q),
                r.years,
                reasons,
                q,
                m,
                int(b or 0),
                int(rows_in_all or 0),
            )
            values[ind.id] = values_from_sums(ind, sums, r.column_year or year)
        for ind, r in resolved:
            if r is None:
                values[ind.id] = _columns_missing(year, communes)
        result[group_key] = values
    return result


def sums_from_rows(r: Resolved, rows: list[dict]) -> Sums:
    """The same sums as the SQL of `aggregate`, in Python, for one group's commune rows; with, besides, why
    each commune without a value has none (its row's `absent_reason`, or secret, or blank) and, for a count
    whose store keeps the published part of a secret commune (`<column>_published`), that part."""
    numerator = denominator = covered = 0.0
    total = 0.0
    with_data = secret_communes = partial_communes = secret_parts = parts = 0
    secret = False
    absent: dict[tuple[str, str], int] = {}
    columns = r.columns
    secrets = [c + store.SECRET_SUFFIX for c in columns]
    for row in rows:
        population = row["population"] or 0.0
        total += population
        row_secret = any(row.get(c) for c in secrets)
        secret = secret or row_secret
        if any(row.get(c) is None for c in columns):
            reason = row.get("absent_reason")
            if reason:
                absent[reason] = absent.get(reason, 0) + 1
                continue
            published = _published_part(r, row) if row_secret else None
            if published is None:
                secret_communes += row_secret
                continue
            value, blanked, rows_in_all = published
            numerator += value
            with_data += 1
            covered += population
            partial_communes += 1
            secret_parts += blanked
            parts += rows_in_all
            continue
        with_data += 1
        covered += population
        numerator += sum(row[c] for c in r.numerator)
        denominator += sum(row[c] for c in r.denominator)
    return Sums(
        numerator if with_data else None,
        denominator if with_data and r.denominator else None,
        covered if with_data else None,
        total if rows else None,
        with_data,
        len(rows),
        secret,
        r.years,
        tuple(absent.items()),
        secret_communes,
        partial_communes,
        secret_parts,
        parts,
    )


def _published_part(r: Resolved, row: dict) -> tuple[float, int, int] | None:
    """(sum of the published IRIS, IRIS blanked, IRIS in all) of a count whose commune value is secret, when
    the store keeps them; None otherwise (a rate of partial numerator and denominator means nothing)."""
    if r.indicator.kind != Kind.COUNT or r.denominator:
        return None
    total = 0.0
    blanked = 0
    for c in r.numerator:
        if row.get(c) is not None:
            total += row[c]
            continue
        published, count = row.get(c + PUBLISHED_SUFFIX), row.get(c + SECRET_ROWS_SUFFIX)
        if published is None or not count:
            return None
        total += published
        blanked = max(blanked, int(count))
    return total, blanked, int(row.get("source_rows") or 0)


@dataclass(frozen=True)
class TerritoryRows:
    """The commune rows of one territory for one dataset vintage, as read once by `read_territory`: they give
    the territory's values (`territory_values`) and each commune's (`commune_values`)."""

    kind: str
    year: int
    resolved: tuple[tuple[Indicator, Resolved | None], ...]
    # One per current commune of the territory: code, population, columns, secrets, and `absent_reason`
    # (None when the file has a row for the commune).
    rows: tuple[dict, ...]

    def resolution(self, indicator_id: str) -> tuple[Indicator, Resolved | None] | None:
        return next((pair for pair in self.resolved if pair[0].id == indicator_id), None)


def read_territory(kind: str, year: int, indicators: list[Indicator], codes: list[str]) -> TerritoryRows:
    """The commune rows of `codes` for the columns of `indicators`, read with DuckDB in one query."""
    available = set(dataset_columns(kind, year))
    resolved = tuple((ind, resolve(ind, available, year)) for ind in indicators)
    usable = [r for _ind, r in resolved if r is not None]
    columns = list(dict.fromkeys(c for r in usable for c in r.columns))
    additive = {c for r in usable if r.indicator.kind != Kind.NOT_AGGREGATABLE for c in r.columns}
    extras = _extras(columns, available)
    with _lock:
        connection = _state["connection"] if _state["connection"] is not None else _connection()
        table = _dataset_table(connection, kind, year, columns, additive, extras)
        in_file = _state["departements"][table]
        values = columns + [c + store.SECRET_SUFFIX for c in columns] + extras
        names = ["code", "population", "departement", "in_file", "source_rows"] + values
        select = ", ".join(
            ["cog.code", "cog.population", "cog.departement", "ds.code IS NOT NULL", "ds.source_rows"]
            + [f"ds.{_q(c)}" for c in values]
        )
        cursor = connection.execute(
            f"SELECT {select} FROM cog LEFT JOIN {table} AS ds ON ds.code = cog.code "
            "WHERE cog.code IN (SELECT unnest(?))",
            [list(codes)],
        )
        rows = tuple(dict(zip(names, row, strict=True)) for row in cursor.fetchall())
    for row in rows:
        row["absent_reason"] = None if row["in_file"] else _absent_reason(kind, row["departement"], in_file)
    return TerritoryRows(kind, year, resolved, rows)


def _absent_reason(kind: str, departement: str | None, in_file: frozenset) -> tuple[str, str]:
    """Why a commune has no row in the file: not split into IRIS (a file of IRIS that covers its
    département), left out of the published file, or its département is not in the file imported."""
    if departement not in in_file:
        return DEPARTEMENT_NOT_IMPORTED
    return NOT_SPLIT if kind in IRIS_DATASETS else NOT_IN_FILE


def _group_values(ind: Indicator, r: Resolved | None, rows, year: int) -> Value:
    if r is None:
        return _columns_missing(year, len(rows))
    return values_from_sums(ind, sums_from_rows(r, rows), r.column_year or year)


def territory_values(data: TerritoryRows, indicators: list[Indicator] | None = None) -> dict[str, Value]:
    """The indicators (all those read, or `indicators`) of the whole territory: its commune rows summed by the
    catalogue's rules."""
    wanted = None if indicators is None else {ind.id for ind in indicators}
    return {
        ind.id: _group_values(ind, r, data.rows, data.year)
        for ind, r in data.resolved
        if wanted is None or ind.id in wanted
    }


def commune_values(data: TerritoryRows, indicator_id: str) -> dict[str, Value]:
    """{commune code: Value} of one indicator: each commune's row on its own, by the same rules (and so the
    same figures as `aggregate(..., group="commune")`)."""
    pair = data.resolution(indicator_id)
    if pair is None:
        return {}
    ind, r = pair
    if r is None:
        return {row["code"]: _columns_missing(data.year, 1) for row in data.rows}
    year = r.column_year or data.year
    columns = r.columns
    secrets = [c + store.SECRET_SUFFIX for c in columns]
    return {
        row["code"]: values_from_sums(ind, _row_sums(r, row, columns, secrets), year) for row in data.rows
    }


def _row_sums(r: Resolved, row: dict, columns, secrets) -> Sums:
    """`sums_from_rows(r, [row])`, without its loop: the same sums, for one commune."""
    population = 0.0 + (row["population"] or 0.0)
    secret = False
    for name in secrets:
        if row[name]:
            secret = True
            break
    for name in columns:
        if row[name] is None:
            return sums_from_rows(r, [row])  # absent, secret, blank or partly published: said why
    numerator = 0.0 + sum([row[c] for c in r.numerator])
    denominator = 0.0 + sum([row[c] for c in r.denominator]) if r.denominator else None
    return Sums(numerator, denominator, population, population, 1, 1, secret, r.years)


def aggregate_territory(
    kind: str, year: int, indicators: list[Indicator], codes: list[str]
) -> dict[str, Value]:
    """The indicators of one group of communes: the commune rows are read with DuckDB and summed in Python
    (a few communes: cheaper than planning the large SQL of `aggregate`)."""
    return territory_values(read_territory(kind, year, indicators, codes))


def aggregate_cached(kind: str, year: int, indicators: list[Indicator], *, group: str, fresh: bool = False):
    """`aggregate` over all communes, kept until the référentiel or the dataset file changes."""
    path = store.dataset_path(kind, year)
    stamp = path.stat().st_mtime_ns if path.exists() else None
    cache_key = (kind, year, group, stamp, tuple(i.id for i in indicators))
    if not fresh:
        refresh()
    cached = _state["cache"].get(cache_key)
    if cached is None:
        cached = aggregate(kind, year, indicators, group=group, fresh=True)
        _state["cache"][cache_key] = cached
    return cached


def refresh() -> None:
    """Rebuild the commune table if the référentiel changed (one cheap query); call once per request."""
    with _lock:
        _connection()
