"""Reads of the statistics store (`ctg.diagnostics.store`): DuckDB in memory over the Parquet files.

Every connection is confined to the store: DuckDB may open files under ``DATA_DIR/stats`` only, and that
setting is locked. Nothing here writes.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ctg.diagnostics.store import (
    KEY_COLUMNS,
    KINDS,
    PROVENANCE_COLUMN,
    SECRET_SUFFIX,
    _quote,
    _sql_string,
    dataset_path,
    store_root,
)


class DatasetNotAvailable(LookupError):
    """No file in the store for that dataset and vintage."""


def available_vintages(kind: str) -> list[int]:
    """The years of `kind` present in the store, oldest first."""
    if kind not in KINDS:
        raise ValueError(f"Jeu de données inconnu : « {kind} ».")
    directory = store_root() / kind
    if not directory.is_dir():
        return []
    return sorted(int(p.stem) for p in directory.glob("*.parquet") if re.fullmatch(r"\d{4}", p.stem))


def available_datasets() -> dict[str, list[int]]:
    """Every dataset with at least one vintage in the store, and its years."""
    found = {kind: available_vintages(kind) for kind in KINDS}
    return {kind: years for kind, years in found.items() if years}


def _open() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(":memory:")
    directory = str(store_root()) + "/"
    connection.execute(f"SET allowed_directories = [{_sql_string(directory)}]")
    connection.execute("SET enable_external_access = false")
    connection.execute("SET lock_configuration = true")
    return connection


def _existing_path(kind: str, year: int) -> Path:
    path = dataset_path(kind, year)
    if not path.is_file():
        raise DatasetNotAvailable(f"Aucune donnée « {kind} » pour {year} dans le magasin statistique.")
    return path


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per dataset vintage, named `<kind>_<year>` (e.g. filosofi_com_2021).

    The Parquet files are only read; close the connection when done (it is a context manager).
    """
    connection = _open()
    for kind, years in available_datasets().items():
        for year in years:
            path = _sql_string(str(dataset_path(kind, year)))
            connection.execute(f"CREATE VIEW {kind}_{year} AS SELECT * FROM read_parquet({path})")
    return connection


def _file_columns(kind: str, year: int) -> list[str]:
    path = _existing_path(kind, year)
    with _open() as connection:
        cursor = connection.execute(f"SELECT * FROM read_parquet({_sql_string(str(path))}) LIMIT 0")
        return [column[0] for column in cursor.description]


def dataset_columns(kind: str, year: int) -> list[str]:
    """The columns of one vintage, in file order; the provenance of the rows (``import_id``) is read with
    `provenance`, not here."""
    return [name for name in _file_columns(kind, year) if name != PROVENANCE_COLUMN]


def read_dataset(
    kind: str, year: int, *, codes: Iterable[str] | None = None, columns: Iterable[str] | None = None
) -> list[dict]:
    """The rows of one vintage, ordered by code, as dicts; only `codes` and `columns` when given (never the
    provenance column: see `provenance`).

    The key columns (code, plm_commune, source_codes, source_rows) are always returned. A value column given
    in `columns` brings its `_secret` flag along.
    """
    path = _existing_path(kind, year)
    if columns is None:
        selected = "*"
        if PROVENANCE_COLUMN in _file_columns(kind, year):
            selected = f"* EXCLUDE ({_quote(PROVENANCE_COLUMN)})"
    else:
        available = dataset_columns(kind, year)
        wanted = [name for name, _type in KEY_COLUMNS]
        for name in columns:
            if name not in available or name in wanted:
                raise ValueError(f"Colonne « {name} » absente des données « {kind} » {year}.")
            wanted += [name, name + SECRET_SUFFIX]
        selected = ", ".join(_quote(name) for name in wanted)
    sql = f"SELECT {selected} FROM read_parquet({_sql_string(str(path))})"
    parameters = []
    if codes is not None:
        sql += " WHERE list_contains(?, code)"
        parameters.append(sorted({str(code) for code in codes}))
    sql += " ORDER BY code"
    with _open() as connection:
        cursor = connection.execute(sql, parameters)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def read_iris(kind: str, year: int, communes: Iterable[str]) -> list[dict]:
    """The rows of a dataset stored per IRIS (``filosofi_iris``) whose current commune (column ``commune``)
    is one of `communes`, ordered by IRIS code."""
    path = _existing_path(kind, year)
    selected = "*"
    if PROVENANCE_COLUMN in _file_columns(kind, year):
        selected = f"* EXCLUDE ({_quote(PROVENANCE_COLUMN)})"
    sql = (
        f"SELECT {selected} FROM read_parquet({_sql_string(str(path))}) WHERE list_contains(?, commune) "
        "ORDER BY code"
    )
    with _open() as connection:
        cursor = connection.execute(sql, [sorted({str(code) for code in communes})])
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@dataclass(frozen=True)
class Provenance:
    """The import that wrote a row of the store: its number in the journal, the file, when and who."""

    import_id: int
    source_name: str
    imported_at: datetime
    who: str
    is_fictitious: bool = False


def provenance(kind: str, year: int, codes: Iterable[str]) -> dict[str, Provenance | None]:
    """For each row of the vintage whose code is one of `codes` (for a dataset stored per IRIS, also each IRIS
    whose commune is one of them): the import that wrote it (`Provenance`), or None when the journal does not
    know it (a file written before the journal). A row of a file written before the store kept the provenance
    of each row is attributed to the import that wrote the file, if the file is still the one it wrote."""
    from ctg.diagnostics.models import DatasetImport

    path = _existing_path(kind, year)
    wanted = sorted({str(code) for code in codes})
    source = f"read_parquet({_sql_string(str(path))})"
    with _open() as connection:
        names = [c[0] for c in connection.execute(f"SELECT * FROM {source} LIMIT 0").description]
        column = _quote(PROVENANCE_COLUMN) if PROVENANCE_COLUMN in names else "NULL::INTEGER"
        where = "list_contains(?, code)" + (" OR list_contains(?, commune)" if "commune" in names else "")
        parameters = [wanted] * (2 if "commune" in names else 1)
        rows = connection.execute(f"SELECT code, {column} FROM {source} WHERE {where}", parameters).fetchall()
    if PROVENANCE_COLUMN not in names:
        legacy = legacy_import_id(kind, year)
        rows = [(code, legacy) for code, _id in rows]
    ids = {import_id for _code, import_id in rows if import_id is not None}
    records = {
        record.pk: Provenance(
            import_id=record.pk,
            source_name=record.source_name,
            imported_at=record.imported_at,
            who=record.who,
            is_fictitious=record.is_fictitious,
        )
        for record in DatasetImport.objects.filter(pk__in=ids).select_related("imported_by")
    }
    return {code: records.get(import_id) for code, import_id in sorted(rows)}


def rows_by_import(kind: str, year: int) -> dict[int | None, int]:
    """How many rows of the vintage each import still provides (import id → rows; None: unknown)."""
    from ctg.diagnostics.store import provenance_counts

    if year not in available_vintages(kind):
        return {}
    counts = provenance_counts(kind, year)
    if None in counts:
        legacy = legacy_import_id(kind, year)
        if legacy is not None:
            counts[legacy] = counts.get(legacy, 0) + counts.pop(None)
    return counts


def legacy_import_id(kind: str, year: int) -> int | None:
    """The import that wrote the stored file of the vintage, when the file is still the one it wrote (for the
    files written before each row kept its provenance)."""
    from ctg.diagnostics.models import DatasetImport
    from ctg.diagnostics.store import sha256_file

    path = dataset_path(kind, year)
    record = (
        DatasetImport.objects.filter(kind=kind, year=year, undone_at__isnull=True)
        .exclude(stored_sha256="")
        .order_by("-pk")
        .first()
    )
    if record is None or not path.is_file() or sha256_file(path) != record.stored_sha256:
        return None
    return record.pk
