"""Importers of the official statistics files into the store (`ctg.diagnostics.store`).

Each format is recognised from its header:

* ``filosofi_com``: Insee FiLoSoFi, commune file (cc_filosofi_YYYY_COM.csv): ``;``, decimal comma, ``s`` =
  secret, ``nd`` = not available; the vintage is the suffix of the columns (MED21 → 2021).
* ``rp_dossier_complet``: Insee « dossier complet » / base-cc (census): ``;``, decimal point, CODGEO and
  ``Pyy_``/``Cyy_`` columns; an empty cell is « non disponible » (the file does not tell secret from missing);
  the vintage is the most recent ``Pyy_`` (P22_POP0014 → 2022).
* ``caf_iris``: Insee-Cnaf, CAF recipients per IRIS (inseecaf2021.csv): ``;``, quoted ``iris_code``/``note``;
  a row with ``note`` ≠ 0 is secret whole, an empty cell is a secret cell. IRIS are summed to communes; a
  commune's value is secret as soon as one of its IRIS is. Such a commune keeps, for each column, the sum of
  its published IRIS and how many of its IRIS were blanked (``a_published``, ``a_secret_rows``; NULL for a
  commune with nothing blanked), from which the engine writes « partiel : au moins … (k IRIS sur n soumis
  au secret) »; ``source_rows`` is its number of IRIS. The vintage is taken from the file name.
* ``bpe``: Insee, base permanente des équipements (BPE24.csv), one row per equipment: ``;``, quoted fields,
  ``DEPCOM`` and ``TYPEQU`` (other columns ignored). Stored: one row per commune with equipment, one count
  column per equipment type, named as the code (``D502``, ``A101``…), 0 when the commune has other types
  only. The vintage is the ``AN`` column (every row the same), else the file name (BPE24 → 2024). The file
  (millions of rows) is streamed: only the counts are kept in memory. ``source_rows`` is then the number of
  source communes, not of equipment.
* ``caf_txcouv_com``, ``caf_txcouv_epci``, ``caf_txcouv_dep``: Cnaf, « accueil du jeune enfant – taux de
  couverture » (data.caf.fr, Opendatasoft exports): ``;``, decimal point or comma, empty = missing; the key is
  ``numcom``, ``numepci`` (SIREN) or ``numdep``; ``annee`` (2023 or 2023-01-01) may take several values:
  each year is a vintage of its own. Stored: the columns ``txcouv_*`` (rates, never summed), ``pl_*`` and
  ``nb_*``, ``tot_*`` (counts, e.g. ``tot_offre_epci``) under
  their lower-case names. A key made of X (``XXXXX``) is the publisher's placeholder
  for rows without a territory: skipped and reported. EPCI and départements are kept under their own code
  (``plm_commune`` NULL) when they are in the référentiel; unknown ones are reported. The portal also exports
  the French labels (« Date référence;Numéro Département;…;Taux de couv global », UTF-8 with BOM, CRLF):
  they are read as the API names they stand for. The Cnaf revises recent years: of two publications giving
  the same year, the later one (whose last year is later) wins, in one batch (`keep_latest_publications`)
  as against the store (a year already imported from a later publication is left out, and reported).

Codes are mapped to the current COG with `resolve_commune_codes` (merged, delegated and associated communes):

* counts of merged communes are summed (secret if any part is secret, missing if any part is missing);
* medians, rates and shares cannot be combined: NULL, not secret, when several source rows fall on one commune
  (`source_rows` > 1 tells why);
* municipal arrondissements of Paris, Lyon and Marseille are not communes of the COG: they are kept under
  their own code, with their commune in `plm_commune`; nothing is summed to 75056, 69123 or 13055;
* any other code well formed but not found (neither a current commune nor a former code) is left out and
  reported; a malformed code (not 5 characters such as 81004 or 2A004) rejects the file.

A file is checked whole before anything is written (for a file of several years, every year is checked
before any is written). Any fault raises `DatasetError`, whose French message
names the file, the line and the column; the store and the database are then unchanged.
"""

import csv
import errno
import re
import sys
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ctg.diagnostics import reader, store
from ctg.diagnostics.models import DatasetImport
from ctg.diagnostics.signals import dataset_imported
from ctg.progress import tqdm
from ctg.territories.models import Commune, Departement, Epci
from ctg.territories.selectors import resolve_commune_codes
from ctg.territories.text import format_number

__all__ = [
    "FORMATS",
    "DatasetError",
    "PreparedDataset",
    "detect_format",
    "disk_error_message",
    "import_dataset",
    "import_datasets",
    "keep_latest_publications",
    "plan_merge",
    "plm_commune",
    "preview_datasets",
    "prepare_dataset",
    "prepare_datasets",
    "save_datasets",
    "undo_blockers",
    "undo_import",
]

# The longest line of an official file is a row of the full census « dossier complet » (~1,900 columns, about
# 25 kB); anything far beyond is a damaged or hostile file, refused before it is held in memory.
MAX_LINE_BYTES = 128 * 1024
COMMUNE_CODE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
IRIS_CODE = re.compile(r"^(?:\d{5}|2[AB]\d{3})\d{4}$")
COLUMN_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
DECIMAL_COMMA = re.compile(r"^-?\d+(?:,\d+)?$")
DECIMAL_POINT = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")
RESERVED_NAMES = {name for name, _type in store.KEY_COLUMNS}
# Suffixes of the columns the store writes beside a value column: a file column may not end with them.
RESERVED_SUFFIXES = (store.SECRET_SUFFIX, *(suffix for suffix, _type in store.PART_COLUMNS))
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


def decoded_lines(
    handle,
    filename: str,
    *,
    not_what: str = "un fichier statistique valide",
    error=None,
    max_bytes: int = MAX_LINE_BYTES,
    digest=None,
) -> Iterator[str]:
    """The lines of a binary file, decoded as UTF-8 one by one so that a bad byte is located exactly. A line
    longer than `max_bytes` is refused before it is read whole (« ce n'est pas <not_what> »). `error`
    (filename, message, line) makes the exception (the statistics' `DatasetError` by default); `digest`, when
    given, is fed every raw line (the file's SHA-256 read in the same pass). Shared by every importer of
    published files (statistics, offer of services)."""
    error = error or _error
    for number, raw in enumerate(iter(lambda: handle.readline(max_bytes + 1), b""), 1):
        if digest is not None:
            digest.update(raw)
        if len(raw) > max_bytes:
            raise error(
                filename, f"ligne de plus de {max_bytes // 1024} Kio : ce n'est pas {not_what}.", number
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise error(
                filename,
                f"encodage invalide (octet 0x{raw[exc.start]:02X} non UTF-8) : "
                "le fichier doit être en UTF-8.",
                number,
            ) from None
        if "\x00" in text:
            raise error(filename, "octet nul (0x00) : le fichier est endommagé ou n'est pas un CSV.", number)
        yield text.removeprefix("\ufeff") if number == 1 else text


class CsvStream:
    """A `;`-separated UTF-8 file read row by row (the national BPE has millions of rows).

    The header is read and checked on opening; `rows()` yields (line number, fields) and checks every row on
    the way: as many fields as the header, no blank line in the middle, well-formed quotes.
    """

    def __init__(self, path: Path):
        self.path = path
        self.filename = filename = path.name
        try:
            self._handle = open(path, "rb")  # noqa: SIM115 (closed by close(), also on errors)
        except OSError as error:
            raise DatasetError(f"{filename} : lecture impossible ({error.strerror}).") from None
        try:
            self._check_not_empty()
            self._reader = csv.reader(decoded_lines(self._handle, filename), delimiter=";", strict=True)
            self.header = self._read_header()
        except BaseException:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self) -> None:
        self._handle.close()

    def _check_not_empty(self) -> None:
        for chunk in iter(lambda: self._handle.read(1 << 16), b""):
            if chunk.strip():
                break
        else:
            raise _error(self.filename, "fichier vide.")
        self._handle.seek(0)

    def _csv_error(self, error: csv.Error) -> DatasetError:
        if "unexpected end of data" in str(error):
            message = "fin du fichier au milieu d'un champ entre guillemets (fichier tronqué ?)."
        else:
            message = f"CSV mal formé ({error})."
        return _error(self.filename, message, self._reader.line_num)

    def _read_header(self) -> list[str]:
        filename = self.filename
        try:
            header = [name.strip() for name in next(self._reader)]
        except csv.Error as error:
            # A quoted header with another separator ("iris_code","note"…) is no CSV with « ; »: say which.
            self._handle.seek(0)
            first = self._handle.readline().decode("utf-8", "replace")
            if ";" not in first:
                self._separator_error(first)
            raise self._csv_error(error) from None
        if len(header) == 1:
            self._separator_error(header[0])
            raise _error(filename, "une seule colonne dans l'en-tête, séparateur « ; » attendu.", 1)
        return header

    def _separator_error(self, text: str) -> None:
        for separator, label in ((",", "« , »"), ("\t", "tabulation"), ("|", "« | »")):
            if separator in text:
                raise _error(self.filename, f"séparateur {label} trouvé dans l'en-tête, « ; » attendu.", 1)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        filename, reader, width = self.filename, self._reader, len(self.header)
        blank_line = None
        count = 0
        try:
            for fields in reader:
                line = reader.line_num
                if not fields or fields == [""]:
                    blank_line = blank_line or line
                    continue
                if blank_line is not None:
                    raise _error(filename, "ligne vide au milieu du fichier.", blank_line)
                if len(fields) != width:
                    hint = " (ligne tronquée ?)" if len(fields) < width else ""
                    raise _error(
                        filename, f"{len(fields)} champs au lieu de {width} comme l'en-tête{hint}.", line
                    )
                count += 1
                yield line, fields
        except csv.Error as error:
            raise self._csv_error(error) from None
        if not count:
            raise _error(filename, "aucune ligne de données après l'en-tête.")


def read_csv_file(path: Path) -> CsvFile:
    """Read a `;`-separated UTF-8 file whole; every row must have as many fields as the header."""
    with CsvStream(path) as stream:
        return CsvFile(stream.filename, stream.header, list(stream.rows()))


# --- Formats ----------------------------------------------------------------------------------------------


class DatasetFormat:
    kind: str
    code_column: str
    code_pattern = COMMUNE_CODE
    code_description = "code commune à 5 caractères attendu, par exemple 81004 ou 2A004"
    # Columns of the file that are not stored as values.
    skipped_columns: frozenset[str] = frozenset()
    # Whether a commune summed from several rows keeps, for each column, the sum of its published rows and
    # how many rows were blanked when its value is secret (`_published_parts`; the engine's partial counts).
    published_parts = False

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
            if name.lower() in RESERVED_NAMES or name.lower().endswith(RESERVED_SUFFIXES):
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

    def is_count(self, column: str) -> bool:
        """Whether the column is a count (households, people, recipients, places): never negative. Medians,
        rates, shares and evolutions are not counts (a share of taxes, an evolution may be negative)."""
        return self.additive(column)

    def row_secret(self, fields: list[str], header: list[str], filename: str, line: int) -> bool:
        """Whether the whole row is secret (CAF `note`)."""
        return False

    def prepare(self, stream: "CsvStream", *, year: int | None = None, progress: bool = False) -> list:
        """Check the rows of `stream`, map them to the current territories: one PreparedDataset a vintage."""
        return [_prepare_rows(self, stream, year, progress)]


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


class FilosofiIris(DatasetFormat):
    """Insee FiLoSoFi, IRIS file of *declared* income (BASE_TD_FILO_IRIS_2021_DEC.csv): ``;``, decimal comma,
    ``IRIS`` (9 characters) and ``DEC_*yy`` columns; the vintage is their suffix (DEC_MED21 → 2021).

    Stored per IRIS (medians, deciles and rates of IRIS never add up to a commune): ``code`` is the IRIS as
    published, ``commune`` its commune in the current COG (or its municipal arrondissement, with
    ``plm_commune``). Cells: ``s`` is a secret (``_secret`` true); ``ns`` (non significatif), ``nd`` (non
    disponible) and ``so`` (sans objet) are no figure: NULL, and the marker as published is kept in
    ``markers`` (``DEC_MED21=ns DEC_Q121=ns``…). ``DEC_INCERT21`` and ``DEC_NOTE21`` are codes, stored as
    numbers (``so`` then NULL).
    """

    kind = DatasetImport.Kind.FILOSOFI_IRIS.value
    code_column = "IRIS"
    code_pattern = IRIS_CODE
    code_description = "code IRIS à 9 caractères attendu, par exemple 810040101"
    SIGNATURE = re.compile(r"^DEC_MED(\d\d)$")
    MARKERS = ("ns", "nd", "so")
    unit = "iris"
    extra_columns = (("commune", "VARCHAR"), ("markers", "VARCHAR"))

    def matches(self, header):
        return self.code_column in header and any(self.SIGNATURE.match(name) for name in header)

    def _suffix(self, header):
        return next((m.group(1) for name in header if (m := self.SIGNATURE.match(name))), None)

    def year_from(self, header, filename):
        suffix = self._suffix(header)
        return 2000 + int(suffix) if suffix else None

    def required_columns(self, header):
        return [self.code_column, f"DEC_MED{self._suffix(header) or 'yy'}"]

    def check_header(self, header, filename):
        super().check_header(header, filename)
        suffix = self._suffix(header)
        for name in self.value_columns(header):
            if not name.startswith("DEC_") or not name.endswith(suffix):
                raise _error(
                    filename, f"colonne « {name} » inattendue (DEC_…{suffix} attendu, FiLoSoFi IRIS).", 1
                )

    def parse(self, raw):
        if raw == "s":
            return None, True
        if raw in self.MARKERS:
            return None, False
        if not DECIMAL_COMMA.match(raw):
            raise ValueError(raw)
        return float(raw.replace(",", ".")), False

    def is_count(self, column):
        return False  # no count in this file: shares of income may be negative (DEC_PAUT21 = -0,1)

    def prepare(self, stream, *, year=None, progress=False):
        path, filename, header = stream.path, stream.filename, stream.header
        year = _vintage(filename, year, self.year_from(header, filename))
        columns = self.value_columns(header)
        indexes = [header.index(name) for name in columns]
        code_index = header.index(self.code_column)
        seen: dict[str, int] = {}
        parsed = []
        for line, fields in _progress(stream, progress):
            code = fields[code_index].strip()
            if not self.code_pattern.match(code):
                raise _error(
                    filename, f"code invalide « {code} » ({self.code_description}).", line, self.code_column
                )
            if code in seen:
                message = f"code {code} en double (déjà ligne {seen[code]})."
                raise _error(filename, message, line, self.code_column)
            seen[code] = line
            cells, markers = [], []
            for name, index in zip(columns, indexes, strict=True):
                raw = fields[index].strip()
                try:
                    cells.append(self.parse(raw))
                except ValueError:
                    raise _error(filename, f"valeur non numérique « {raw} ».", line, name) from None
                if raw in self.MARKERS:
                    markers.append(f"{name}={raw}")
            parsed.append((code, cells, " ".join(markers)))

        if not Commune.objects.filter(is_active=True).exists():
            raise _empty_referential(filename)
        communes = {code[:5] for code, _cells, _markers in parsed}
        plm = {code: plm_commune(code) for code in communes}
        mapping = resolve_commune_codes(code for code in communes if not plm[code])
        active = set(Commune.objects.filter(is_active=True).values_list("code", flat=True))
        records, unknown, mapped, matched = [], set(), set(), set()
        for code, cells, markers in sorted(parsed):
            source = code[:5]
            current = source if plm[source] else mapping.get(source)
            if not plm[source] and current not in active:
                unknown.add(source)
                continue
            if current != source:
                mapped.add(source)
            matched.add(current)
            record = [code, plm[source], code, 1, current, markers]
            for value, secret in cells:
                record += [value, secret]
            records.append(tuple(record))
        if not records:
            raise _error(filename, "aucun code ne correspond à une commune du référentiel territorial.")
        arrondissements = sum(1 for code in matched if plm_commune(code))
        return [
            PreparedDataset(
                kind=self.kind,
                year=year,
                source=path,
                value_columns=columns,
                records=records,
                rows_read=len(parsed),
                communes_matched=len(matched) - arrondissements,
                codes_mapped=len(mapped),
                arrondissements=arrondissements,
                unknown_codes=sorted(unknown),
                unit=self.unit,
                extra_columns=list(self.extra_columns),
            )
        ]


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

    # Census counts (P22_POP0014, C22_FAMMONO), equipment (BPE_2024_D307), establishments and voters. The
    # other columns of a dossier complet (incomes, shares of taxes, evolutions) may be negative.
    COUNTS = re.compile(r"^(?:[PC]\d\d_|BPE_\d{4}_|ENCI?TOT|ETCTOT|ELECTEURS)")

    def is_count(self, column):
        return bool(self.COUNTS.match(column))


class CafIris(DatasetFormat):
    kind = DatasetImport.Kind.CAF_IRIS.value
    code_column = "iris_code"
    code_pattern = IRIS_CODE
    code_description = "code IRIS à 9 caractères attendu, par exemple 810040101"
    skipped_columns = frozenset({"note"})
    YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
    published_parts = True

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


class CafCommunes(DatasetFormat):
    """data.caf.fr files « par commune » of the Cnaf's base communale allocataires (BCA), one theme per file,
    e.g. NivComTotal2014.csv: `Communes;Codes_Insee;NB_Pers_par_Foyer_Alloc;NB_Enfants…`.

    The first rows hold the allocataires living abroad (99999) and those whose commune is unknown (XXXXX):
    they are no territory and are left out (reported). A blank cell is « missing or secret » (values under 5
    are secret): it is never 0. Several theme files of the same year make one vintage: an import adds its
    columns to the vintage already in the store (a column imported again is replaced) — see
    `store.stage_merged` with ``keep_columns``.
    """

    kind = DatasetImport.Kind.CAF_COMMUNE.value
    code_column = "Codes_Insee"
    skipped_columns = frozenset({"Communes"})
    PLACEHOLDERS = frozenset({"99999", "XXXXX"})
    YEAR_IN_NAME = re.compile(r"((?:19|20)\d{2})\.csv$", re.IGNORECASE)

    def matches(self, header):
        return self.code_column in header

    def year_from(self, header, filename):
        match = self.YEAR_IN_NAME.search(filename)
        return int(match.group(1)) if match else None

    def is_placeholder(self, code: str) -> bool:
        return code.upper() in self.PLACEHOLDERS

    def parse(self, raw):
        if raw == "":
            return None, True  # missing or under the secret threshold: the file does not say which
        if DECIMAL_COMMA.match(raw):
            return float(raw.replace(",", ".")), False
        return _decimal_point(raw), False

    def additive(self, column):
        return True

    def prepare(self, stream, *, year=None, progress=False):
        prepared = _prepare_rows(self, stream, year, progress)
        prepared.keep_columns = True  # one file per theme: the store merges its columns with the others'
        return [prepared]


class Bpe(DatasetFormat):
    """Insee, base permanente des équipements: one row per equipment, counted per commune and type."""

    kind = DatasetImport.Kind.BPE.value
    code_column = "DEPCOM"
    type_column = "TYPEQU"
    year_column = "AN"
    TYPE_CODE = re.compile(r"^[A-Z]\d{3}$")
    YEAR_IN_NAME = re.compile(r"(?i)(?:^|[^a-z])bpe[_-]?(\d\d)(?!\d)")
    FULL_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)(?!\d)")

    def matches(self, header):
        return self.code_column in header and self.type_column in header

    def required_columns(self, header):
        return [self.code_column, self.type_column]

    def check_header(self, header, filename):
        # The other columns (address, coordinates, quality…) are not read: their names do not matter.
        for name in self.required_columns(header):
            if name not in header:
                raise _error(filename, f"colonne obligatoire « {name} » absente ({self.label}).", 1)
        for name in (*self.required_columns(header), self.year_column):
            if header.count(name) > 1:
                raise _error(filename, f"colonne « {name} » en double.", 1)

    def value_columns(self, header):
        return []  # one column per equipment type found in the rows

    def year_from(self, header, filename):
        stem = Path(filename).stem
        match = self.YEAR_IN_NAME.search(stem)
        if match:
            return 2000 + int(match.group(1))
        match = self.FULL_YEAR_IN_NAME.search(stem)
        return int(match.group(1)) if match else None

    def prepare(self, stream, *, year=None, progress=False):
        filename, header = stream.filename, stream.header
        code_index = header.index(self.code_column)
        type_column_index = header.index(self.type_column)
        year_index = header.index(self.year_column) if self.year_column in header else None
        # DEPCOM → rows per equipment type (by order of appearance); the rows themselves are not kept.
        counts: dict[str, list[int]] = {}
        type_index: dict[str, int] = {}
        first_year = None  # (text, year, line) of the first row
        rows_read = 0
        rows = _progress(stream, progress)
        for line, fields in rows:
            rows_read += 1
            code, equipment = fields[code_index], fields[type_column_index]
            numbers = counts.get(code)
            if numbers is None:
                if not COMMUNE_CODE.match(code):
                    message = f"code invalide « {code} » ({self.code_description})."
                    raise _error(filename, message, line, self.code_column)
                numbers = counts[code] = []
            index = type_index.get(equipment)
            if index is None:
                if not self.TYPE_CODE.match(equipment):
                    raise _error(
                        filename,
                        f"type d'équipement invalide « {equipment} » (une lettre et trois chiffres attendus, "
                        "par exemple D502).",
                        line,
                        self.type_column,
                    )
                index = type_index[equipment] = len(type_index)
            if year_index is not None:
                text = fields[year_index]
                if first_year is None:
                    first_year = (text, _year_value(text, filename, line, self.year_column), line)
                elif text != first_year[0]:
                    found = _year_value(text, filename, line, self.year_column)
                    if found != first_year[1]:
                        raise _error(
                            filename,
                            f"année {found} différente de celle des lignes précédentes "
                            f"({first_year[1]}, ligne {first_year[2]}).",
                            line,
                            self.year_column,
                        )
            if index >= len(numbers):
                numbers.extend([0] * (index + 1 - len(numbers)))
            numbers[index] += 1

        found_year = first_year[1] if first_year else self.year_from(header, filename)
        year = _vintage(filename, year, found_year)
        types = sorted(type_index)
        order = [type_index[equipment] for equipment in types]
        cells: dict[
            int, tuple
        ] = {}  # one (value, secret) tuple per distinct count: few, for millions of cells
        parsed = []
        for code, numbers in counts.items():
            numbers += [0] * (len(type_index) - len(numbers))
            row = []
            for index in order:
                number = numbers[index]
                cell = cells.get(number)
                if cell is None:
                    cell = cells[number] = (float(number), False)
                row.append(cell)
            parsed.append((code, row))
        del counts
        mapped = _map_to_communes(filename, parsed, [True] * len(types))
        return [
            PreparedDataset(
                kind=self.kind,
                year=year,
                source=stream.path,
                value_columns=types,
                rows_read=rows_read,
                **mapped,
            )
        ]


class CafTauxCouverture(DatasetFormat):
    """Cnaf, « accueil du jeune enfant – taux de couverture » (data.caf.fr, Opendatasoft CSV exports).

    One file per scale (communes, EPCI, départements), one row per territory and year, possibly several years:
    each year is a vintage of its own. Rates (``txcouv_*``) do not add up; counts (``pl_*``, ``nb_*``,
    ``tot_*``) do. Rows whose key is a run of X (``XXXXX``) are placeholders of the publisher: skipped and
    reported.
    """

    # Rates, then counts of places or children; ``tot_offre_*`` (all places) is a count too.
    VALUE_PREFIXES = ("txcouv_", "pl_", "nb_", "tot_")
    NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?$")
    PLACEHOLDER = re.compile(r"^[Xx]+$")
    YEAR = re.compile(r"^(\d{4})(?:-\d\d(?:-\d\d)?(?:[ T].*)?)?$")
    year_column = "annee"

    # The French labels of the data.caf.fr export « avec les libellés » (lower case, spaces collapsed) → the
    # API field name, without the scale's suffix; ``{unit}`` is « département », « commune » or « epci ».
    LABELS = {
        "date référence": "annee",
        "numéro {unit}": "num{scale}",
        "nom {unit}": "nom{scale}",
        "numéro région": "numregi",
        "nom région": "nomregi",
        "taux de couv eaje psu": "txcouv_psu_col_{scale}",
        "taux de couv hors eaje psu": "txcouv_hors_psu_col_{scale}",
        "taux de couv eaje - ensemble": "txcouv_eaje_{scale}",
        "taux de couv préscolarisation": "txcouv_prescol_{scale}",
        "taux de couv assistante maternelle": "txcouv_am_ind_{scale}",
        "taux de couv salariée à domicile": "txcouv_gad_ind_{scale}",
        "taux de couv accueil individuel - ensemble": "txcouv_ind_{scale}",
        "taux de couv global": "txcouv_{scale}",
    }
    UNIT_LABELS = {"commune": "commune", "epci": "epci", "departement": "département"}

    def __init__(self, kind, scale, code_column, code_pattern, code_description, unit):
        self.kind = kind
        self.scale = scale
        self.code_column = code_column
        self.code_pattern = code_pattern
        self.code_description = code_description
        self.unit = unit  # "commune", "epci" or "departement"
        self.rate_column = f"txcouv_{scale}"
        self.labels = {
            label.format(unit=self.UNIT_LABELS[unit]): name.format(scale=scale)
            for label, name in self.LABELS.items()
        }
        self.code_label = f"numéro {self.UNIT_LABELS[unit]}"

    def api_names(self, header: list[str]) -> list[str]:
        """The header with the French labels (« Taux de couv global ») replaced by the API field names
        (``txcouv_dep``) when it is this scale's (« Numéro Département »); else the names in lower case."""
        labels = [" ".join(name.lower().split()) for name in header]
        if self.code_label not in labels:
            return [name.lower() for name in header]
        return [self.labels.get(label, name.lower()) for name, label in zip(header, labels, strict=True)]

    def matches(self, header):
        names = self.api_names(header)
        return self.year_column in names and any(
            name.startswith("txcouv_") and name.endswith(f"_{self.scale}") for name in names
        )

    def required_columns(self, header):
        return [self.year_column, self.code_column, self.rate_column]

    def value_columns(self, header):
        return [name for name in header if name.startswith(self.VALUE_PREFIXES)]

    def check_header(self, header, filename):
        seen = set()
        for name, api_name in zip(header, self.api_names(header), strict=True):
            if api_name in seen:
                raise _error(filename, f"colonne « {name} » en double.", 1)
            seen.add(api_name)
        header = self.api_names(header)
        for name in self.required_columns(header):
            if name not in header:
                raise _error(filename, f"colonne obligatoire « {name} » absente ({self.label}).", 1)
        for name in self.value_columns(header):
            if not COLUMN_NAME.match(name):
                raise _error(filename, f"nom de colonne invalide « {name} ».", 1)
            if name.endswith(store.SECRET_SUFFIX):
                raise _error(filename, f"nom de colonne réservé « {name} ».", 1)

    def year_from(self, header, filename):
        return None  # in the rows

    def additive(self, column):
        return not column.startswith("txcouv_")

    def parse(self, raw):
        if raw == "":
            return None, False
        if not self.NUMBER.match(raw):
            raise ValueError(raw)
        return float(raw.replace(",", ".")), False

    def prepare(self, stream, *, year=None, progress=False):
        filename = stream.filename
        header = self.api_names(stream.header)
        # A message names the column as the file does (« Numéro Département » in a file of labels).
        shown = dict(zip(header, stream.header, strict=True))
        columns = self.value_columns(header)
        indexes = [header.index(name) for name in columns]
        code_index = header.index(self.code_column)
        year_index = header.index(self.year_column)

        by_year: dict[int, list[tuple[str, list[tuple]]]] = defaultdict(list)
        rows_read: Counter = Counter()
        placeholders: dict[int, set[str]] = defaultdict(set)
        placeholder_rows: Counter = Counter()
        seen: dict[tuple[int, str], int] = {}
        rows = _progress(stream, progress)
        for line, fields in rows:
            row_year = _year_value(fields[year_index].strip(), filename, line, shown[self.year_column])
            rows_read[row_year] += 1
            code = fields[code_index].strip()
            cells = []
            for name, index in zip(columns, indexes, strict=True):
                raw = fields[index].strip()
                try:
                    cells.append(self.parse(raw))
                except ValueError:
                    raise _error(filename, f"valeur non numérique « {raw} ».", line, shown[name]) from None
                if cells[-1][0] is not None and cells[-1][0] < 0 and self.is_count(name):
                    # Places, children, the whole offer are counts: never negative (rates are not counts).
                    raise _error(filename, f"effectif négatif « {raw} ».", line, shown[name])
            if self.PLACEHOLDER.match(code):
                placeholders[row_year].add(code)
                placeholder_rows[row_year] += 1
                continue
            if not self.code_pattern.match(code):
                message = f"code invalide « {code} » ({self.code_description})."
                raise _error(filename, message, line, shown[self.code_column])
            if (row_year, code) in seen:
                raise _error(
                    filename,
                    f"code {code} en double pour l'année {row_year} (déjà ligne {seen[row_year, code]}).",
                    line,
                    shown[self.code_column],
                )
            seen[row_year, code] = line
            by_year[row_year].append((code, cells))

        years = sorted(rows_read)
        if year is not None:
            if year not in rows_read:
                found = ", ".join(str(y) for y in years)
                raise _error(filename, f"millésime {year} demandé, absent du fichier (millésimes : {found}).")
            years = [year]
        for found in years:
            _vintage(filename, None, found)
        publication = max(rows_read)  # a file is as recent as its last year
        revised = [found for found in years if self._revised_in_store(found, publication)]
        if revised and len(revised) == len(years):
            listed = ", ".join(map(str, revised))
            raise _error(
                filename,
                f"millésimes {listed} déjà importés d'une publication plus récente de la Cnaf, qui "
                "l'emporte : rien à importer.",
            )
        years = [found for found in years if found not in revised]
        if any(not by_year[found] for found in years):
            empty = next(found for found in years if not by_year[found])
            raise _error(filename, f"aucune ligne avec un code pour l'année {empty}.")

        additive = [self.additive(name) for name in columns]
        prepared = []
        for found in years:
            if self.unit == "commune":
                mapped = _map_to_communes(filename, by_year[found], additive)
            else:
                mapped = self._map_to_territories(filename, by_year[found])
            mapped["unknown_codes"] = sorted(set(mapped["unknown_codes"]) | placeholders[found])
            prepared.append(
                PreparedDataset(
                    kind=self.kind,
                    year=found,
                    source=stream.path,
                    value_columns=columns,
                    rows_read=rows_read[found],
                    placeholders=placeholder_rows[found],
                    unit=self.unit,
                    publication=publication,
                    revised_years=revised,
                    **mapped,
                )
            )
        return prepared

    def _revised_in_store(self, year: int, publication: int) -> bool:
        """Whether the vintage `year` in the store comes from a later publication (a file whose last year is
        after `publication`): the Cnaf revises recent years, the later publication wins."""
        record = (
            DatasetImport.objects.filter(kind=self.kind, year=year, undone_at__isnull=True)
            .order_by("-pk")
            .first()
        )
        if record is None:
            return False
        stored = DatasetImport.objects.filter(
            kind=self.kind, batch=record.batch, source_sha256=record.source_sha256
        ).aggregate(last=Max("year"))["last"]
        return stored is not None and stored > publication

    def _map_to_territories(self, filename, parsed):
        """EPCI or départements: the code is kept as published when the territory is in the référentiel."""
        if self.unit == "epci":
            known = set(Epci.objects.filter(is_active=True).values_list("siren", flat=True))
            label = "EPCI"
        else:
            known = set(Departement.objects.filter(is_active=True).values_list("code", flat=True))
            label = "département"
        if not known:
            raise _empty_referential(filename)
        records, unknown = [], set()
        for code, cells in sorted(parsed):
            if code not in known:
                unknown.add(code)
                continue
            record = [code, None, code, 1]
            for value, secret in cells:
                record += [value, secret]
            records.append(tuple(record))
        if not records:
            raise _error(filename, f"aucun code ne correspond à un {label} du référentiel territorial.")
        return {
            "records": records,
            "communes_matched": len(records),
            "codes_mapped": 0,
            "arrondissements": 0,
            "unknown_codes": sorted(unknown),
        }


def _progress(stream: CsvStream, progress: bool):
    hidden = not progress
    return tqdm(
        stream.rows(), desc=stream.filename, unit=" lignes", file=sys.stderr, disable=hidden, leave=False
    )


def _empty_referential(filename: str) -> DatasetError:
    return DatasetError(
        f"{filename} : le référentiel territorial est vide, chargez-le d'abord (ctg load_territories)."
    )


def _year_value(text: str, filename: str, line: int, column: str) -> int:
    """The year of a cell: 2023, or the first four digits of a date (2023-01-01)."""
    match = CafTauxCouverture.YEAR.match(text.strip())
    if not match:
        raise _error(filename, f"année invalide « {text} » (par exemple 2023 attendu).", line, column)
    year = int(match.group(1))
    if not 1990 <= year <= 2100:
        raise _error(filename, f"année hors limites « {text} » (entre 1990 et 2100).", line, column)
    return year


def _vintage(filename: str, asked: int | None, found: int | None) -> int:
    """The vintage to import: the one the file gives, or the one asked when the file does not say."""
    if asked is not None and found is not None and asked != found:
        raise _error(filename, f"millésime {asked} demandé, mais le fichier est de {found}.")
    year = asked or found
    if year is None:
        raise _error(filename, "millésime introuvable dans le nom du fichier : précisez --year.")
    if not 1990 <= year <= 2100:
        raise _error(filename, f"millésime invalide : {year}.")
    return year


CAF_TXCOUV = [
    CafTauxCouverture(
        DatasetImport.Kind.CAF_TXCOUV_COM.value,
        "com",
        "numcom",
        COMMUNE_CODE,
        DatasetFormat.code_description,
        "commune",
    ),
    CafTauxCouverture(
        DatasetImport.Kind.CAF_TXCOUV_EPCI.value,
        "epci",
        "numepci",
        re.compile(r"^\d{9}$"),
        "SIREN d'EPCI à 9 chiffres attendu, par exemple 248100737",
        "epci",
    ),
    CafTauxCouverture(
        DatasetImport.Kind.CAF_TXCOUV_DEP.value,
        "dep",
        "numdep",
        re.compile(r"^(?:\d\d|2[AB]|9[78]\d)$"),
        "code de département attendu, par exemple 81, 2A ou 974",
        "departement",
    ),
]

# The most specific signatures first: a BPE or Cnaf header never looks like the older formats, but the
# reverse is not guaranteed.
FORMATS: dict[str, DatasetFormat] = {
    fmt.kind: fmt
    for fmt in (
        Bpe(),
        *CAF_TXCOUV,
        FilosofiIris(),
        FilosofiCommunes(),
        RecensementDossierComplet(),
        CafIris(),
        CafCommunes(),
    )
}


def keep_latest_publications(prepared: list["PreparedDataset"]) -> tuple[list["PreparedDataset"], list[str]]:
    """Several files of one batch giving the same vintage: the Cnaf republishes recent years, so of two files
    of coverage rates the later publication (the one whose last year is later) wins; its revised year is
    taken from it. Returns the vintages kept, in order, and a French note for each one left out. Two files of
    the same vintage otherwise (or of the same publication) are refused."""
    chosen: dict[tuple[str, int], PreparedDataset] = {}
    notes = []
    for dataset in prepared:
        key = (dataset.kind, dataset.year)
        other = chosen.get(key)
        if other is None:
            chosen[key] = dataset
            continue
        if dataset.publication is None or other.publication in (None, dataset.publication):
            raise DatasetError(
                f"{dataset.source.name} et {other.source.name} sont le même jeu de données "
                f"({dataset.label}, {dataset.year})."
            )
        newer, older = (dataset, other) if dataset.publication > other.publication else (other, dataset)
        chosen[key] = newer
        notes.append(
            f"{older.source.name} : année {dataset.year} non importée, révisée par la publication plus "
            f"récente {newer.source.name}."
        )
    kept = [dataset for dataset in prepared if chosen[(dataset.kind, dataset.year)] is dataset]
    return kept, notes


def detect_format(header: list[str], filename: str) -> DatasetFormat:
    for fmt in FORMATS.values():
        if fmt.matches(header):
            return fmt
    known = ", ".join(FORMATS)
    raise _error(filename, f"format non reconnu d'après l'en-tête (formats connus : {known}).", 1)


# --- Import -----------------------------------------------------------------------------------------------


@dataclass
class PreparedDataset:
    """A file, or one year of it, read, checked and mapped to the current territories, ready for `save`."""

    kind: str
    year: int
    source: Path
    value_columns: list[str]
    records: list[tuple]  # in the order of `schema`
    rows_read: int
    communes_matched: int  # territories matched: communes, or EPCI or départements (see `unit`)
    codes_mapped: int
    arrondissements: int
    unknown_codes: list[str] = field(default_factory=list)
    placeholders: int = 0  # rows without a territory (key XXXXX), skipped
    unit: str = "commune"  # "commune", "epci", "departement" or "iris": what a row of the store is
    # Files of several years (Cnaf): the file's last year, which dates the publication; the years of the file
    # left out because the store holds them from a later publication.
    publication: int | None = None
    revised_years: list[int] = field(default_factory=list)
    # Columns stored between the key columns and the values (FiLoSoFi IRIS: the current commune, markers).
    extra_columns: list[tuple[str, str]] = field(default_factory=list)
    # A file that carries some columns of a vintage (one theme of the Cnaf « données communales »): a row it
    # covers keeps its stored columns that the file lacks.
    keep_columns: bool = False
    # Value columns summed from several source rows (IRIS) that carry, after all the values, the published
    # part of a secret commune: ``<column>_published`` and ``<column>_secret_rows`` (see `store`).
    part_columns: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return DatasetImport.Kind(self.kind).label

    @property
    def schema(self) -> list[tuple[str, str]]:
        schema = list(store.KEY_COLUMNS) + list(self.extra_columns)
        for name in self.value_columns:
            schema += [(name, "DOUBLE"), (name + store.SECRET_SUFFIX, "BOOLEAN")]
        for name in self.part_columns:
            schema += [(name + suffix, column_type) for suffix, column_type in store.PART_COLUMNS]
        return schema

    def save(self, *, imported_by=None, is_fictitious: bool = False) -> DatasetImport:
        """Write the vintage in place of the previous one and record the import, both or neither."""
        return save_datasets([self], imported_by=imported_by, is_fictitious=is_fictitious)[0]


def disk_error_message(error: Exception, folder: Path | None = None) -> str:
    """A failure to write to the disk (full disk, rights), in French."""
    folder = folder or store.store_root()
    text = str(error)
    number = getattr(error, "errno", None)
    if number in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)) or "No space left" in text:
        reason = f"espace disque insuffisant pour écrire les statistiques dans {folder}"
    elif (
        isinstance(error, PermissionError)
        or number in (errno.EACCES, errno.EPERM, errno.EROFS)
        or "Permission denied" in text
    ):
        reason = f"droits insuffisants pour écrire dans {folder}"
    else:
        reason = f"écriture impossible dans {folder} ({error.__class__.__name__})"
    return f"{reason}. Rien n'a été modifié ; libérez de la place ou corrigez les droits, puis recommencez."


def _write_error(prepared: list[PreparedDataset], error: Exception) -> DatasetError:
    """A failure to write the store (full disk, permissions), in French: nothing was changed."""
    name = prepared[0].source.name if prepared else "import"
    return DatasetError(f"{name} : {disk_error_message(error)}")


# How `save_datasets` learns the importer's scope when the caller does not give it: from `imported_by` (a
# person: their scope; nobody: the platform operator, i.e. code or a command run on the server, all France).
FROM_IMPORTER = object()
CODES_KEPT = 2000  # the journal lists the codes written up to this many (a département's); else their count
PLATFORM_OPERATOR = "Opérateur de la plateforme (ligne de commande)"


def _importer_label(user, scope) -> str:
    if user is None:
        return PLATFORM_OPERATOR if scope is None else "Ligne de commande"
    if scope is None:
        return "Gestionnaire des données"
    return f"Conseiller·ère CAF ({', '.join(sorted(scope))})"


# --- What an import covers, and what it changes ------------------------------------------------------------

# A file whose territories lie in this share of the départements of the référentiel (metropolitan France and
# the DROM) is France-wide: it replaces the whole vintage. A département of which a file holds this share of
# the current communes is covered whole: its stored rows absent from the file are removed (see
# `ctg.diagnostics.store`).
FRANCE_WIDE_SHARE = 0.9
WHOLE_DEPARTEMENT_SHARE = 0.9
OVERSEAS_COLLECTIVITIES = frozenset({"975", "977", "978"})  # and 984 to 989
EXAMPLES_SHOWN = 5


@dataclass
class MergePlan:
    """Which stored rows of a vintage an import replaces (see `plan_merge`)."""

    france_wide: bool
    whole_departements: list[str]  # départements replaced whole (their rows absent from the file removed)
    cleared: list[str]  # the stored codes the file covers: replaced by its rows, or removed
    added: list[str]  # codes of the file not in the store
    replaced: list[str]  # codes of the file already in the store
    removed: list[str]  # stored codes covered by the file but absent from it
    file_departements: list[str]
    departements_of: dict  # code (of the file or of the store) → its départements
    legacy_id: int | None = None  # the import that wrote a stored file older than the provenance column

    @property
    def coverage(self) -> str:
        return DatasetImport.Coverage.FRANCE if self.france_wide else DatasetImport.Coverage.TERRITORIES

    def summary(self) -> dict:
        return {
            "added": len(self.added),
            "replaced": len(self.replaced),
            "removed": len(self.removed),
            "whole_departements": self.whole_departements,
        }


class _Geography:
    """The départements of communes, EPCI and IRIS, read once from the référentiel."""

    def __init__(self):
        self.commune_dep: dict[str, str] = {}
        self.epci_deps: dict[str, set[str]] = defaultdict(set)
        self.active_by_dep: dict[str, set[str]] = defaultdict(set)
        for code, dep, epci, active in Commune.objects.values_list(
            "code", "departement_id", "epci_id", "is_active"
        ):
            self.commune_dep[code] = dep
            if active:
                self.active_by_dep[dep].add(code)
                if epci:
                    self.epci_deps[epci].add(dep)
        # The départements of the national statistics: metropolitan France and the five DROM, not the overseas
        # collectivities of the COG (975 Saint-Pierre-et-Miquelon, 977, 978, 984 to 989), which Insee and the
        # Cnaf do not cover (a national FiLoSoFi file covers 98 of these 101).
        self.departements = {
            dep
            for dep in self.active_by_dep
            if dep not in OVERSEAS_COLLECTIVITIES and not dep.startswith("98")
        }

    def commune_of(self, code: str, plm: str | None) -> str:
        return plm or code

    def of(self, code: str, plm: str | None, commune: str | None, unit: str) -> set[str]:
        if unit == "departement":
            return {code}
        if unit == "epci":
            return set(self.epci_deps.get(code, ()))
        if unit == "iris":
            code = commune or code[:5]
        if plm or plm_commune(code):
            return {(plm or plm_commune(code))[:2]}
        dep = self.commune_dep.get(code)
        return {dep} if dep else set()


def plan_merge(dataset: "PreparedDataset", geography: _Geography | None = None) -> MergePlan:
    """What the import of `dataset` covers in its vintage of the store: a France-wide file all of it; else its
    codes, the IRIS of its communes (datasets per IRIS) and the rows of the départements it covers whole
    (datasets per commune). The rules, and why, are in `ctg.diagnostics.store`'s docstring."""
    geography = geography or _Geography()
    unit = dataset.unit
    commune_index = None
    if unit == "iris":
        commune_index = len(store.KEY_COLUMNS) + [n for n, _t in dataset.extra_columns].index("commune")
    deps: dict[str, set[str]] = {}
    new_codes, new_communes = set(), set()
    covered_by_dep: dict[str, set[str]] = defaultdict(set)
    for record in dataset.records:
        code, plm = record[0], record[1]
        commune = record[commune_index] if commune_index is not None else None
        deps[code] = geography.of(code, plm, commune, unit)
        new_codes.add(code)
        if unit == "iris":
            new_communes.add(commune)
        elif unit == "commune":
            for dep in deps[code]:
                covered_by_dep[dep].add(geography.commune_of(code, plm))
    file_departements = sorted({dep for found in deps.values() for dep in found})
    known = geography.departements
    france_wide = bool(known) and len(known & set(file_departements)) >= FRANCE_WIDE_SHARE * len(known)
    whole = []
    if unit == "commune" and not france_wide:
        for dep, communes in covered_by_dep.items():
            active = geography.active_by_dep.get(dep, set())
            if active and len(communes & active) >= WHOLE_DEPARTEMENT_SHARE * len(active):
                whole.append(dep)
    whole_set = set(whole)
    stored = store.stored_keys(dataset.kind, dataset.year)
    cleared = []
    stored_codes = set()
    for code, plm, commune in stored:
        stored_codes.add(code)
        found = deps.get(code)
        if found is None:
            found = deps[code] = geography.of(code, plm, commune, unit)
        if (
            france_wide
            or code in new_codes
            or (unit == "iris" and commune in new_communes)
            or (unit == "commune" and found & whole_set)
        ):
            cleared.append(code)
    legacy_id = None
    if stored and not _has_provenance(dataset.kind, dataset.year):
        legacy_id = reader.legacy_import_id(dataset.kind, dataset.year)
    return MergePlan(
        france_wide=france_wide,
        whole_departements=sorted(whole),
        cleared=sorted(cleared),
        added=sorted(new_codes - stored_codes),
        replaced=sorted(new_codes & stored_codes),
        removed=sorted(set(cleared) - new_codes),
        file_departements=file_departements,
        departements_of=deps,
        legacy_id=legacy_id,
    )


def _has_provenance(kind: str, year: int) -> bool:
    return store.PROVENANCE_COLUMN in reader.dataset_columns(kind, year)


def _check_replaced_scope(dataset: "PreparedDataset", plan: MergePlan, scope) -> None:
    """Refuses (DatasetError) an import that would replace or remove stored figures outside `scope`."""
    if scope is None:
        return
    others = sorted(
        {dep for code in plan.cleared for dep in plan.departements_of.get(code, set()) if dep not in scope}
    )
    if others:
        shown = ", ".join(others[:5]) + ("…" if len(others) > 5 else "")
        plural = "s" if len(others) > 1 else ""
        raise DatasetError(
            f"{dataset.source.name} : l'import remplacerait dans le millésime {dataset.year} "
            f"({dataset.label}) les chiffres de {len(others)} autre{plural} département{plural} ({shown}). "
            "Seul·e un·e gestionnaire des données de la plateforme peut les remplacer."
        )


@dataclass
class ImportPreview:
    """What importing one vintage would change in the store, computed without writing anything."""

    dataset: "PreparedDataset"
    plan: MergePlan
    home: list[str]  # the importer's départements (their scope, else their organisation's)
    changed: int  # values that move (a value or its secrecy), in the territories replaced
    changed_columns: int
    examples: list[dict]  # {code, name, column, old, new}
    outside: int  # territories added, replaced or removed outside `home` (0 when `home` is empty)
    by_departement: list[tuple[str, int]]  # départements of the territories added, replaced or removed

    @property
    def touched(self) -> int:
        return len(self.plan.added) + len(self.plan.replaced) + len(self.plan.removed)


def _home_departements(user, scope) -> list[str]:
    if scope:
        return sorted(scope)
    organisation = getattr(user, "organisation", None) if user is not None else None
    departement = getattr(organisation, "departement_id", None)
    return [departement] if departement else []


def preview_datasets(
    prepared: list["PreparedDataset"], *, imported_by=None, scope=FROM_IMPORTER
) -> list[ImportPreview]:
    """What `save_datasets` would change, vintage by vintage: territories added, replaced (and how many
    outside the importer's départements), removed, and the values that move with a few examples. Nothing is
    written: neither the store nor the journal. Refuses (DatasetError) what `save_datasets` would refuse for
    the scope of the importer."""
    import tempfile

    from ctg.diagnostics.scope import check_scope, import_scope

    if scope is FROM_IMPORTER:
        scope = None if imported_by is None else import_scope(imported_by)
    check_scope(prepared, scope)
    home = _home_departements(imported_by, scope)
    geography = _Geography()
    previews = []
    with tempfile.TemporaryDirectory(prefix="ctg-preview-") as scratch:
        for index, dataset in enumerate(prepared):
            plan = plan_merge(dataset, geography)
            _check_replaced_scope(dataset, plan, scope)
            incoming = Path(scratch) / f"{index}.parquet"
            store.write_parquet(incoming, dataset.schema, dataset.records)
            found = store.compare(
                dataset.kind,
                dataset.year,
                incoming,
                cleared=plan.cleared,
                keep_columns=dataset.keep_columns,
                examples=EXAMPLES_SHOWN,
            )
            touched = [*plan.added, *plan.replaced, *plan.removed]
            counter: Counter = Counter()
            outside = 0
            for code in touched:
                found_deps = plan.departements_of.get(code, set())
                counter.update(found_deps)
                if home and (not found_deps or found_deps - set(home)):
                    outside += 1
            names = _territory_names(dataset.unit, [code for code, *_rest in found["examples"]])
            examples = [
                {
                    "code": code,
                    "name": names.get(code, ""),
                    "column": column,
                    "old": old,
                    "new": new,
                    "old_text": _value_text(old),
                    "new_text": _value_text(new),
                }
                for code, column, old, new in found["examples"]
            ]
            previews.append(
                ImportPreview(
                    dataset=dataset,
                    plan=plan,
                    home=home,
                    changed=found["changed"],
                    changed_columns=found["columns"],
                    examples=examples,
                    outside=outside,
                    by_departement=sorted(counter.items()),
                )
            )
    return previews


def _value_text(value) -> str:
    """A value of the store in French: 21 650, 12,5, « secret », « non disponible »."""
    if value is None:
        return "non disponible"
    if isinstance(value, str):
        return value
    if float(value).is_integer():
        return format_number(value)
    return format_number(value, 2).rstrip("0").rstrip(",")


def _territory_names(unit: str, codes: list[str]) -> dict[str, str]:
    if unit == "epci":
        return dict(Epci.objects.filter(siren__in=codes).values_list("siren", "name"))
    if unit == "departement":
        return dict(Departement.objects.filter(code__in=codes).values_list("code", "name"))
    communes = {code[:5] if unit == "iris" else code: code for code in codes}
    found = dict(Commune.objects.filter(code__in=communes).values_list("code", "name"))
    return {code: found.get(code[:5] if unit == "iris" else code, "") for code in codes}


def save_datasets(
    prepared: list[PreparedDataset], *, imported_by=None, is_fictitious: bool = False, scope=FROM_IMPORTER
) -> list[DatasetImport]:
    """Merge several vintages into the store and record their imports: every file is staged before any is
    put in place.

    Each file adds or replaces only the territories it covers (`plan_merge`); a France-wide file replaces the
    whole vintage. The read-merge-write runs under the lock of each vintage (`store.vintage_lock`), so that
    two imports of the same vintage at once are applied one after the other. `scope`: the départements whose
    figures the importer may replace (None: all France; by default the scope of `imported_by`, see
    `ctg.diagnostics.scope`). An import that would write or replace figures outside it is refused before
    anything is written. Each vintage replaced is kept under ``stats/_previous/<id>/`` for `undo_import`; the
    journal (`DatasetImport`) records who, when, the file and its SHA-256, the territories and départements
    written, what the merge added, replaced and removed; every row written carries the import's id.
    """
    from ctg.diagnostics.scope import check_scope, departements_of_records, import_scope

    if scope is FROM_IMPORTER:
        scope = None if imported_by is None else import_scope(imported_by)
    check_scope(prepared, scope)
    label = _importer_label(imported_by, scope)
    digests: dict[Path, str] = {}
    for dataset in prepared:
        if dataset.source not in digests:
            digests[dataset.source] = store.sha256_file(dataset.source)
    batch = uuid.uuid4()
    incoming, staged, records = [], [], []
    try:
        try:
            for dataset in prepared:
                incoming.append(
                    store.stage_dataset(dataset.kind, dataset.year, dataset.schema, dataset.records)
                )
        except (OSError, duckdb.Error) as error:
            raise _write_error(prepared, error) from None
        with store.vintage_lock((dataset.kind, dataset.year) for dataset in prepared):
            geography = _Geography()
            plans = [plan_merge(dataset, geography) for dataset in prepared]
            for dataset, plan in zip(prepared, plans, strict=True):
                _check_replaced_scope(dataset, plan, scope)
            with transaction.atomic():
                for dataset, plan in zip(prepared, plans, strict=True):
                    codes = [record[0] for record in dataset.records]
                    records.append(
                        DatasetImport.objects.create(
                            kind=dataset.kind,
                            year=dataset.year,
                            source_name=dataset.source.name[:255],
                            path=store.relative_path(store.dataset_path(dataset.kind, dataset.year)),
                            rows_read=dataset.rows_read,
                            communes_matched=dataset.communes_matched,
                            codes_mapped=dataset.codes_mapped,
                            arrondissements=dataset.arrondissements,
                            unknown_codes=dataset.unknown_codes,
                            imported_by=imported_by,
                            imported_as=label,
                            is_fictitious=is_fictitious,
                            batch=batch,
                            source_sha256=digests[dataset.source],
                            territories_count=len(codes),
                            codes=codes if len(codes) <= CODES_KEPT else [],
                            departements=departements_of_records(dataset),
                            coverage=plan.coverage,
                            changes=plan.summary(),
                        )
                    )
                try:
                    for record, dataset, plan, new_rows in zip(
                        records, prepared, plans, incoming, strict=True
                    ):
                        merged = store.stage_merged(
                            dataset.kind,
                            dataset.year,
                            new_rows.temp_path,
                            cleared=plan.cleared,
                            keep_columns=dataset.keep_columns,
                            import_id=record.pk,
                            legacy_id=plan.legacy_id,
                        )
                        staged.append(merged)
                        record.stored_sha256 = merged.sha256()
                        record.previous_sha256, record.previous_path = store.keep_previous(
                            record.kind, record.year, record.pk
                        )
                        record.save(update_fields=["stored_sha256", "previous_sha256", "previous_path"])
                    # Last step of the transaction: if a rename fails, the files already renamed are put back
                    # and the records are rolled back.
                    store.commit_all(staged)
                except (OSError, duckdb.Error) as error:
                    raise _write_error(prepared, error) from None
    except BaseException:
        for record in records:
            store.discard_previous(record.pk)
        raise
    finally:
        for staged_file in (*incoming, *staged):
            staged_file.discard()
    dataset_imported.send(sender=DatasetImport, records=records)
    return records


def _batch_of(record: DatasetImport) -> list[DatasetImport]:
    return list(DatasetImport.objects.filter(batch=record.batch).order_by("kind", "year"))


def undo_blockers(record: DatasetImport) -> list[str]:
    """Why the import of `record` (with the other vintages of its file) cannot be undone, in French; empty
    when it can."""
    reasons = []
    for item in _batch_of(record):
        vintage = f"{item.get_kind_display()} {item.year}"
        if item.undone_at:
            reasons.append(f"Import déjà annulé le {item.undone_at:%d/%m/%Y à %H:%M} ({item.undone_who}).")
            break
        if not item.stored_sha256:
            reasons.append(
                f"{vintage} : import antérieur au journal des imports, sa version précédente n'a pas "
                "été gardée."
            )
            continue
        later = (
            DatasetImport.objects.filter(kind=item.kind, year=item.year, pk__gt=item.pk)
            .filter(undone_at__isnull=True)
            .exclude(batch=item.batch)
            .order_by("-pk")
            .first()
        )
        if later:
            reasons.append(
                f"{vintage} : le millésime a été remplacé depuis par l'import n° {later.pk} du "
                f"{later.imported_at:%d/%m/%Y à %H:%M} ({later.source_name}) : annulez d'abord celui-ci."
            )
            continue
        path = store.dataset_path(item.kind, item.year)
        if not path.is_file() or store.sha256_file(path) != item.stored_sha256:
            reasons.append(f"{vintage} : le fichier du magasin n'est plus celui que cet import a écrit.")
            continue
        if item.previous_sha256:
            try:
                previous = store.data_path(item.previous_path)
            except ValueError:
                previous = None
            intact = previous is not None and previous.is_file()
            if not intact or store.sha256_file(previous) != item.previous_sha256:
                reasons.append(f"{vintage} : la copie du millésime remplacé est introuvable ou altérée.")
    return reasons


def undo_import(record: DatasetImport, *, undone_by=None, scope=FROM_IMPORTER) -> list[DatasetImport]:
    """Put the store back as it was before the import of `record` and the other vintages of its file: each
    vintage replaced gets its previous file again (byte for byte), each vintage created is removed.

    Refused (DatasetError, nothing changed) when a later import replaced one of these vintages (undo it
    first), when the store no longer holds what the import wrote, or outside the scope of `undone_by` (by
    default: theirs; nobody: the platform operator). Records who undid and when; the engine's caches are
    cleared and `dataset_imported` is sent (with ``undone=True``) as after an import.
    """
    from ctg.diagnostics import engine
    from ctg.diagnostics.scope import check_undo_scope, statistics_scope
    from ctg.organisations.permissions import PlatformOp

    if scope is FROM_IMPORTER:
        scope = None if undone_by is None else statistics_scope(undone_by, PlatformOp.UNDO_IMPORT)
    batch = _batch_of(record)
    check_undo_scope(batch, scope)
    staged = []
    try:
        with store.vintage_lock((item.kind, item.year) for item in batch), transaction.atomic():
            reasons = undo_blockers(record)
            if reasons:
                raise DatasetError(f"Annulation refusée, rien n'a été modifié. {' '.join(reasons)}")
            try:
                for item in batch:
                    previous = store.data_path(item.previous_path) if item.previous_sha256 else None
                    staged.append(store.stage_restore(item.kind, item.year, previous))
                now = timezone.now()
                label = _importer_label(undone_by, scope)
                for item in batch:
                    item.undone_at, item.undone_by, item.undone_as = now, undone_by, label
                    item.save(update_fields=["undone_at", "undone_by", "undone_as"])
                store.commit_all(staged)
            except (OSError, duckdb.Error) as error:
                raise DatasetError(f"Annulation impossible : {disk_error_message(error)}") from None
    finally:
        for staged_file in staged:
            staged_file.discard()
    for item in batch:
        store.discard_previous(item.pk)
    engine.reset()
    dataset_imported.send(sender=DatasetImport, records=batch, undone=True)
    return batch


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


def _published_parts(sources: list[list[tuple]], cells: list[tuple], arrondissement: bool) -> list:
    """For each column of a commune summed from several source rows (IRIS): the sum of its published rows
    and how many rows the source blanked, when its value is secret because some of them were and some others
    are published; (None, None) otherwise (nothing blanked, or everything: the commune is secret whole).
    An arrondissement of Paris, Lyon or Marseille with nothing blanked gets its value and 0, so that the sums
    over the arrondissements of the engine's roll-up to the commune add up to the commune's published part."""
    parts = []
    for index, (value, secret) in enumerate(cells):
        published, blanked = 0.0, 0
        for source in sources:
            source_value, source_secret = source[index]
            if source_secret:
                blanked += 1
            elif source_value is not None:
                published += source_value
        if secret and 0 < blanked < len(sources):
            parts += [published, blanked]
        elif arrondissement and value is not None:
            parts += [value, 0]
        else:
            parts += [None, None]
    return parts


def _map_to_communes(
    filename: str,
    parsed: list[tuple[str, list[tuple]]],
    additive: list[bool],
    commune_code=lambda code: code,
    *,
    published_parts: bool = False,
) -> dict:
    """Records of the current communes (and PLM arrondissements) from (source code, cells) rows.

    Returns the fields of `PreparedDataset` about the mapping: records, communes_matched, codes_mapped,
    arrondissements, unknown_codes. `published_parts`: each record ends with, for each column, the sum of the
    published source rows of a secret commune and how many were blanked (`_published_parts`).
    """
    if not Commune.objects.filter(is_active=True).exists():
        raise _empty_referential(filename)
    source_codes = {commune_code(code) for code, _cells in parsed}
    plm = {code: plm_commune(code) for code in source_codes}
    mapping = resolve_commune_codes(code for code in source_codes if not plm[code])
    # resolve_commune_codes gives an obsolete commune as is: only communes in force are kept.
    active = set(Commune.objects.filter(is_active=True).values_list("code", flat=True))

    groups: dict[str, list[list[tuple]]] = defaultdict(list)
    group_codes: dict[str, set[str]] = defaultdict(set)
    unknown, mapped = set(), set()
    for code, cells in parsed:
        commune = commune_code(code)
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
        if published_parts:
            record += _published_parts(groups[target], cells, bool(plm.get(target)))
        records.append(tuple(record))
    arrondissements = sum(1 for target in groups if plm.get(target))
    return {
        "records": records,
        "communes_matched": len(groups) - arrondissements,
        "codes_mapped": len(mapped),
        "arrondissements": arrondissements,
        "unknown_codes": sorted(unknown),
    }


def _prepare_rows(fmt: DatasetFormat, stream: CsvStream, year: int | None, progress: bool) -> PreparedDataset:
    """One row per code (FiLoSoFi, census, CAF per IRIS): the file read whole, then mapped to communes."""
    path, filename, header = stream.path, stream.filename, stream.header
    year = _vintage(filename, year, fmt.year_from(header, filename))

    columns = fmt.value_columns(header)
    indexes = [header.index(name) for name in columns]
    code_index = header.index(fmt.code_column)
    additive = [fmt.additive(name) for name in columns]

    seen: dict[str, int] = {}
    parsed: list[tuple[str, list[tuple]]] = []
    rows = _progress(stream, progress)
    placeholders = set()
    for line, fields in rows:
        code = fields[code_index]
        if getattr(fmt, "is_placeholder", None) and fmt.is_placeholder(code):
            placeholders.add(code)
            continue
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
            if cell[0] is not None and cell[0] < 0 and fmt.is_count(name):
                # A count (households, people, allocataires) is never negative: the file is damaged.
                raise _error(filename, f"effectif négatif « {raw} ».", line, name)
            cells.append((None, True) if row_secret else cell)
        parsed.append((code, cells))

    parts = fmt.published_parts
    mapped = _map_to_communes(filename, parsed, additive, fmt.commune_code, published_parts=parts)
    mapped["unknown_codes"] = sorted(set(mapped["unknown_codes"]) | placeholders)
    return PreparedDataset(
        kind=fmt.kind,
        year=year,
        source=path,
        value_columns=columns,
        rows_read=len(parsed),
        part_columns=list(columns) if parts else [],
        **mapped,
    )


def prepare_datasets(
    path: Path | str, *, kind: str | None = None, year: int | None = None, progress: bool = False
) -> list[PreparedDataset]:
    """Read and check `path` whole, map its codes to the current territories; nothing is written.

    One `PreparedDataset` per vintage, oldest first: several when the file holds several years (Cnaf
    coverage rates), unless `year` picks one.
    """
    path = Path(path)
    with CsvStream(path) as stream:
        filename, header = stream.filename, stream.header
        if kind is None:
            fmt = detect_format(header, filename)
        elif kind in FORMATS:
            fmt = FORMATS[kind]
        else:
            raise DatasetError(f"Jeu de données inconnu « {kind} » (connus : {', '.join(FORMATS)}).")
        fmt.check_header(header, filename)
        return fmt.prepare(stream, year=year, progress=progress)


def prepare_dataset(
    path: Path | str, *, kind: str | None = None, year: int | None = None, progress: bool = False
) -> PreparedDataset:
    """`prepare_datasets` for a file of one vintage (or one year picked with `year`)."""
    prepared = prepare_datasets(path, kind=kind, year=year, progress=progress)
    if len(prepared) > 1:
        years = ", ".join(str(dataset.year) for dataset in prepared)
        raise DatasetError(
            f"{Path(path).name} : le fichier contient plusieurs millésimes ({years}) : précisez le millésime "
            "à importer, ou importez-les tous avec « ctg import_data »."
        )
    return prepared[0]


def import_datasets(
    path: Path | str,
    *,
    kind: str | None = None,
    year: int | None = None,
    imported_by=None,
    progress: bool = False,
    is_fictitious: bool = False,
    scope=FROM_IMPORTER,
) -> list[DatasetImport]:
    """Import every vintage of one file; DatasetError leaves everything unchanged. `scope`: the départements
    whose figures the importer may replace (None: all France; by default the scope of `imported_by`, see
    `ctg.diagnostics.scope` and `save_datasets`)."""
    prepared = prepare_datasets(path, kind=kind, year=year, progress=progress)
    return save_datasets(prepared, imported_by=imported_by, is_fictitious=is_fictitious, scope=scope)


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
