"""The Insee « base permanente des équipements » (BPE) into the inventory of the offer of services.

Layout (Insee, fichier « ensemble » géolocalisé, e.g. ``bpe21_ensemble_xy.csv`` / ``BPE24.csv``): one row per
equipment, ``;`` separator, fields quoted or not, UTF-8 (BOM accepted). Columns read (the others are ignored,
their order does not matter):

* ``DEPCOM`` (commune, COG of the file's year) and ``TYPEQU`` (equipment type, one letter and three digits):
  required, checked on every row;
* ``DEP`` (département, optional: else taken from ``DEPCOM``), ``AN`` (year), ``DCIRIS``, ``QUALITE_XY``,
  ``NOMRS`` (name, in the recent vintages): optional, kept in ``source_details`` when given;
* coordinates, optional per row (an equipment may be « non géolocalisé »): ``LATITUDE``/``LONGITUDE`` (WGS84
  degrees) when the file has them, else ``LAMBERT_X``/``LAMBERT_Y`` in Lambert 93 (EPSG:2154, metropolitan
  France; ``EPSG`` column when given). Lambert 93 is converted to WGS84 by `lambert93_to_wgs84` (pyproj).
  The DROM coordinates are in UTM (EPSG 5490, 2972, 2975, 4471): they are not converted, only kept as
  published in ``source_details``;
* ``CAPACITE``: capacity, when given (whole number).

Only the rows whose ``TYPEQU`` is mapped in `ctg.offer.typology` enter the inventory (D502 → « EAJE (type non
précisé) », C107 → « école maternelle »); the others are checked and counted, not kept, so that the national
file (about 2.85 million rows) is read as a stream in bounded memory.

Source id: the BPE gives no identifier per equipment. Each kept row gets
``{DEPCOM}-{TYPEQU}-{h}-{rank}`` where ``h`` is the first 10 hex digits of the SHA-1 of
``DEPCOM|TYPEQU|X|Y`` (coordinates as published) and ``rank`` the row's rank (1, 2…) among the rows of the
files with the same four values, in file order. It is stable across re-imports of the same file (the import is
then idempotent) and of a later vintage where an equipment has neither moved nor had an identical twin
inserted before it; an equipment that moved gets a new id (the old one is marked « absent de la dernière
source », never deleted).

A fault anywhere (width, quotes, encoding, code, type, coordinate, capacity) refuses the whole import with a
French message naming the file, the line and the column; nothing is written.
"""

import csv
import hashlib
import re
import threading
from collections import Counter
from pathlib import Path

from pyproj import Transformer

from ctg.diagnostics.importers import COMMUNE_CODE, DECIMAL_POINT, decoded_lines
from ctg.offer import typology

SOURCE = "insee-bpe"
TYPE_CODE = re.compile(r"^[A-Z]\d{3}$")
INTEGER = re.compile(r"^\d+$")
# Far beyond any BPE row (a few hundred bytes).
MAX_LINE_BYTES = 64 * 1024
LAMBERT_93 = "2154"
# Metropolitan France in Lambert 93, with margin (IGN: x 100 000–1 250 000, y 6 000 000–7 150 000).
LAMBERT_BOUNDS = ((0.0, 1_300_000.0), (6_000_000.0, 7_200_000.0))
DETAILS = ("AN", "DCIRIS", "QUALITE_XY", "EPSG")


class InseeBpe:
    """Insee, base permanente des équipements (one row per equipment)."""

    source = SOURCE
    label = "base permanente des équipements de l'Insee"
    separator = ";"
    SIGNATURE = ("DEPCOM", "TYPEQU")

    def matches(self, header: list[str]) -> bool:
        return all(name in header for name in self.SIGNATURE)


# --- Lambert 93 → WGS84 ------------------------------------------------------------------------------------
# RGF93 / Lambert 93 (EPSG:2154) to WGS84 (EPSG:4326) by PROJ through pyproj, axes (x, y) → (lon, lat).
# One transformer per thread (pyproj's are not thread-safe), made on first use.
_transformers = threading.local()


def lambert93_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """(latitude, longitude) in degrees of a Lambert 93 point (metres)."""
    transformer = getattr(_transformers, "lambert93", None)
    if transformer is None:
        transformer = _transformers.lambert93 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
    longitude, latitude = transformer.transform(x, y)
    return round(latitude, 6), round(longitude, 6)


# --- Reading ------------------------------------------------------------------------------------------------


def _first_line(path: Path) -> str:
    with open(path, "rb") as handle:
        return handle.readline(MAX_LINE_BYTES).decode("utf-8", "replace").removeprefix("\ufeff")


def is_bpe(paths, source: str | None) -> bool:
    """Whether the files are to be read as the BPE: `--source insee-bpe`, or the first file's header (with
    « ; ») names DEPCOM and TYPEQU."""
    if source is not None:
        return source == SOURCE
    if not paths:
        return False
    try:
        first = _first_line(Path(paths[0]))
    except OSError:
        return False  # the ordinary path says why it cannot be read
    names = {name.strip().strip('"').strip() for name in first.split(";")}
    return all(name in names for name in InseeBpe.SIGNATURE)


def _lines(handle, filename: str, digest):
    """Decoded lines of a binary file, one by one (a bad byte is located exactly), fed to `digest`."""
    from ctg.offer.importers import _error

    return decoded_lines(
        handle, filename, not_what="la BPE", error=_error, max_bytes=MAX_LINE_BYTES, digest=digest
    )


def _departement_of(code: str) -> str:
    return code[:3] if code.startswith("97") else code[:2]


class _Reader:
    """Reads BPE files one after the other, keeping only the rows of mapped types."""

    def __init__(self):
        self.rows = []
        self.rows_read = 0
        self.notes: Counter = Counter()
        self.ranks: Counter = Counter()
        self.digest = hashlib.sha256()
        self.types = {code: typology.bpe_import_type(code) for code in typology.bpe_codes()}

    def read(self, path: Path) -> None:
        from ctg.offer.importers import _error

        filename = path.name
        try:
            handle = open(path, "rb")  # noqa: SIM115 (closed below)
        except OSError as error:
            raise _error(filename, f"lecture impossible ({error.strerror}).") from None
        with handle:
            reader = csv.reader(_lines(handle, filename, self.digest), delimiter=";", strict=True)
            try:
                header = self._header(reader, filename)
                self._rows(reader, header, filename)
            except csv.Error as error:
                if "unexpected end of data" in str(error):
                    message = "fin du fichier au milieu d'un champ entre guillemets (fichier tronqué ?)."
                else:
                    message = f"CSV mal formé ({error})."
                raise _error(filename, message, reader.line_num) from None

    def _header(self, reader, filename: str) -> list[str]:
        from ctg.offer.importers import _error

        header = next(reader, None)
        if not header or header == [""]:
            raise _error(filename, "fichier vide.")
        header = [name.strip() for name in header]
        if len(header) == 1:
            for other, label in ((",", "« , »"), ("\t", "tabulation"), ("|", "« | »")):
                if other in header[0]:
                    raise _error(filename, f"séparateur {label} trouvé dans l'en-tête, « ; » attendu.", 1)
            raise _error(filename, "une seule colonne dans l'en-tête, séparateur « ; » attendu.", 1)
        seen = set()
        for index, name in enumerate(header, 1):
            if not name:
                raise _error(filename, f"colonne n° {index} sans nom dans l'en-tête.", 1)
            if name in seen:
                raise _error(filename, f"colonne « {name} » en double.", 1, name)
            seen.add(name)
        for name in InseeBpe.SIGNATURE:
            if name not in header:
                raise _error(filename, f"colonne obligatoire « {name} » absente ({InseeBpe.label}).", 1)
        for pair in (("LATITUDE", "LONGITUDE"), ("LAMBERT_X", "LAMBERT_Y")):
            if (pair[0] in header) != (pair[1] in header):
                missing = pair[1] if pair[0] in header else pair[0]
                raise _error(filename, f"colonne « {missing} » absente : les coordonnées vont par deux.", 1)
        return header

    def _rows(self, reader, header: list[str], filename: str) -> None:
        from ctg.offer.importers import SourceRow, _error

        width = len(header)
        rows_before = self.rows_read  # several files: each must have rows
        index = {name: position for position, name in enumerate(header)}
        code_at, type_at = index["DEPCOM"], index["TYPEQU"]
        dep_at = index.get("DEP")
        valid_codes: set[str] = set()
        valid_types: set[str] = set()
        blank_line = None
        start = 2
        for fields in reader:
            line, start = start, reader.line_num + 1
            if not fields or fields == [""]:
                blank_line = blank_line or line
                continue
            if blank_line is not None:
                raise _error(filename, "ligne vide au milieu du fichier.", blank_line)
            if len(fields) != width:
                hint = " (ligne tronquée ou séparateur mal placé ?)" if len(fields) < width else ""
                raise _error(
                    filename, f"{len(fields)} champs au lieu de {width} comme l'en-tête{hint}.", line
                )
            code, kind = fields[code_at].strip(), fields[type_at].strip()
            if code not in valid_codes:
                if not COMMUNE_CODE.match(code):
                    raise _error(
                        filename,
                        f"code commune invalide « {code} » "
                        "(5 caractères attendus, par exemple 81004 ou 2A004).",
                        line,
                        "DEPCOM",
                    )
                valid_codes.add(code)
            if kind not in valid_types:
                if not TYPE_CODE.match(kind):
                    raise _error(
                        filename,
                        f"type d'équipement invalide « {kind} » "
                        "(une lettre et trois chiffres, par exemple D502).",
                        line,
                        "TYPEQU",
                    )
                valid_types.add(kind)
            departement = fields[dep_at].strip() if dep_at is not None else _departement_of(code)
            if dep_at is not None and not code.startswith(departement):
                raise _error(
                    filename,
                    f"la commune {code} n'est pas dans le département « {departement} ».",
                    line,
                    "DEP",
                )
            self.rows_read += 1
            offer_type = self.types.get(kind)
            if offer_type is None:
                continue
            raw = {name: fields[position].strip() for name, position in index.items()}
            self.rows.append(self._row(SourceRow, filename, line, raw, code, kind, departement, offer_type))
        if self.rows_read == rows_before:
            raise _error(filename, "aucune ligne de données après l'en-tête.")

    def _row(self, SourceRow, filename, line, raw, code, kind, departement, offer_type):
        from ctg.offer.importers import _error

        details = {"TYPEQU": kind, **{name: raw[name] for name in DETAILS if raw.get(name)}}
        latitude = longitude = None
        x_text, y_text = raw.get("LAMBERT_X", ""), raw.get("LAMBERT_Y", "")
        if raw.get("LATITUDE") or raw.get("LONGITUDE"):
            latitude = self._number(filename, line, raw, "LATITUDE")
            longitude = self._number(filename, line, raw, "LONGITUDE")
            if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                raise _error(
                    filename, f"point {latitude} ; {longitude} hors des degrés WGS84.", line, "LATITUDE"
                )
        if x_text or y_text:
            x = self._number(filename, line, raw, "LAMBERT_X")
            y = self._number(filename, line, raw, "LAMBERT_Y")
            details["LAMBERT_X"], details["LAMBERT_Y"] = x_text, y_text
            epsg = raw.get("EPSG") or (LAMBERT_93 if not departement.startswith("97") else "")
            if epsg == LAMBERT_93:
                (x_low, x_high), (y_low, y_high) = LAMBERT_BOUNDS
                if not (x_low <= x <= x_high and y_low <= y <= y_high):
                    raise _error(
                        filename,
                        f"point {x_text} ; {y_text} hors de la France métropolitaine en Lambert 93.",
                        line,
                        "LAMBERT_X",
                    )
                if latitude is None:
                    latitude, longitude = lambert93_to_wgs84(x, y)
            else:
                self.notes["bpe_not_converted"] += 1
        capacity = None
        if raw.get("CAPACITE"):
            if not INTEGER.match(raw["CAPACITE"]) or int(raw["CAPACITE"]) > 100_000:
                raise _error(
                    filename,
                    f"capacité invalide « {raw['CAPACITE']} » (nombre entier attendu).",
                    line,
                    "CAPACITE",
                )
            capacity = int(raw["CAPACITE"])
        key = f"{code}|{kind}|{x_text or raw.get('LONGITUDE', '')}|{y_text or raw.get('LATITUDE', '')}"
        self.ranks[key] += 1
        source_id = f"{code}-{kind}-{hashlib.sha1(key.encode()).hexdigest()[:10]}-{self.ranks[key]}"  # noqa: S324
        name = raw.get("NOMRS", "")[:250] or f"{offer_type.label} (BPE, commune {code})"
        values = {
            "type": offer_type.code,
            "name": name,
            "latitude": latitude,
            "longitude": longitude,
            "capacity": capacity,
            "source": SOURCE,
            "source_id": source_id,
            "source_details": details,
        }
        return SourceRow(filename, line, source_id, code, departement, values)

    @staticmethod
    def _number(filename, line, raw, column) -> float:
        from ctg.offer.importers import _error

        value = raw.get(column, "")
        if not value:
            raise _error(filename, "coordonnée vide alors que l'autre est donnée.", line, column)
        if not DECIMAL_POINT.match(value):
            raise _error(
                filename, f"coordonnée invalide « {value} » (nombre à point décimal attendu).", line, column
            )
        return float(value)


def read_files(paths) -> _Reader:
    """Every file read and checked as a stream; the rows of mapped types kept (not yet placed on communes)."""
    reader = _Reader()
    for path in paths:
        reader.read(Path(path))
    return reader


def prepare_files(paths):
    """`ctg.offer.importers.prepare_files` for the BPE: read, checked, rows placed on communes in force."""
    from ctg.offer.importers import OfferImportError, PreparedFiles, _place_on_communes

    if not paths:
        raise OfferImportError("Aucun fichier à importer.")
    reader = read_files(paths)
    _place_on_communes(reader.rows, column="DEPCOM")
    notes = reader.notes
    prepared = PreparedFiles(
        SOURCE, [Path(p).name for p in paths], reader.digest.hexdigest(), reader.rows, notes
    )
    prepared.rows_read = reader.rows_read
    return prepared
