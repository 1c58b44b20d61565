"""Importers of the official statistics files into the store (`ctg.diagnostics.store`).

Each format is recognised from its header:

* ``filosofi_com``: Insee FiLoSoFi, commune file (cc_filosofi_YYYY_COM.csv): ``;``, decimal comma, ``s`` =
  secret, ``nd`` = not available; the vintage is the suffix of the columns (MED21 → 2021).
* ``rp_dossier_complet``: Insee « dossier complet » / base-cc (census): ``;``, decimal point, CODGEO and
  ``Pyy_``/``Cyy_`` columns; an empty cell is « non disponible » (the file does not tell secret from missing);
  the vintage is the most recent ``Pyy_`` (P22_POP0014 → 2022).
* ``caf_iris``: Insee-Cnaf, CAF recipients per IRIS (inseecaf2021.csv): ``;``, quoted ``iris_code``/``note``;
  a row with ``note`` ≠ 0 is secret whole, an empty cell is a secret cell. IRIS are summed to communes; a
  commune's value is secret as soon as one of its IRIS is. The vintage is taken from the file name.

Codes are mapped to the current COG with `resolve_commune_codes` (merged, delegated and associated communes):

* counts of merged communes are summed (secret if any part is secret, missing if any part is missing);
* medians, rates and shares cannot be combined: NULL, not secret, when several source rows fall on one commune
  (`source_rows` > 1 tells why);
* municipal arrondissements of Paris, Lyon and Marseille are not communes of the COG: they are kept under
  their own code, with their commune in `plm_commune`; nothing is summed to 75056, 69123 or 13055;
* any other code well formed but not found (neither a current commune nor a former code) is left out and
  reported; a malformed code (not 5 characters such as 81004 or 2A004) rejects the file.

A file is checked whole before anything is written. Any fault raises `DatasetError`, whose French message
names the file, the line and the column; the store and the database are then unchanged.
"""

import csv
import io
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from tqdm import tqdm

from ctg.diagnostics import store
from ctg.diagnostics.models import DatasetImport
from ctg.territories.models import Commune
from ctg.territories.selectors import resolve_commune_codes

__all__ = [
    "FORMATS",
    "DatasetError",
    "PreparedDataset",
    "detect_format",
    "import_dataset",
    "plm_commune",
    "prepare_dataset",
]

COMMUNE_CODE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
IRIS_CODE = re.compile(r"^(?:\d{5}|2[AB]\d{3})\d{4}$")
COLUMN_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
DECIMAL_COMMA = re.compile(r"^-?\d+(?:,\d+)?$")
DECIMAL_POINT = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")
RESERVED_NAMES = {name for name, _type in store.KEY_COLUMNS}
# Municipal arrondissements: Paris 75101-75120, Lyon 69381-69389, Marseille 13201-13216.
PLM_ARRONDISSEMENTS = {
    "75056": range(75101, 75121),
    "69123": range(69381, 69390),
    "13055": range(13201, 13217),
}
# FiLoSoFi and salary columns that are medians, deciles, means, rates or shares: they never sum.
NON_ADDITIVE = re.compile(
    r"^(?:MED|TP60|PIMP|PACT|PTSA|PCHO|PBEN|PPEN|PPAT|PPSOC|PPFAM|PPMINI|PPLOGT|PIMPOT|PAUT|D[1-9]|RD|Q[1-3]"
    r"|GI|S80S20|EQ|SNEMM|SNHM)"
)
UNKNOWN_CODES_SHOWN = 10


class DatasetError(Exception):
    """The file cannot be imported; the message, in French, names the file, the line and the column."""


def plm_commune(code: str) -> str | None:
    """The commune (75056, 69123 or 13055) of a municipal arrondissement code, else None."""
    if not code.isdigit():
        return None
    number = int(code)
    for commune, arrondissements in PLM_ARRONDISSEMENTS.items():
        if number in arrondissements:
            return commune
    return None


def _location(filename: str, line: int | None = None, column: str | None = None) -> str:
    parts = [filename]
    if line is not None:
        parts.append(f"ligne {line}")
    if column is not None:
        parts.append(f"colonne {column}")
    return ", ".join(parts)


def _error(filename: str, message: str, line: int | None = None, column: str | None = None) -> DatasetError:
    return DatasetError(f"{_location(filename, line, column)} : {message}")


# --- Reading the CSV --------------------------------------------------------------------------------------


@dataclass
class CsvFile:
    filename: str
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number in the file, fields)


def read_csv_file(path: Path) -> CsvFile:
    """Read a `;`-separated UTF-8 file whole; every row must have as many fields as the header."""
    filename = path.name
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DatasetError(f"{filename} : lecture impossible ({error.strerror}).") from None
    if not raw.strip():
        raise _error(filename, "fichier vide.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise _error(
            filename,
            f"encodage invalide (octet 0x{raw[error.start]:02X} non UTF-8) : le fichier doit être en UTF-8.",
            line,
        ) from None
    text = text.removeprefix("\ufeff")

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    try:
        header = [name.strip() for name in next(reader)]
        if len(header) == 1:
            for separator, label in ((",", "« , »"), ("\t", "tabulation"), ("|", "« | »")):
                if separator in header[0]:
                    raise _error(
                        filename,
                        f"séparateur {label} trouvé dans l'en-tête, « ; » attendu.",
                        1,
                    )
            raise _error(filename, "une seule colonne dans l'en-tête, séparateur « ; » attendu.", 1)
        rows = []
        blank_line = None
        for fields in reader:
            line = reader.line_num
            if not fields or fields == [""]:
                blank_line = blank_line or line
                continue
            if blank_line is not None:
                raise _error(filename, "ligne vide au milieu du fichier.", blank_line)
            if len(fields) != len(header):
                hint = " (ligne tronquée ?)" if len(fields) < len(header) else ""
                raise _error(
                    filename, f"{len(fields)} champs au lieu de {len(header)} comme l'en-tête{hint}.", line
                )
            rows.append((line, fields))
    except csv.Error as error:
        if "unexpected end of data" in str(error):
            message = "fin du fichier au milieu d'un champ entre guillemets (fichier tronqué ?)."
        else:
            message = f"CSV mal formé ({error})."
        raise _error(filename, message, reader.line_num) from None
    if not rows:
        raise _error(filename, "aucune ligne de données après l'en-tête.")
    return CsvFile(filename, header, rows)


# --- Formats ----------------------------------------------------------------------------------------------


class DatasetFormat:
    kind: str
    code_column: str
    code_pattern = COMMUNE_CODE
    code_description = "code commune à 5 caractères attendu, par exemple 81004 ou 2A004"
    # Columns of the file that are not stored as values.
    skipped_columns: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        return DatasetImport.Kind(self.kind).label

    def matches(self, header: list[str]) -> bool:
        raise NotImplementedError

    def year_from(self, header: list[str], filename: str) -> int | None:
        raise NotImplementedError

    def required_columns(self, header: list[str]) -> list[str]:
        return [self.code_column]

    def check_header(self, header: list[str], filename: str) -> None:
        seen = {}
        for index, name in enumerate(header):
            if not COLUMN_NAME.match(name):
                raise _error(filename, f"nom de colonne invalide « {name} » (colonne n° {index + 1}).", 1)
            if name.lower() in seen:
                raise _error(filename, f"colonne « {name} » en double.", 1)
            seen[name.lower()] = name
        for name in self.required_columns(header):
            if name not in header:
                raise _error(filename, f"colonne obligatoire « {name} » absente ({self.label}).", 1)
        for name in self.value_columns(header):
            if name.lower() in RESERVED_NAMES or name.lower().endswith(store.SECRET_SUFFIX):
                raise _error(filename, f"nom de colonne réservé « {name} ».", 1)

    def value_columns(self, header: list[str]) -> list[str]:
        return [name for name in header if name != self.code_column and name not in self.skipped_columns]

    def commune_code(self, code: str) -> str:
        return code

    def parse(self, raw: str) -> tuple[float | None, bool]:
        """(value, secret) of a cell; ValueError when it is neither a number nor a known marker."""
        raise NotImplementedError

    def additive(self, column: str) -> bool:
        return not NON_ADDITIVE.match(column)

    def row_secret(self, fields: list[str], header: list[str], filename: str, line: int) -> bool:
        """Whether the whole row is secret (CAF `note`)."""
        return False


def _decimal_point(raw: str) -> float:
    if not DECIMAL_POINT.match(raw):
        raise ValueError(raw)
    return float(raw)


class FilosofiCommunes(DatasetFormat):
    kind = DatasetImport.Kind.FILOSOFI_COM.value
    code_column = "CODGEO"
    SIGNATURE = re.compile(r"^(?:MED|NBMENFISC)(\d\d)$")
    COUNTS = re.compile(r"^(?:NBMENFISC|NBPERSMENFISC)\d\d$")

    def matches(self, header):
        census = any(re.match(r"^[PC]\d\d_", name) for name in header)
        return not census and any(self.SIGNATURE.match(name) for name in header)

    def _suffix(self, header):
        for name in header:
            match = self.SIGNATURE.match(name)
            if match:
                return match.group(1)
        return None

    def year_from(self, header, filename):
        suffix = self._suffix(header)
        return 2000 + int(suffix) if suffix else None

    def required_columns(self, header):
        suffix = self._suffix(header) or "yy"
        return [self.code_column, f"NBMENFISC{suffix}", f"MED{suffix}"]

    def check_header(self, header, filename):
        super().check_header(header, filename)
        suffix = self._suffix(header)
        for name in self.value_columns(header):
            if not name.endswith(suffix):
                raise _error(filename, f"millésime de la colonne « {name} » différent de 20{suffix}.", 1)

    def parse(self, raw):
        if raw == "s":
            return None, True
        if raw in ("", "nd"):
            return None, False
        if not DECIMAL_COMMA.match(raw):
            raise ValueError(raw)
        return float(raw.replace(",", ".")), False

    def additive(self, column):
        return bool(self.COUNTS.match(column))


class RecensementDossierComplet(DatasetFormat):
    kind = DatasetImport.Kind.RP_DOSSIER_COMPLET.value
    code_column = "CODGEO"
    # Labels that some base-cc files carry: text, not figures.
    skipped_columns = frozenset({"LIBGEO", "REG", "DEP"})
    CENSUS = re.compile(r"^([PC])(\d\d)_")

    def matches(self, header):
        return any(self.CENSUS.match(name) for name in header)

    def year_from(self, header, filename):
        years = {"P": set(), "C": set()}
        for name in header:
            match = self.CENSUS.match(name)
            if match:
                years[match.group(1)].add(int(match.group(2)))
        main = years["P"] or years["C"]
        return 2000 + max(main) if main else None

    def parse(self, raw):
        if raw == "":
            return None, False
        return _decimal_point(raw), False


class CafIris(DatasetFormat):
    kind = DatasetImport.Kind.CAF_IRIS.value
    code_column = "iris_code"
    code_pattern = IRIS_CODE
    code_description = "code IRIS à 9 caractères attendu, par exemple 810040101"
    skipped_columns = frozenset({"note"})
    YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)(?!\d)")

    def matches(self, header):
        return "iris_code" in header and "note" in header

    def year_from(self, header, filename):
        match = self.YEAR_IN_NAME.search(Path(filename).stem)
        return int(match.group(1)) if match else None

    def required_columns(self, header):
        return [self.code_column, "note", "a"]

    def commune_code(self, code):
        return code[:5]

    def parse(self, raw):
        if raw == "":
            return None, True
        return _decimal_point(raw), False

    def additive(self, column):
        return True

    def row_secret(self, fields, header, filename, line):
        note = fields[header.index("note")]
        if not note.isdigit():
            raise _error(filename, f"note de diffusion invalide « {note} » (entier attendu).", line, "note")
        return int(note) != 0


FORMATS: dict[str, DatasetFormat] = {
    fmt.kind: fmt for fmt in (FilosofiCommunes(), RecensementDossierComplet(), CafIris())
}


def detect_format(header: list[str], filename: str) -> DatasetFormat:
    for fmt in FORMATS.values():
        if fmt.matches(header):
            return fmt
    known = ", ".join(FORMATS)
    raise _error(filename, f"format non reconnu d'après l'en-tête (formats connus : {known}).", 1)


# --- Import -----------------------------------------------------------------------------------------------


@dataclass
class PreparedDataset:
    """A file read, checked and mapped to the current COG, ready to be written by `save`."""

    kind: str
    year: int
    source: Path
    value_columns: list[str]
    records: list[tuple]  # in the order of `schema`
    rows_read: int
    communes_matched: int
    codes_mapped: int
    arrondissements: int
    unknown_codes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return DatasetImport.Kind(self.kind).label

    @property
    def schema(self) -> list[tuple[str, str]]:
        schema = list(store.KEY_COLUMNS)
        for name in self.value_columns:
            schema += [(name, "DOUBLE"), (name + store.SECRET_SUFFIX, "BOOLEAN")]
        return schema

    def save(self, *, imported_by=None, is_fictitious: bool = False) -> DatasetImport:
        """Write the vintage in place of the previous one and record the import, both or neither."""
        staged = store.stage_dataset(self.kind, self.year, self.schema, self.records)
        try:
            with transaction.atomic():
                record = DatasetImport.objects.create(
                    kind=self.kind,
                    year=self.year,
                    source_name=self.source.name[:255],
                    path=store.relative_path(staged.path),
                    rows_read=self.rows_read,
                    communes_matched=self.communes_matched,
                    codes_mapped=self.codes_mapped,
                    arrondissements=self.arrondissements,
                    unknown_codes=self.unknown_codes,
                    imported_by=imported_by,
                    is_fictitious=is_fictitious,
                )
                # Last step of the transaction: if the rename fails, the record is rolled back.
                staged.commit()
        finally:
            staged.discard()
        return record


def _combine(sources: list[list[tuple]], additive: list[bool]) -> list[tuple]:
    """The (value, secret) cells of one current commune from those of its source rows."""
    if len(sources) == 1:
        return sources[0]
    cells = []
    for index, summable in enumerate(additive):
        if not summable:
            cells.append((None, False))  # a median or rate of merged communes cannot be rebuilt
            continue
        total, secret, missing = 0.0, False, False
        for source in sources:
            value, is_secret = source[index]
            if is_secret:
                secret = True
            elif value is None:
                missing = True
            else:
                total += value
        cells.append((None, True) if secret else (None, False) if missing else (total, False))
    return cells


def prepare_dataset(
    path: Path | str, *, kind: str | None = None, year: int | None = None, progress: bool = False
) -> PreparedDataset:
    """Read and check `path` whole, map its codes to the current COG; nothing is written."""
    path = Path(path)
    data = read_csv_file(path)
    filename, header = data.filename, data.header
    if kind is None:
        fmt = detect_format(header, filename)
    elif kind in FORMATS:
        fmt = FORMATS[kind]
    else:
        raise DatasetError(f"Jeu de données inconnu « {kind} » (connus : {', '.join(FORMATS)}).")
    fmt.check_header(header, filename)

    found_year = fmt.year_from(header, filename)
    if year is not None and found_year is not None and year != found_year:
        raise _error(filename, f"millésime {year} demandé, mais le fichier est de {found_year}.")
    year = year or found_year
    if year is None:
        raise _error(filename, "millésime introuvable dans le nom du fichier : précisez --year.")
    if not 1990 <= year <= 2100:
        raise _error(filename, f"millésime invalide : {year}.")

    columns = fmt.value_columns(header)
    indexes = [header.index(name) for name in columns]
    code_index = header.index(fmt.code_column)
    additive = [fmt.additive(name) for name in columns]

    seen: dict[str, int] = {}
    parsed: list[tuple[str, list[tuple]]] = []
    rows = tqdm(data.rows, desc=filename, unit=" lignes", file=sys.stderr, disable=not progress, leave=False)
    for line, fields in rows:
        code = fields[code_index]
        if not fmt.code_pattern.match(code):
            raise _error(
                filename, f"code invalide « {code} » ({fmt.code_description}).", line, fmt.code_column
            )
        if code in seen:
            raise _error(filename, f"code {code} en double (déjà ligne {seen[code]}).", line, fmt.code_column)
        seen[code] = line
        row_secret = fmt.row_secret(fields, header, filename, line)
        cells = []
        for name, index in zip(columns, indexes, strict=True):
            raw = fields[index].strip()
            try:
                cell = fmt.parse(raw)
            except ValueError:
                raise _error(filename, f"valeur non numérique « {raw} ».", line, name) from None
            cells.append((None, True) if row_secret else cell)
        parsed.append((code, cells))

    if not Commune.objects.filter(is_active=True).exists():
        raise DatasetError(
            f"{filename} : le référentiel territorial est vide, chargez-le d'abord (ctg load_territories)."
        )
    source_codes = {fmt.commune_code(code) for code, _cells in parsed}
    plm = {code: plm_commune(code) for code in source_codes}
    mapping = resolve_commune_codes(code for code in source_codes if not plm[code])
    # resolve_commune_codes gives an obsolete commune as is: only communes in force are kept.
    active = set(Commune.objects.filter(is_active=True).values_list("code", flat=True))

    groups: dict[str, list[list[tuple]]] = defaultdict(list)
    group_codes: dict[str, set[str]] = defaultdict(set)
    unknown, mapped = set(), set()
    for code, cells in parsed:
        commune = fmt.commune_code(code)
        if plm[commune]:
            target = commune
        elif mapping.get(commune) in active:
            target = mapping[commune]
            if target != commune:
                mapped.add(commune)
        else:
            unknown.add(commune)
            continue
        groups[target].append(cells)
        group_codes[target].add(commune)
    if not groups:
        raise _error(filename, "aucun code ne correspond à une commune du référentiel territorial.")

    records = []
    for target in sorted(groups):
        cells = _combine(groups[target], additive)
        record = [target, plm.get(target), " ".join(sorted(group_codes[target])), len(groups[target])]
        for value, secret in cells:
            record += [value, secret]
        records.append(tuple(record))
    arrondissements = sum(1 for target in groups if plm.get(target))
    return PreparedDataset(
        kind=fmt.kind,
        year=year,
        source=path,
        value_columns=columns,
        records=records,
        rows_read=len(data.rows),
        communes_matched=len(groups) - arrondissements,
        codes_mapped=len(mapped),
        arrondissements=arrondissements,
        unknown_codes=sorted(unknown),
    )


def import_dataset(
    path: Path | str,
    *,
    kind: str | None = None,
    year: int | None = None,
    imported_by=None,
    progress: bool = False,
    is_fictitious: bool = False,
) -> DatasetImport:
    """Import one file into the store, replacing its vintage; DatasetError leaves everything unchanged."""
    prepared = prepare_dataset(path, kind=kind, year=year, progress=progress)
    return prepared.save(imported_by=imported_by, is_fictitious=is_fictitious)
