"""The statistics store: one Parquet file per dataset and vintage, read through DuckDB.

Layout: ``settings.DATA_DIR / "stats" / <kind> / <year>.parquet``, e.g. ``stats/filosofi_com/2021.parquet``.

Every file has the same shape, whatever the dataset:

* ``code`` (text): the commune code in the current COG ("01001", "2A004"), or the code of a municipal
  arrondissement of Paris, Lyon or Marseille (75101, 69381, 13201…), kept as published; for the datasets
  published by EPCI or département (``caf_txcouv_epci``, ``caf_txcouv_dep``), the SIREN of the EPCI or the
  code of the département;
* ``plm_commune`` (text): for an arrondissement, its commune (75056, 69123 or 13055); NULL otherwise. A reader
  that sums communes must leave the arrondissements out (``plm_commune IS NULL``);
* ``source_codes`` (text): the codes of the source file, space-separated, that were combined into this row
  (several when communes merged since the file's COG vintage);
* ``source_rows`` (integer): how many source rows were combined (IRIS for the CAF file);
* for each column of the source file, the value (DOUBLE, NULL when not available) and ``<column>_secret``
  (BOOLEAN): true when the value is NULL because it is under statistical secrecy, so that « secret » can be
  told apart from « non disponible ».

A vintage is replaced atomically: the new file is written next to the old one under a temporary name, then
renamed over it (`os.replace`). Reads go through `ctg.diagnostics.reader`.
"""

import contextlib
import csv
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
from django.conf import settings

from ctg.diagnostics.models import DatasetImport

KINDS = tuple(DatasetImport.Kind.values)
STORE_DIRNAME = "stats"
SECRET_SUFFIX = "_secret"
# Columns every dataset file starts with, before the value columns.
KEY_COLUMNS = (
    ("code", "VARCHAR"),
    ("plm_commune", "VARCHAR"),
    ("source_codes", "VARCHAR"),
    ("source_rows", "INTEGER"),
)
COLUMN_TYPES = {"VARCHAR", "DOUBLE", "BOOLEAN", "INTEGER"}
# Names of Parquet columns are put in SQL: letters, digits and underscores only.
SAFE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def store_root() -> Path:
    return Path(settings.DATA_DIR) / STORE_DIRNAME


def _check_kind_year(kind: str, year: int) -> None:
    if kind not in KINDS:
        raise ValueError(f"Jeu de données inconnu : « {kind} ».")
    if not isinstance(year, int) or not 1900 <= year <= 2100:
        raise ValueError(f"Millésime invalide : « {year} ».")


def dataset_path(kind: str, year: int) -> Path:
    _check_kind_year(kind, year)
    return store_root() / kind / f"{year}.parquet"


def relative_path(path: Path) -> str:
    """The path as recorded in DatasetImport: relative to DATA_DIR when inside it."""
    try:
        return str(path.relative_to(Path(settings.DATA_DIR)))
    except ValueError:
        return str(path)


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _quote(name: str) -> str:
    if not SAFE_NAME.match(name):
        raise ValueError(f"Nom de colonne invalide : « {name} ».")
    return f'"{name}"'


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


class StagedDataset:
    """A new vintage written under a temporary name beside its final place; `commit` puts it in place."""

    def __init__(self, path: Path, temp_path: Path):
        self.path = path
        self.temp_path = temp_path

    def commit(self) -> Path:
        os.replace(self.temp_path, self.path)
        return self.path

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.temp_path.unlink()


def commit_all(staged: Sequence[StagedDataset]) -> None:
    """Put several staged vintages in place, all or none: if a rename fails, the vintages already replaced are
    put back as they were (kept meanwhile under a temporary name), those that were new are removed."""
    done: list[tuple[StagedDataset, Path | None]] = []
    backups: list[Path] = []
    try:
        for item in staged:
            backup = None
            if item.path.exists():
                backup = item.temp_path.with_name(item.temp_path.name + ".old")
                try:
                    os.link(item.path, backup)
                except OSError:
                    shutil.copy2(item.path, backup)
                backups.append(backup)
            item.commit()
            done.append((item, backup))
    except BaseException:
        for item, backup in reversed(done):
            if backup is None:
                with contextlib.suppress(FileNotFoundError):
                    item.path.unlink()
            else:
                os.replace(backup, item.path)
        raise
    finally:
        for backup in backups:
            with contextlib.suppress(FileNotFoundError):
                backup.unlink()


def stage_dataset(
    kind: str, year: int, schema: Sequence[tuple[str, str]], rows: Iterable[Sequence]
) -> StagedDataset:
    """Write `rows` (tuples ordered as `schema`, a list of (name, DuckDB type)) to a temporary Parquet file.

    Nothing visible changes until `commit()`; on any error the temporary files are removed.
    """
    path = dataset_path(kind, year)
    path.parent.mkdir(parents=True, exist_ok=True)
    names = [name for name, _type in schema]
    if len({name.lower() for name in names}) != len(names):
        raise ValueError("Deux colonnes portent le même nom.")
    for name, column_type in schema:
        _quote(name)
        if column_type not in COLUMN_TYPES:
            raise ValueError(f"Type de colonne inconnu : {column_type}.")

    fd, temp_name = tempfile.mkstemp(prefix=f".{year}.", suffix=".parquet.tmp", dir=path.parent)
    os.close(fd)
    temp_path = Path(temp_name)
    staged = StagedDataset(path, temp_path)
    # Without pandas or pyarrow, the simplest exact way into DuckDB is a typed CSV: floats are written with
    # repr(), which reads back to the same double.
    csv_fd, csv_name = tempfile.mkstemp(prefix=f".{year}.", suffix=".csv.tmp", dir=path.parent)
    try:
        with os.fdopen(csv_fd, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(names)
            for row in rows:
                writer.writerow([_csv_cell(value) for value in row])
        columns = ", ".join(
            f"{_sql_string(name)}: {_sql_string(column_type)}" for name, column_type in schema
        )
        select = (
            f"SELECT * FROM read_csv({_sql_string(csv_name)}, header = true, delim = ',', quote = '\"', "
            f"escape = '\"', nullstr = '', auto_detect = false, columns = {{{columns}}})"
        )
        with duckdb.connect(":memory:") as connection:
            connection.execute(
                f"COPY ({select}) TO {_sql_string(str(temp_path))} (FORMAT parquet, COMPRESSION zstd)"
            )
    except BaseException:
        staged.discard()
        raise
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(csv_name)
    return staged
