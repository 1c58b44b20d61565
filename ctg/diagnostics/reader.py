"""Reads of the statistics store (`ctg.diagnostics.store`): DuckDB in memory over the Parquet files.

Every connection is confined to the store: DuckDB may open files under ``DATA_DIR/stats`` only, and that
setting is locked. Nothing here writes.
"""

import re
from collections.abc import Iterable
from pathlib import Path

import duckdb

from ctg.diagnostics.store import (
    KEY_COLUMNS,
    KINDS,
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


def dataset_columns(kind: str, year: int) -> list[str]:
    """The columns of one vintage, in file order."""
    path = _existing_path(kind, year)
    with _open() as connection:
        cursor = connection.execute(f"SELECT * FROM read_parquet({_sql_string(str(path))}) LIMIT 0")
        return [column[0] for column in cursor.description]


def read_dataset(
    kind: str, year: int, *, codes: Iterable[str] | None = None, columns: Iterable[str] | None = None
) -> list[dict]:
    """The rows of one vintage, ordered by code, as dicts; only `codes` and `columns` when given.

    The key columns (code, plm_commune, source_codes, source_rows) are always returned. A value column given
    in `columns` brings its `_secret` flag along.
    """
    path = _existing_path(kind, year)
    if columns is None:
        selected = "*"
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
    sql = (
        f"SELECT * FROM read_parquet({_sql_string(str(path))}) WHERE list_contains(?, commune) ORDER BY code"
    )
    with _open() as connection:
        cursor = connection.execute(sql, [sorted({str(code) for code in communes})])
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
