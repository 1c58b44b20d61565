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
  told apart from « non disponible »;
* for a dataset summed from several source rows (``caf_iris``: IRIS summed to communes), after all the
  values, ``<column>_published`` (DOUBLE) and ``<column>_secret_rows`` (INTEGER) for each column
  (`PART_COLUMNS`): for a commune whose value is secret because some of its IRIS were blanked, the sum of its
  published IRIS and how many were blanked; NULL otherwise. A merge keeps them with their row.

A vintage is replaced atomically: the new file is written next to the old one under a temporary name, then
renamed over it (`os.replace`). Reads go through `ctg.diagnostics.reader`.

The vintage an import replaces is kept under ``stats/_previous/<import id>/<kind>/<year>.parquet`` (a hard
link when the file system allows it), so that undoing the import (`stage_restore`, then `commit_all`) puts
it back byte for byte.

**One store for the whole of France, filled by many CAFs.** An import *merges* its file into the vintage
(`stage_merged`): it adds or replaces only the territories its file covers; the rows of the other territories
are kept as they are. What a file covers is decided by `ctg.diagnostics.importers.plan_merge`:

* a **France-wide** file — its territories lie in at least 90 % of the départements of metropolitan France
  and the DROM (the overseas collectivities of the COG, 975, 977, 978, 984 to 989, are not counted: no
  national statistics cover them; the national FiLoSoFi covers 98 of the 101) — replaces the whole vintage;
* otherwise, for a dataset stored per commune, a **département covered whole** — the file holds at least 90 %
  of its current communes (an arrondissement counts for its commune) — is replaced whole: its stored rows
  absent from the file are removed. An Insee or Cnaf extract « par département » is the publisher's complete
  list for that département: a commune absent from it has no figure in that publication (merged since into
  another commune, or not published), and keeping an older row would mix two publications in one
  département (and keep the rows of communes that no longer exist once the COG changes);
* any other row of the file (a file cut to an EPCI, a few communes of a neighbouring département, the EPCI or
  départements of a Cnaf file by scale) replaces the stored row of the same code only; for a dataset stored
  per IRIS (``filosofi_iris``), every stored IRIS of each commune present in the file is replaced (a commune
  that is no longer split into IRIS loses its old IRIS).

A replaced row is replaced whole (its columns that the new file lacks become NULL), except for the Cnaf
« données communales » (``caf_commune``), published as one file per theme: there a file replaces its own
columns of the rows it covers and keeps the other columns (the other themes).

**Provenance.** Every row records the import that wrote it in the last column, ``import_id`` (the primary key
of `DatasetImport`: file, date, who); `reader.provenance` reads it. Files written before the merge had no such
column: their rows are attributed to the import that wrote the file.

**Serialised writes.** The read-merge-write of a vintage runs under an exclusive lock of that dataset and
vintage (`vintage_lock`: ``fcntl.flock`` on ``DATA_DIR/locks/<kind>-<year>.lock``), whatever the database:
two CAFs importing the same vintage at the same moment are applied one after the other, neither is lost.
"""

import contextlib
import csv
import errno
import fcntl
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
LOCKS_DIRNAME = "locks"  # in DATA_DIR, beside the store (a lock file is not part of the store)
# The last column of every file written since the merge: the DatasetImport that wrote the row.
PROVENANCE_COLUMN = "import_id"
SECRET_SUFFIX = "_secret"
# Columns that may follow the values, for a value column summed from several source rows (CAF per IRIS):
# the sum of the published rows of a commune whose value is secret, and how many rows were blanked (the
# engine's PUBLISHED_SUFFIX and SECRET_ROWS_SUFFIX). They have no `_secret` flag of their own.
PART_COLUMNS = (("_published", "DOUBLE"), ("_secret_rows", "INTEGER"))
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


def _check_schema(schema: Sequence[tuple[str, str]]) -> list[str]:
    names = [name for name, _type in schema]
    if len({name.lower() for name in names}) != len(names):
        raise ValueError("Deux colonnes portent le même nom.")
    for name, column_type in schema:
        _quote(name)
        if column_type not in COLUMN_TYPES:
            raise ValueError(f"Type de colonne inconnu : {column_type}.")
    return names


def write_parquet(path: Path, schema: Sequence[tuple[str, str]], rows: Iterable[Sequence]) -> None:
    """Write `rows` (tuples ordered as `schema`, a list of (name, DuckDB type)) to the Parquet file `path`."""
    names = _check_schema(schema)
    # Without pandas or pyarrow, the simplest exact way into DuckDB is a typed CSV: floats are written with
    # repr(), which reads back to the same double.
    csv_fd, csv_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".csv.tmp", dir=path.parent)
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
                f"COPY ({select}) TO {_sql_string(str(path))} (FORMAT parquet, COMPRESSION zstd)"
            )
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(csv_name)


def _temp_beside(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".parquet.tmp", dir=path.parent)
    os.close(fd)
    return Path(temp_name)


def stage_dataset(
    kind: str, year: int, schema: Sequence[tuple[str, str]], rows: Iterable[Sequence]
) -> StagedDataset:
    """Write `rows` (tuples ordered as `schema`, a list of (name, DuckDB type)) to a temporary Parquet file.

    Nothing visible changes until `commit()`; on any error the temporary files are removed.
    """
    path = dataset_path(kind, year)
    _check_schema(schema)
    staged = StagedDataset(path, _temp_beside(path))
    try:
        write_parquet(staged.temp_path, schema, rows)
    except BaseException:
        staged.discard()
        raise
    return staged


# --- Merging a file into a vintage -------------------------------------------------------------------------


@contextlib.contextmanager
def vintage_lock(vintages: Iterable[tuple[str, int]]):
    """Hold the exclusive lock of each (kind, year) of `vintages` (taken in one order: no deadlock), for the
    read-merge-write of an import or its undo. A file lock (``fcntl.flock``) in ``DATA_DIR/locks``: it holds
    between the processes and threads of the server, whichever the database."""
    keys = sorted({(kind, year) for kind, year in vintages})
    for kind, year in keys:
        _check_kind_year(kind, year)
    folder = Path(settings.DATA_DIR) / LOCKS_DIRNAME
    folder.mkdir(parents=True, exist_ok=True)
    handles = []
    try:
        for kind, year in keys:
            handle = open(folder / f"{kind}-{year}.lock", "a+b")  # noqa: SIM115 (closed below)
            handles.append(handle)
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield
    finally:
        for handle in reversed(handles):
            with contextlib.suppress(OSError):
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()


def _columns_of(connection, source: str) -> list[str]:
    return [row[0] for row in connection.execute(f"SELECT * FROM {source} LIMIT 0").description]


def stored_keys(kind: str, year: int) -> list[tuple[str, str | None, str | None]]:
    """(code, plm_commune, commune) of every row of the vintage; commune is NULL but for the datasets stored
    per IRIS. Empty when the vintage is absent."""
    path = dataset_path(kind, year)
    if not path.is_file():
        return []
    with duckdb.connect(":memory:") as connection:
        source = f"read_parquet({_sql_string(str(path))})"
        commune = "commune" if "commune" in _columns_of(connection, source) else "NULL"
        return connection.execute(f"SELECT code, plm_commune, {commune} FROM {source}").fetchall()


def _value_columns(names: list[str], extra: Sequence[str]) -> list[str]:
    keys = {name for name, _type in KEY_COLUMNS} | set(extra) | {PROVENANCE_COLUMN}
    values = [name for name in names if name not in keys and not name.endswith(SECRET_SUFFIX)]
    parts = set(_part_columns(values, values))
    return [name for name in values if name not in parts]


def _part_columns(names: Sequence[str], values: Iterable[str]) -> dict[str, str]:
    """{column: type} of the `PART_COLUMNS` of `values` found in `names`, in the order of `names`."""
    wanted = {value + suffix: column_type for value in values for suffix, column_type in PART_COLUMNS}
    return {name: wanted[name] for name in names if name in wanted}


def _merge_sql(
    connection, stored: Path | None, incoming: Path, *, keep_columns: bool, import_id: int, legacy_id
) -> tuple[str, list[str]]:
    """The SELECT of the merged vintage (tables ``cleared`` and ``incoming_codes`` already made), and its
    columns. See the module's docstring."""
    new_source = f"read_parquet({_sql_string(str(incoming))})"
    new_names = _columns_of(connection, new_source)
    provenance = _quote(PROVENANCE_COLUMN)
    if stored is None:
        return f"SELECT *, {int(import_id)}::INTEGER AS {provenance} FROM {new_source}", new_names + [
            PROVENANCE_COLUMN
        ]
    old_source = f"read_parquet({_sql_string(str(stored))})"
    old_names = _columns_of(connection, old_source)
    key_names = [name for name, _type in KEY_COLUMNS]
    extra = [name for name in new_names[len(key_names) :] if name in ("commune", "markers")]
    new_values = _value_columns(new_names, extra)
    old_values = _value_columns(old_names, extra)
    new_parts = _part_columns(new_names, new_values)
    old_parts = _part_columns(old_names, old_values)
    if PROVENANCE_COLUMN in old_names:
        old_select = f"SELECT * FROM {old_source}"
    else:
        legacy = "NULL" if legacy_id is None else str(int(legacy_id))
        old_select = f"SELECT *, {legacy}::INTEGER AS {provenance} FROM {old_source}"
    connection.execute(f"CREATE TEMP VIEW stored AS {old_select}")
    connection.execute(
        f"CREATE TEMP VIEW incoming AS SELECT *, {int(import_id)}::INTEGER AS {provenance} FROM {new_source}"
    )
    kept_rows = "SELECT * FROM stored WHERE code NOT IN (SELECT code FROM cleared)"
    parts = ["SELECT * FROM incoming"]
    others = [name for name in old_values if name not in new_values] if keep_columns else []
    others_parts = _part_columns(old_names, others)
    if others:
        pairs = [_quote(n) for name in others for n in (name, name + SECRET_SUFFIX)]
        pairs += [_quote(name) for name in others_parts]
        parts = [
            "SELECT incoming.*, "
            + ", ".join(f"stored.{p}" for p in pairs)
            + " FROM incoming LEFT JOIN stored USING (code)"
        ]
        # Rows covered but absent from the file: the file's columns are cleared, the other themes kept.
        present = " OR ".join(
            f"stored.{_quote(name)} IS NOT NULL OR coalesce(stored.{_quote(name + SECRET_SUFFIX)}, false)"
            for name in others
        )
        keys = ", ".join(_quote(n) for n in key_names + extra)
        parts.append(
            f"SELECT {keys}, {', '.join(pairs)}, {provenance} FROM stored WHERE code IN (SELECT code FROM "
            f"cleared) AND code NOT IN (SELECT code FROM incoming_codes) AND ({present})"
        )
    has_kept = connection.execute(f"SELECT count(*) FROM ({kept_rows})").fetchone()[0] > 0
    if has_kept:
        parts.append(kept_rows)
    if has_kept or others:
        values = old_values + [name for name in new_values if name not in old_values]
    else:  # a France-wide file: the vintage is the file's
        values = new_values
    # The columns of the published parts (`PART_COLUMNS`) of the rows merged: NULL for a row without them.
    found_parts = {**(old_parts if has_kept else others_parts), **new_parts}
    value_parts = _part_columns(list(found_parts), values)
    columns = key_names + extra
    selected = [_quote(name) for name in columns]
    for name in values:
        secret = name + SECRET_SUFFIX
        selected += [
            f"{_quote(name)}::DOUBLE AS {_quote(name)}",
            f"coalesce({_quote(secret)}, false) AS {_quote(secret)}",
        ]
    selected += [
        f"{_quote(name)}::{column_type} AS {_quote(name)}" for name, column_type in value_parts.items()
    ]
    selected.append(f"{provenance}::INTEGER AS {provenance}")
    union = " UNION ALL BY NAME ".join(f"({part})" for part in parts)
    sql = f"SELECT {', '.join(selected)} FROM ({union}) ORDER BY code"
    names = (
        columns
        + [n for name in values for n in (name, name + SECRET_SUFFIX)]
        + list(value_parts)
        + [PROVENANCE_COLUMN]
    )
    return sql, names


def _prepare_merge(connection, incoming: Path, cleared: Iterable[str]) -> None:
    connection.execute("CREATE TEMP TABLE cleared (code VARCHAR PRIMARY KEY)")
    codes = sorted(set(cleared))
    if codes:
        connection.execute("INSERT INTO cleared SELECT unnest(?::VARCHAR[])", [codes])
    connection.execute(
        f"CREATE TEMP TABLE incoming_codes AS SELECT code FROM read_parquet({_sql_string(str(incoming))})"
    )


def stage_merged(
    kind: str,
    year: int,
    incoming: Path,
    *,
    cleared: Iterable[str],
    keep_columns: bool = False,
    import_id: int,
    legacy_id: int | None = None,
) -> StagedDataset:
    """The vintage with the rows of `incoming` (a Parquet file of the new rows, written by `write_parquet`)
    merged in, staged beside it: the stored rows whose code is in `cleared` (the territories the file covers,
    see the module's docstring) are replaced by those of the file or removed, the others kept; every row of
    the file gets `import_id` as its provenance (the rows of a file written before the merge: `legacy_id`).
    `keep_columns`: a covered row keeps its stored columns that the file lacks (``caf_commune``)."""
    path = dataset_path(kind, year)
    staged = StagedDataset(path, _temp_beside(path))
    try:
        with duckdb.connect(":memory:") as connection:
            _prepare_merge(connection, incoming, cleared)
            stored = path if path.is_file() else None
            sql, _names = _merge_sql(
                connection,
                stored,
                incoming,
                keep_columns=keep_columns,
                import_id=import_id,
                legacy_id=legacy_id,
            )
            connection.execute(
                f"COPY ({sql}) TO {_sql_string(str(staged.temp_path))} (FORMAT parquet, COMPRESSION zstd)"
            )
    except BaseException:
        staged.discard()
        raise
    return staged


def compare(
    kind: str,
    year: int,
    incoming: Path,
    *,
    cleared: Iterable[str],
    keep_columns: bool = False,
    examples: int = 5,
) -> dict:
    """What merging `incoming` into the vintage would change, without writing anything: the codes added,
    replaced and removed; for the value columns of both, how many values move (a value or its secrecy differs)
    and a few examples (code, column, old value, new value; a secret value is given as « secret »)."""
    path = dataset_path(kind, year)
    with duckdb.connect(":memory:") as connection:
        _prepare_merge(connection, incoming, cleared)
        new_source = f"read_parquet({_sql_string(str(incoming))})"
        new_codes = [row[0] for row in connection.execute("SELECT code FROM incoming_codes").fetchall()]
        if not path.is_file():
            return {
                "added": sorted(new_codes),
                "replaced": [],
                "removed": [],
                "changed": 0,
                "columns": 0,
                "examples": [],
            }
        old_source = f"read_parquet({_sql_string(str(path))})"
        stored_codes = {row[0] for row in connection.execute(f"SELECT code FROM {old_source}").fetchall()}
        cleared_codes = {row[0] for row in connection.execute("SELECT code FROM cleared").fetchall()}
        added = sorted(code for code in new_codes if code not in stored_codes)
        replaced = sorted(code for code in new_codes if code in stored_codes)
        new_set = set(new_codes)
        removed = sorted(code for code in cleared_codes & stored_codes if code not in new_set)
        new_names = _columns_of(connection, new_source)
        old_names = _columns_of(connection, old_source)
        extra = [name for name in ("commune", "markers") if name in new_names]
        common = [
            name for name in _value_columns(new_names, extra) if name in set(_value_columns(old_names, extra))
        ]
        changed_total, changed_columns, found = 0, 0, []
        if common and replaced:
            joined = f"FROM {new_source} n JOIN {old_source} o USING (code)"

            def differs(name):
                value, secret = _quote(name), _quote(name + SECRET_SUFFIX)
                return (
                    f"(n.{value} IS DISTINCT FROM o.{value} OR "
                    f"coalesce(n.{secret}, false) <> coalesce(o.{secret}, false))"
                )

            counts = []
            for start in range(0, len(common), 500):  # the full census has ~1,900 columns
                chunk = common[start : start + 500]
                sums = ", ".join(f"count(*) FILTER (WHERE {differs(name)})" for name in chunk)
                counts += list(connection.execute(f"SELECT {sums} {joined}").fetchone())
            changed = [(name, count) for name, count in zip(common, counts, strict=True) if count]
            changed_total = sum(count for _name, count in changed)
            changed_columns = len(changed)
            for name, _count in changed[:examples]:
                value, secret = _quote(name), _quote(name + SECRET_SUFFIX)
                rows = connection.execute(
                    f"SELECT code, o.{value}, coalesce(o.{secret}, false), n.{value}, "
                    f"coalesce(n.{secret}, false) {joined} WHERE {differs(name)} ORDER BY code LIMIT ?",
                    [max(1, examples // min(len(changed), examples))],
                ).fetchall()
                for code, old, old_secret, new, new_secret in rows:
                    found.append(
                        (code, name, "secret" if old_secret else old, "secret" if new_secret else new)
                    )
        return {
            "added": added,
            "replaced": replaced,
            "removed": removed,
            "changed": changed_total,
            "columns": changed_columns,
            "examples": found[:examples],
        }


def provenance_counts(kind: str, year: int) -> dict[int | None, int]:
    """import id → how many rows of the vintage it wrote (None: rows of a file written before the merge)."""
    path = dataset_path(kind, year)
    if not path.is_file():
        return {}
    with duckdb.connect(":memory:") as connection:
        source = f"read_parquet({_sql_string(str(path))})"
        if PROVENANCE_COLUMN not in _columns_of(connection, source):
            return {None: connection.execute(f"SELECT count(*) FROM {source}").fetchone()[0]}
        rows = connection.execute(
            f"SELECT {_quote(PROVENANCE_COLUMN)}, count(*) FROM {source} GROUP BY ALL"
        ).fetchall()
    return dict(rows)


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
