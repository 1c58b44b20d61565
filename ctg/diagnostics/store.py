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
* for a dataset stored per IRIS (``filosofi_iris``): ``code`` is the IRIS as published, then two more text
  columns, ``commune`` (its commune in the current COG, or its municipal arrondissement) and ``markers`` (the
  cells published as ``ns``, ``nd`` or ``so``: ``DEC_MED21=ns``…), read with `reader.read_iris`;
* for each column of the source file, the value (DOUBLE, NULL when not available) and ``<column>_secret``
  (BOOLEAN): true when the value is NULL because it is under statistical secrecy, so that « secret » can be
  told apart from « non disponible ».

A vintage is replaced atomically: the new file is written next to the old one under a temporary name, then
renamed over it (`os.replace`). Reads go through `ctg.diagnostics.reader`.

The vintage an import replaces is kept under ``stats/_previous/<import id>/<kind>/<year>.parquet`` (a hard
link when the file system allows it), so that undoing the import (`stage_restore`, then `commit_all`) puts
it back byte for byte.
"""

import contextlib
import csv
import errno
import hashlib
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
PREVIOUS_DIRNAME = "_previous"
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


def previous_root() -> Path:
    return store_root() / PREVIOUS_DIRNAME


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


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
    """A new vintage written under a temporary name beside its final place; `commit` puts it in place.

    `temp_path` None stages the removal of the vintage (undo of an import that created it)."""

    def __init__(self, path: Path, temp_path: Path | None):
        self.path = path
        self.temp_path = temp_path

    def commit(self) -> Path:
        if self.temp_path is None:
            self.path.unlink(missing_ok=True)
        else:
            os.replace(self.temp_path, self.path)
        return self.path

    def discard(self) -> None:
        if self.temp_path is not None:
            with contextlib.suppress(FileNotFoundError):
                self.temp_path.unlink()

    def sha256(self) -> str:
        return sha256_file(self.temp_path) if self.temp_path is not None else ""


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError as error:
        if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            raise
        shutil.copy2(source, target)  # no hard links here (another file system, FAT…): a copy


def commit_all(staged: Sequence[StagedDataset]) -> None:
    """Put several staged vintages in place, all or none: if a rename fails, the vintages already replaced are
    put back as they were (kept meanwhile under a temporary name), those that were new are removed."""
    done: list[tuple[StagedDataset, Path | None]] = []
    backups: list[Path] = []
    try:
        for item in staged:
            backup = None
            if item.path.exists():
                name = (item.temp_path or item.path.with_name(f".{item.path.name}.{os.getpid()}")).name
                backup = item.path.with_name(name + ".old")
                _link_or_copy(item.path, backup)
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


# --- Keeping and restoring previous vintages (undo of an import) -------------------------------------------


def keep_previous(kind: str, year: int, import_id: int) -> tuple[str, str]:
    """Keep the vintage in the store (if any) under ``_previous/<import_id>/``: (its SHA-256, its path
    relative to DATA_DIR), or ("", "") when the vintage is absent."""
    path = dataset_path(kind, year)
    if not path.is_file():
        return "", ""
    target = previous_root() / str(import_id) / kind / f"{year}.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    _link_or_copy(path, target)
    return sha256_file(target), relative_path(target)


def discard_previous(import_id: int) -> None:
    shutil.rmtree(previous_root() / str(import_id), ignore_errors=True)


def stage_restore(kind: str, year: int, previous: Path | None) -> StagedDataset:
    """Stage `previous` (a kept copy) in place of the vintage, or its removal when None."""
    path = dataset_path(kind, year)
    if previous is None:
        return StagedDataset(path, None)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{year}.", suffix=".parquet.tmp", dir=path.parent)
    os.close(fd)
    staged = StagedDataset(path, Path(temp_name))
    try:
        shutil.copyfile(previous, temp_name)
        # Same bytes, new modification time: the caches keyed on it (the engine's) see the change.
        os.utime(temp_name)
    except BaseException:
        staged.discard()
        raise
    return staged


def data_path(relative: str) -> Path:
    """A path recorded relative to DATA_DIR, made absolute; it must stay inside the store."""
    path = (Path(settings.DATA_DIR) / relative).resolve()
    if not path.is_relative_to(store_root().resolve()):
        raise ValueError(f"Chemin hors du magasin statistique : « {relative} ».")
    return path
