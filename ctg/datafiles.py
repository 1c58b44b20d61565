"""Safe writing and reading of the data files people exchange with the platform (CSV, xlsx, JSON).

Writing: every CSV and xlsx export of the project goes through here, so that no cell is ever run as a formula.

- `safe_csv_cell(value)`: the OWASP rule against formula (CSV) injection: a text starting with « = », « + »,
  « - », « @ », a tab or a carriage return gets a leading « ' »; numbers stay numbers (a negative amount
  written as a number, or as a text that is exactly a number such as « -12,5 », is not prefixed).
- `csv_writer(file, …)`: a `csv.writer` whose every cell goes through `safe_csv_cell`, numbers written with a
  decimal comma by default (French spreadsheets).
- `xlsx_append(sheet, values)`: appends a row to an openpyxl sheet where every text is a string cell
  (`data_type` « s »), never a formula (« =… ») nor an error value (« #N/A »). A text that Excel would turn
  into a formula once the cell is edited gets Excel's quote prefix, a style: the stored value is unchanged.

A leading « ' » is added in CSV only. The platform imports no CSV, so the quote is never read back. In xlsx a
text is text by its cell type and carries no quote; the xlsx import takes every text as it is, a leading « ' »
included (it is part of the text: the quote typed in Excel before « =1+1 » is a style, not in the value, and
reads back as « =1+1 »). So a title « =1+1 » exported to xlsx or JSON imports back as « =1+1 ».

Reading: an uploaded workbook or JSON (web form and `ctg plan_import`) is bounded before it is parsed.

- `open_xlsx(data, name)`: checks the zip from its central directory, before any decompression: file size,
  number of entries, names (no absolute path, no « .. »), encryption and compression method, each entry's and
  the total uncompressed size, compression ratio, number of sheets; then opens it with openpyxl in read-only
  mode and checks the longest shared string. Python's zipfile never yields more than the size an entry
  declares (then fails on its CRC), so the declared sizes bound what is decompressed. XML is parsed by expat
  (protected against entity expansion, « billion laughs »).
- `xlsx_rows(sheet, name)`: the rows of a sheet, at most `CTG_XLSX_MAX_ROWS` rows and `CTG_XLSX_MAX_COLUMNS`
  columns read (whatever the sheet's declared dimension), each text at most `CTG_XLSX_MAX_CELL_CHARS`
  characters; formula and error cells come as `Formula` / `CellError` values, for the caller to refuse.
- `load_json(data, name)`: size, UTF-8 (with or without BOM), nesting depth scanned before `json.loads`,
  string length, duplicate keys, no NaN / Infinity.

Every refusal is a `FileRefused` (a `ValidationError`) whose French message names the file and the limit. The
limits are settings (`ctg/settings.py`, block « Limits of uploaded spreadsheets and JSON »), each with an
environment override.
"""

import csv
import datetime
import io
import json
import re
import zipfile
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError

# --- limits --------------------------------------------------------------------------------------------

MIB = 1024 * 1024
DEFAULTS = {
    "CTG_DATAFILE_MAX_BYTES": 10 * MIB,
    "CTG_XLSX_MAX_ENTRIES": 200,
    "CTG_XLSX_MAX_UNCOMPRESSED_BYTES": 100 * MIB,
    "CTG_XLSX_MAX_ENTRY_BYTES": 30 * MIB,
    "CTG_XLSX_MAX_RATIO": 100,
    "CTG_XLSX_MAX_SHEETS": 50,
    "CTG_XLSX_MAX_ROWS": 10_000,
    "CTG_XLSX_MAX_COLUMNS": 100,
    "CTG_XLSX_MAX_CELL_CHARS": 32_767,  # Excel's own limit (openpyxl cuts longer texts when writing)
    "CTG_JSON_MAX_DEPTH": 20,
    "CTG_JSON_MAX_STRING_CHARS": 1_000_000,
}
# The compression ratio is checked on entries larger than this (small XML parts compress very well).
RATIO_FROM_BYTES = MIB
# Bytes of central directory allowed per entry (a record is 46 bytes plus its name and extra fields).
CENTRAL_DIRECTORY_BYTES_PER_ENTRY = 512


def limit(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))


class FileRefused(ValidationError):
    """The file is refused before (or while) being parsed; the message names the file and the limit."""


def _file(name: str | None) -> str:
    return f"Le fichier « {name} »" if name else "Le fichier"


def _count(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def _size(n: int) -> str:
    if n >= 1024 * MIB:
        return f"{n / (1024 * MIB):.1f} Go".replace(".0 Go", " Go").replace(".", ",")
    if n >= MIB:
        return f"{n / MIB:.1f} Mo".replace(".0 Mo", " Mo").replace(".", ",")
    if n >= 1024:
        return f"{n / 1024:.0f} Ko"
    return f"{n} octets"


# --- writing: CSV --------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A negative number already formatted (« -12,5 », « -1,2e-05 »): a spreadsheet reads a number, runs nothing.
NEGATIVE_NUMBER = re.compile(r"-\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?")


def safe_csv_cell(value):
    """A cell for a CSV export: None → « », a text that a spreadsheet would run (starting with « = », « + »,
    « - », « @ », a tab or a carriage return) → the same text after « ' »; numbers (int, float, Decimal) and
    a text that is exactly a negative number (« -12,5 ») unchanged; other values unchanged."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not NEGATIVE_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeCsvWriter:
    """`csv.writer` through `safe_csv_cell`; numbers written as numbers, with a decimal comma if asked."""

    def __init__(self, file, *, decimal_comma: bool = True, **options):
        self._writer = csv.writer(file, **options)
        self.decimal_comma = decimal_comma

    def cell(self, value):
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int | float | Decimal):
            text = str(value)
            return text.replace(".", ",") if self.decimal_comma else text
        return safe_csv_cell(value)

    def writerow(self, row):
        return self._writer.writerow([self.cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(
    file, *, delimiter: str = ";", lineterminator: str = "\r\n", decimal_comma: bool = True, **options
):
    """The writer of every CSV export: semicolons, CRLF and decimal comma by default (as French spreadsheets
    read them)."""
    return SafeCsvWriter(
        file, delimiter=delimiter, lineterminator=lineterminator, decimal_comma=decimal_comma, **options
    )


# --- writing: xlsx -------------------------------------------------------------------------------------


def xlsx_append(sheet, values) -> None:
    """`sheet.append(values)` with every text written as a string cell, never a formula nor an error value."""
    sheet.append(list(values))
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        if isinstance(value, str) and value:
            cell = sheet.cell(row=row, column=column)
            cell.data_type = "s"
            if value.startswith(FORMULA_STARTS):
                # Excel's « ' »: the cell stays text once edited. A style, the value is unchanged.
                cell.quotePrefix = True


# --- reading: xlsx -------------------------------------------------------------------------------------

ZIP_MAGIC = b"PK\x03\x04"
SHEET_PART = re.compile(r"^xl/(worksheets|chartsheets|dialogsheets|macrosheets)/[^/]+\.xml$")


class Formula(str):
    """The formula of a formula cell (« =A1+1 »), given instead of a value: formulas are not evaluated."""


class CellError(str):
    """An error value of a cell (« #DIV/0! »)."""


def _not_a_workbook(name, why: str) -> FileRefused:
    return FileRefused(f"{_file(name)} n'est pas un classeur Excel (.xlsx) lisible ({why}).")


def _unsafe_entry_name(entry: str) -> bool:
    parts = entry.replace("\\", "/").split("/")
    return (
        entry.startswith(("/", "\\"))
        or "\\" in entry
        or "\x00" in entry
        or ".." in parts
        or (len(entry) > 1 and entry[1] == ":")
    )


def check_xlsx(data: bytes, name: str | None = None) -> None:
    """Refuses (FileRefused) a workbook over the limits, from its zip directory (nothing decompressed)."""
    file = _file(name)
    max_bytes = limit("CTG_DATAFILE_MAX_BYTES")
    if len(data) > max_bytes:
        raise FileRefused(f"{file} dépasse la taille maximale de {_size(max_bytes)}.")
    if not data.startswith(ZIP_MAGIC):
        raise _not_a_workbook(name, "ce n'est pas une archive zip")
    max_entries = limit("CTG_XLSX_MAX_ENTRIES")
    too_many = FileRefused(f"{file} est refusé : plus de {_count(max_entries)} éléments dans l'archive.")
    # The end record, before zipfile reads the central directory into objects.
    buffer = io.BytesIO(data)
    try:
        end = zipfile._EndRecData(buffer)  # the end of central directory record (zip64 included)
    except OSError:
        end = None
    if not end:
        raise _not_a_workbook(name, "archive zip tronquée ou endommagée")
    if end[zipfile._ECD_ENTRIES_TOTAL] > max_entries or (
        end[zipfile._ECD_SIZE] > max_entries * CENTRAL_DIRECTORY_BYTES_PER_ENTRY
    ):
        raise too_many
    try:
        with zipfile.ZipFile(buffer) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _not_a_workbook(name, "archive zip tronquée ou endommagée") from None
    if len(entries) > max_entries:
        raise too_many
    max_entry = limit("CTG_XLSX_MAX_ENTRY_BYTES")
    max_total = limit("CTG_XLSX_MAX_UNCOMPRESSED_BYTES")
    max_ratio = limit("CTG_XLSX_MAX_RATIO")
    total = 0
    names = set()
    sheets = 0
    for entry in entries:
        if _unsafe_entry_name(entry.filename):
            raise FileRefused(
                f"{file} est refusé : chemin interdit dans l'archive « {entry.filename[:80]} »."
            )
        if entry.filename in names:
            raise FileRefused(
                f"{file} est refusé : élément « {entry.filename[:80]} » en double dans l'archive."
            )
        names.add(entry.filename)
        if entry.flag_bits & 0x1:
            raise FileRefused(f"{file} est refusé : l'archive est chiffrée (protégée par un mot de passe).")
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _not_a_workbook(name, "méthode de compression non prise en charge")
        if entry.file_size > max_entry:
            raise FileRefused(
                f"{file} est refusé : l'élément « {entry.filename[:80]} » de l'archive fait "
                f"{_size(entry.file_size)} une fois décompressé, au plus {_size(max_entry)}."
            )
        if entry.file_size > RATIO_FROM_BYTES and entry.file_size > max_ratio * max(entry.compress_size, 1):
            ratio = entry.file_size // max(entry.compress_size, 1)
            raise FileRefused(
                f"{file} est refusé : l'élément « {entry.filename[:80]} » est compressé "
                f"{_count(ratio)} fois, au plus {_count(max_ratio)} fois (bombe de décompression)."
            )
        total += entry.file_size
        sheets += bool(SHEET_PART.match(entry.filename))
    if total > max_total:
        raise FileRefused(
            f"{file} est refusé : {_size(total)} une fois décompressé, au plus {_size(max_total)}."
        )
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise _not_a_workbook(name, "ce n'est pas un classeur Excel")
    max_sheets = limit("CTG_XLSX_MAX_SHEETS")
    if sheets > max_sheets:
        raise FileRefused(f"{file} est refusé : plus de {_count(max_sheets)} feuilles.")


def _too_long(name, where: str, length: int, max_chars: int) -> FileRefused:
    return FileRefused(
        f"{_file(name)} est refusé : {where} fait {_count(length)} caractères, au plus {_count(max_chars)}."
    )


def open_xlsx(data: bytes, name: str | None = None):
    """The workbook (openpyxl, read-only, formulas not evaluated) once `check_xlsx` has passed. Close it."""
    from openpyxl.reader.excel import ExcelReader

    check_xlsx(data, name)
    try:
        # What `load_workbook` does, keeping the reader for its table of shared strings.
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=False)
        reader.read()
        workbook = reader.wb
    except Exception as error:  # zipfile, XML and openpyxl errors alike
        raise _not_a_workbook(name, error.__class__.__name__) from None
    try:
        max_sheets = limit("CTG_XLSX_MAX_SHEETS")
        if len(workbook.sheetnames) > max_sheets:
            raise FileRefused(f"{_file(name)} est refusé : plus de {_count(max_sheets)} feuilles.")
        max_chars = limit("CTG_XLSX_MAX_CELL_CHARS")
        longest = max((len(str(text)) for text in reader.shared_strings), default=0)
        if longest > max_chars:
            raise _too_long(name, "un texte du classeur", longest, max_chars)
    except FileRefused:
        workbook.close()
        raise
    return workbook


def xlsx_rows(sheet, name: str | None = None):
    """The rows of a read-only sheet as lists of values (see the module's docstring). A reading error (a part
    that does not decompress to its declared size, broken XML) is refused as an unreadable workbook."""
    from openpyxl.utils import get_column_letter

    max_rows = limit("CTG_XLSX_MAX_ROWS")
    max_columns = limit("CTG_XLSX_MAX_COLUMNS")
    max_chars = limit("CTG_XLSX_MAX_CELL_CHARS")
    # The declared dimension when smaller (openpyxl reads up to it anyway), never more than the limit: a sheet
    # declaring 16 384 columns is not padded to them.
    declared = sheet.max_column if isinstance(sheet.max_column, int) and sheet.max_column > 0 else max_columns
    rows = sheet.iter_rows(max_col=min(max_columns, declared))
    line = 0
    while True:
        try:
            row = next(rows, None)
        except Exception as error:
            raise _not_a_workbook(name, error.__class__.__name__) from None
        if row is None:
            return
        line += 1
        if line > max_rows:
            raise FileRefused(
                f"{_file(name)} est refusé : la feuille « {sheet.title} » a plus de {_count(max_rows)} "
                "lignes."
            )
        values = []
        for index, cell in enumerate(row, start=1):
            value = cell.value
            if cell.data_type == "f":
                value = Formula(getattr(value, "text", value) or "=")
            elif cell.data_type == "e":
                value = CellError(value)
            elif isinstance(value, str) and len(value) > max_chars:
                where = f"la cellule {get_column_letter(index)}{line} de la feuille « {sheet.title} »"
                raise _too_long(name, where, len(value), max_chars)
            elif isinstance(value, datetime.time | datetime.timedelta):
                value = str(value)
            values.append(value)
        yield values


# --- reading: JSON -------------------------------------------------------------------------------------

JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
JSON_BRACKETS = re.compile(r"[\[\]{}]")
UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def _json_depth_exceeds(text: str, max_depth: int) -> bool:
    """Whether the nesting of arrays and objects goes deeper than `max_depth`, scanned without parsing (the
    strings taken out first)."""
    depth = 0
    for match in JSON_BRACKETS.finditer(JSON_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > max_depth:
                return True
        else:
            depth -= 1
    return False


def load_json(data: bytes, name: str | None = None):
    """The parsed JSON of an uploaded file, refused (FileRefused) past the limits or when invalid."""
    file = _file(name)
    max_bytes = limit("CTG_DATAFILE_MAX_BYTES")
    if len(data) > max_bytes:
        raise FileRefused(f"{file} dépasse la taille maximale de {_size(max_bytes)}.")
    if data.startswith(UTF16_32_BOMS):
        raise FileRefused(f"{file} n'est pas un fichier JSON valide : il doit être encodé en UTF-8.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRefused(
            f"{file} n'est pas un fichier JSON valide : il doit être encodé en UTF-8 (octet invalide à la "
            f"position {error.start})."
        ) from None
    if not text.strip():
        raise FileRefused(f"{file} n'est pas un fichier JSON valide : il est vide.")
    max_depth = limit("CTG_JSON_MAX_DEPTH")
    if _json_depth_exceeds(text, max_depth):
        raise FileRefused(
            f"{file} est refusé : tableaux ou objets imbriqués sur plus de {max_depth} niveaux."
        )

    def pairs(items):
        result = {}
        for key, value in items:
            if key in result:
                raise FileRefused(f"{file} n'est pas un fichier JSON valide : clé « {key[:40]} » en double.")
            result[key] = value
        return result

    def constant(value):
        raise FileRefused(f"{file} n'est pas un fichier JSON valide : valeur « {value} » non permise.")

    try:
        payload = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as error:
        raise FileRefused(
            f"{file} n'est pas un fichier JSON valide : {_json_error(error.msg)} (ligne {error.lineno}, "
            f"colonne {error.colno})."
        ) from None
    except (ValueError, RecursionError) as error:  # an integer of too many digits; a nesting missed above
        raise FileRefused(f"{file} n'est pas un fichier JSON valide ({error.__class__.__name__}).") from None
    max_chars = limit("CTG_JSON_MAX_STRING_CHARS")
    longest = _longest_string(payload)
    if longest > max_chars:
        raise _too_long(name, "un texte du fichier", longest, max_chars)
    return payload


JSON_ERRORS = {
    "Expecting value": "valeur attendue",
    "Expecting property name enclosed in double quotes": "nom de clé entre guillemets attendu",
    "Expecting ',' delimiter": "virgule attendue",
    "Expecting ':' delimiter": "deux-points attendus",
    "Extra data": "données en trop après la fin",
    "Unterminated string starting at": "texte non terminé",
    "Invalid control character at": "caractère de contrôle dans un texte",
    "Invalid \\escape": "séquence d'échappement invalide",
}


def _json_error(message: str) -> str:
    return JSON_ERRORS.get(message, "syntaxe invalide")


def _longest_string(value) -> int:
    """The length of the longest string (key or value) of a parsed JSON whose depth is bounded."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return max((max(len(k), _longest_string(v)) for k, v in value.items()), default=0)
    if isinstance(value, list):
        return max((_longest_string(v) for v in value), default=0)
    return 0
