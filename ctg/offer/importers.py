"""Importers of the open lists of services into the inventory (`ctg.offer.models.Structure`).

Formats, recognised from the header read from the file (the order of the columns does not matter, columns
the importer does not use are ignored):

* ``anct-france-services``: the ANCT list of the France Services sites (``liste-fs.csv``): UTF-8 (BOM
  accepted), ``,`` separator, quoted strings, LF or CRLF, decimal point for the WGS84 ``latitude`` and
  ``longitude``; one row per site, antennes (``format_fs``) and mobile sites (``itinerance`` Oui/Non) kept;
  ``id_fs`` is the source id. The hours per day (``h_lundi`` … ``h_samedi``, and ``h_dimanche`` when given)
  read ``09:00 - 12:00 / 13:30 - 17:00``; they become one `opening_hours` text (OpenStreetMap syntax,
  ``Mo-Fr 09:00-12:00,13:30-17:00``). As published, some days give overlapping or repeated spans
  (``08:30 - 12:00 / 08:30 - 17:00``): they are merged; ``00:00 - 00:00`` is no opening and is left out. An
  empty day is closed or unknown; a site with no hours at all gets no `opening_hours`.

* ``data-inclusion``: the data·inclusion exports of structures and services (JSON or CSV, schema v1), read
  and validated by `ctg.offer.datainclusion_import` (the package ``data-inclusion-schema``), rows of the same
  kind as below; ``insee-bpe``: the Insee BPE, read as a stream by `ctg.offer.bpe`.

``insee_com`` is a COG code of the file's year: it is mapped to the commune in force today
(`resolve_commune_codes`: merged, delegated and associated communes); a municipal arrondissement of Paris,
Lyon or Marseille goes to its commune, its own code kept in `source_commune_code`. A code well formed but not
found, or a commune no longer in force without a successor, refuses the file: every site must land on a
commune.

An import is idempotent: a structure is created or updated by (source, source id); a second import of the same
file changes nothing. Nothing is deleted: a structure of the source that the file no longer lists, in a
département the file covers, is marked « absent de la dernière source » (`missing_from_source`), and unmarked
if a later file lists it again. The files are checked whole before anything is written, and everything is
written in one transaction: any fault raises `OfferImportError`, whose French message names the file, the line
and the column, and the inventory is unchanged. `preview` says what an import would do, per département,
without writing.
"""

import csv
import hashlib
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from ctg.diagnostics.importers import COMMUNE_CODE, DECIMAL_POINT, DatasetError, decoded_lines, plm_commune
from ctg.offer import bpe, datainclusion_import, opening_hours, services
from ctg.offer.models import OfferImport, Structure
from ctg.territories.models import Commune
from ctg.territories.selectors import resolve_commune_codes

__all__ = [
    "SOURCES",
    "ImportPlan",
    "OfferImportError",
    "import_offer",
    "plan_import",
    "prepare_files",
    "preview",
]

# Far beyond any row of an official list (the longest France Services row is about 1 kB).
MAX_LINE_BYTES = 64 * 1024
DEPARTEMENT_CODE = re.compile(r"^(?:\d{2}|2[AB]|97\d|98\d)$")
POSTCODE = re.compile(r"^\d{5}$")
SPAN = re.compile(r"^(\d{2}:\d{2}) - (\d{2}:\d{2})$")


class OfferImportError(DatasetError):
    """The file cannot be imported; the message, in French, names the file, the line and the column."""


def _error(
    filename: str, message: str, line: int | None = None, column: str | None = None
) -> OfferImportError:
    parts = [filename]
    if line is not None:
        parts.append(f"ligne {line}")
    if column is not None:
        parts.append(f"colonne {column}")
    return OfferImportError(f"{', '.join(parts)} : {message}")


# --- Reading the CSV --------------------------------------------------------------------------------------


def read_rows(
    data: bytes, filename: str, separator: str
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """(header, [(line where the row starts, {column: text})]) of the bytes of a CSV file; every row as wide
    as the header."""
    if not data.strip():
        raise _error(filename, "fichier vide.")
    reader = csv.reader(
        decoded_lines(
            io.BytesIO(data), filename, not_what="une liste valide", error=_error, max_bytes=MAX_LINE_BYTES
        ),
        delimiter=separator,
        strict=True,
    )
    try:
        header = [name.strip() for name in next(reader)]
    except csv.Error as error:
        # A quoted header with another separator ("id_fs";"insee_dep"…) is no CSV with this one: say which.
        first = data.split(b"\n", 1)[0].decode("utf-8", "replace")
        _separator_error(first, filename, separator)
        raise _error(filename, f"en-tête CSV mal formé ({error}).", 1) from None
    if len(header) == 1:
        _separator_error(header[0], filename, separator)
        raise _error(filename, f"une seule colonne dans l'en-tête, séparateur « {separator} » attendu.", 1)
    seen = set()
    for index, name in enumerate(header, 1):
        if not name:
            raise _error(filename, f"colonne n° {index} sans nom dans l'en-tête.", 1)
        if name in seen:
            raise _error(filename, f"colonne « {name} » en double.", 1, name)
        seen.add(name)
    rows = []
    blank_line = None
    start = 2
    try:
        for fields in reader:
            line, start = start, reader.line_num + 1
            if not fields or fields == [""]:
                blank_line = blank_line or line
                continue
            if blank_line is not None:
                raise _error(filename, "ligne vide au milieu du fichier.", blank_line)
            if len(fields) != len(header):
                hint = " (ligne tronquée ou séparateur mal placé ?)" if len(fields) < len(header) else ""
                raise _error(
                    filename, f"{len(fields)} champs au lieu de {len(header)} comme l'en-tête{hint}.", line
                )
            rows.append((line, dict(zip(header, fields, strict=True))))
    except csv.Error as error:
        if "unexpected end of data" in str(error):
            message = "fin du fichier au milieu d'un champ entre guillemets (fichier tronqué ?)."
        else:
            message = f"CSV mal formé ({error})."
        raise _error(filename, message, start) from None
    if not rows:
        raise _error(filename, "aucune ligne de données après l'en-tête.")
    return header, rows


def _separator_error(text: str, filename: str, separator: str) -> None:
    if separator in text:
        return
    for other, label in ((";", "« ; »"), (",", "« , »"), ("\t", "tabulation"), ("|", "« | »")):
        if other != separator and other in text:
            raise _error(filename, f"séparateur {label} trouvé dans l'en-tête, « {separator} » attendu.", 1)


# --- Formats ----------------------------------------------------------------------------------------------


@dataclass
class SourceRow:
    filename: str
    line: int
    source_id: str
    commune_code: str  # as published
    departement: str  # as published
    values: dict


class FranceServices:
    """The ANCT list of the France Services sites."""

    source = "anct-france-services"
    label = "liste des France Services de l'ANCT"
    separator = ","
    offer_type = "france_services"
    DAYS = {
        "h_lundi": "Mo",
        "h_mardi": "Tu",
        "h_mercredi": "We",
        "h_jeudi": "Th",
        "h_vendredi": "Fr",
        "h_samedi": "Sa",
        "h_dimanche": "Su",
    }
    REQUIRED = (
        "id_fs",
        "insee_dep",
        "lib_fs",
        "adresse",
        "insee_com",
        "code_postal",
        "latitude",
        "longitude",
        "mail",
        "telephone",
        "h_lundi",
        "h_mardi",
        "h_mercredi",
        "h_jeudi",
        "h_vendredi",
        "h_samedi",
        "itinerance",
        "format_fs",
    )
    # Longest text accepted per column (those of the model, with room: the published file stays well below).
    MAX_LENGTHS = {
        "id_fs": 100,
        "insee_dep": 3,
        "lib_fs": 250,
        "adresse": 250,
        "complement_adresse": 250,
        "insee_com": 5,
        "code_postal": 5,
        "lib_com": 200,
        "mail": 254,
        "telephone": 30,
        "commentaire": 2000,
        "itinerance": 20,
        "format_fs": 50,
        "groupe": 200,
        "labellisation": 200,
        "format_fs_anct": 50,
        **dict.fromkeys(DAYS, 200),
    }
    DETAILS = ("format_fs", "format_fs_anct", "groupe", "labellisation")
    SIGNATURE = ("id_fs", "lib_fs")

    def matches(self, header: list[str]) -> bool:
        return all(name in header for name in self.SIGNATURE)

    def check_header(self, header: list[str], filename: str) -> None:
        for name in self.REQUIRED:
            if name not in header:
                raise _error(filename, f"colonne obligatoire « {name} » absente ({self.label}).", 1, name)

    def row(self, filename: str, line: int, raw: dict[str, str], notes: Counter) -> SourceRow:
        def text(column: str) -> str:
            # Line breaks inside a field as LF whatever the file's (the published list is CRLF).
            value = raw.get(column, "").replace("\r\n", "\n").replace("\r", "\n").strip()
            limit = self.MAX_LENGTHS.get(column)
            if limit is not None and len(value) > limit:
                raise _error(filename, f"texte de {len(value)} caractères, {limit} au plus.", line, column)
            return value

        for column in raw:
            text(column)
        source_id = text("id_fs")
        if not source_id:
            raise _error(filename, "identifiant vide.", line, "id_fs")
        name = text("lib_fs")
        if not name:
            raise _error(filename, "nom du site vide.", line, "lib_fs")
        departement = text("insee_dep").upper()
        if not DEPARTEMENT_CODE.match(departement):
            raise _error(
                filename, f"code de département invalide « {departement} » (81, 2A, 974…).", line, "insee_dep"
            )
        commune_code = text("insee_com").upper()
        if not COMMUNE_CODE.match(commune_code):
            raise _error(
                filename,
                f"code commune invalide « {commune_code} » "
                "(5 caractères attendus, par exemple 81004 ou 2A004).",
                line,
                "insee_com",
            )
        if not commune_code.startswith(departement):
            raise _error(
                filename,
                f"la commune {commune_code} n'est pas dans le département « {departement} » "
                "(colonne insee_dep).",
                line,
                "insee_com",
            )
        postcode = text("code_postal")
        if postcode and not POSTCODE.match(postcode):
            raise _error(
                filename, f"code postal invalide « {postcode} » (5 chiffres attendus).", line, "code_postal"
            )
        latitude = self._coordinate(filename, line, raw, "latitude", 90)
        longitude = self._coordinate(filename, line, raw, "longitude", 180)
        if (latitude is None) != (longitude is None):
            raise _error(filename, "latitude et longitude vont ensemble : l'une est vide.", line, "latitude")
        mobile = text("itinerance")
        if mobile not in ("Oui", "Non"):
            raise _error(filename, f"valeur « {mobile} » : Oui ou Non attendu.", line, "itinerance")
        week = {}
        for column, day in self.DAYS.items():
            if column in raw:
                week[day] = self._day(filename, line, column, text(column), notes)
        values = {
            "type": self.offer_type,
            "name": name,
            "address": text("adresse"),
            "address_complement": text("complement_adresse"),
            "postcode": postcode,
            "latitude": latitude,
            "longitude": longitude,
            "opening_hours": opening_hours.format_week(week),
            "hours_note": text("commentaire"),
            "is_mobile": mobile == "Oui",
            "phone": text("telephone"),
            "email": text("mail"),
            "source": self.source,
            "source_id": source_id,
            "source_details": {key: text(key) for key in self.DETAILS if text(key)},
        }
        opening_hours.validate(values["opening_hours"])
        return SourceRow(filename, line, source_id, commune_code, departement, values)

    @staticmethod
    def _coordinate(filename, line, raw, column, bound) -> float | None:
        value = raw.get(column, "").strip()
        if not value:
            return None
        if not DECIMAL_POINT.match(value):
            raise _error(
                filename, f"coordonnée invalide « {value} » (nombre à point décimal attendu).", line, column
            )
        number = float(value)
        if not -bound <= number <= bound:
            raise _error(
                filename, f"{column} {value} hors de [-{bound} ; {bound}] (degrés WGS84).", line, column
            )
        return number

    @staticmethod
    def _day(filename, line, column, value, notes: Counter) -> list[tuple[str, str]]:
        if not value:
            return []
        spans = []
        for part in value.split("/"):
            match = SPAN.match(part.strip())
            if not match:
                raise _error(
                    filename,
                    f"horaires illisibles « {value} » (« 09:00 - 12:00 / 13:30 - 17:00 » attendu).",
                    line,
                    column,
                )
            start, end = match.groups()
            try:
                start_minutes, end_minutes = opening_hours.minutes(start), opening_hours.minutes(end)
            except opening_hours.OpeningHoursError as error:
                raise _error(filename, f"horaires « {value} » : {error}.", line, column) from None
            if start_minutes == end_minutes:
                notes["empty_spans"] += 1  # 00:00 - 00:00: no opening
                continue
            if end_minutes < start_minutes:
                raise _error(
                    filename,
                    f"horaires « {value} » : la plage {start} - {end} finit avant de commencer.",
                    line,
                    column,
                )
            spans.append((start, end))
        merged = opening_hours.merge_spans(spans)
        if merged != spans:
            notes["merged_days"] += 1
        return merged


SOURCES = {
    FranceServices.source: FranceServices,
    bpe.InseeBpe.source: bpe.InseeBpe,
    datainclusion_import.SOURCE: datainclusion_import.DataInclusion,
}


# --- Preparing and planning -------------------------------------------------------------------------------


@dataclass
class PreparedFiles:
    source: str
    filenames: list[str]
    sha256: str
    rows: list[SourceRow]
    notes: Counter = field(default_factory=Counter)
    # Rows read when not every row is kept (the BPE keeps the mapped types only); None: every row is kept.
    rows_read: int | None = None


def _detect(header: list[str], filename: str, source: str | None):
    if source is not None:
        if source not in SOURCES:
            known = ", ".join(sorted(SOURCES))
            raise _error(filename, f"source inconnue « {source} » (sources connues : {known}).")
        layout = SOURCES[source]()
        if not layout.matches(header):
            raise _error(
                filename,
                f"en-tête qui n'est pas celui de la {layout.label} (colonnes {', '.join(layout.SIGNATURE)} "
                "attendues).",
                1,
            )
        return layout
    for candidate in SOURCES.values():
        layout = candidate()
        if layout.matches(header):
            return layout
    known = ", ".join(f"{cls.source} ({cls().label})" for cls in SOURCES.values())
    raise _error(filename, f"format de fichier non reconnu d'après l'en-tête (formats connus : {known}).", 1)


def prepare_files(paths: list[Path], *, source: str | None = None) -> PreparedFiles:
    """Reads and checks every file (one source for all), and places every row on a commune in force."""
    if bpe.is_bpe(paths, source):  # read as a stream, in its own module (ctg.offer.bpe)
        return bpe.prepare_files(paths)
    if datainclusion_import.is_datainclusion(paths, source):  # JSON or CSV, in ctg.offer.datainclusion_import
        return datainclusion_import.prepare_files(paths)
    if not paths:
        raise OfferImportError("Aucun fichier à importer.")
    digest = hashlib.sha256()
    rows: list[SourceRow] = []
    notes: Counter = Counter()
    found_source = None
    first_line: dict[str, tuple[str, int]] = {}
    if source is not None and source not in SOURCES:
        raise OfferImportError(
            f"Source inconnue « {source} » (sources connues : {', '.join(sorted(SOURCES))})."
        )
    # Every known format is a CSV with « , » (ANCT): the header, read with it, then says which format it is.
    separator = SOURCES[source].separator if source else ","
    for path in paths:
        path = Path(path)
        filename = path.name
        try:
            data = path.read_bytes()
        except OSError as error:
            raise OfferImportError(f"{filename} : lecture impossible ({error.strerror}).") from None
        header, raw_rows = read_rows(data, filename, separator)
        layout = _detect(header, filename, source)
        if found_source is not None and layout.source != found_source:
            raise _error(
                filename, f"source {layout.source} différente de celle des autres fichiers ({found_source})."
            )
        found_source = layout.source
        layout.check_header(header, filename)
        digest.update(data)
        for line, raw in raw_rows:
            row = layout.row(filename, line, raw, notes)
            if row.source_id in first_line:
                other_file, other_line = first_line[row.source_id]
                where = (
                    f"ligne {other_line}" if other_file == filename else f"{other_file}, ligne {other_line}"
                )
                raise _error(
                    filename, f"identifiant « {row.source_id} » en double (déjà {where}).", line, "id_fs"
                )
            first_line[row.source_id] = (filename, line)
            rows.append(row)
    _place_on_communes(rows)
    return PreparedFiles(found_source, [Path(p).name for p in paths], digest.hexdigest(), rows, notes)


def _place_on_communes(rows: list[SourceRow], column: str = "insee_com") -> None:
    codes = {row.commune_code for row in rows}
    plm = {code: plm_commune(code) for code in codes}
    mapping = resolve_commune_codes(code for code in codes if not plm[code])
    mapping.update({code: parent for code, parent in plm.items() if parent})
    active = set(
        Commune.objects.filter(code__in=set(mapping.values()), is_active=True).values_list("code", flat=True)
    )
    for row in rows:
        current = mapping.get(row.commune_code)
        if current is None or current not in active:
            state = (
                "plus en vigueur, sans commune actuelle" if current else "inconnu du référentiel territorial"
            )
            raise _error(
                row.filename,
                f"code commune « {row.commune_code} » {state} "
                "(chargez le référentiel : ctg load_territories).",
                row.line,
                column,
            )
        row.values["commune_id"] = current
        row.values["source_commune_code"] = row.commune_code if current != row.commune_code else ""


@dataclass
class ImportPlan:
    source: str
    filenames: list[str]
    sha256: str
    rows_read: int
    create: list[SourceRow] = field(default_factory=list)
    update: list[tuple[Structure, SourceRow, dict]] = field(default_factory=list)
    unchanged: list[Structure] = field(default_factory=list)
    missing: list[Structure] = field(default_factory=list)
    # Structures of the source in départements the files do not cover: left as they are.
    untouched: int = 0
    by_departement: dict = field(default_factory=dict)
    notes: Counter = field(default_factory=Counter)

    @property
    def back_count(self) -> int:
        return sum(1 for _s, _r, changes in self.update if "missing_from_source" in changes)

    @property
    def updated_count(self) -> int:
        return sum(1 for _s, _r, changes in self.update if set(changes) - set(services.MISSING_FIELDS))


def plan_import(prepared: PreparedFiles) -> ImportPlan:
    """What importing `prepared` would do to the inventory, per département; writes nothing."""
    rows_read = len(prepared.rows) if prepared.rows_read is None else prepared.rows_read
    plan = ImportPlan(prepared.source, prepared.filenames, prepared.sha256, rows_read, notes=prepared.notes)
    departement_of = dict(
        Commune.objects.filter(code__in={row.values["commune_id"] for row in prepared.rows}).values_list(
            "code", "departement_id"
        )
    )
    existing = {
        s.source_id: s for s in Structure.objects.filter(source=prepared.source).exclude(source_id="")
    }
    counts: dict[str, Counter] = defaultdict(Counter)
    for row in prepared.rows:
        departement = departement_of[row.values["commune_id"]]
        counts[departement]["rows"] += 1
        structure = existing.get(row.source_id)
        if structure is None:
            plan.create.append(row)
            counts[departement]["created"] += 1
            continue
        values = {**row.values, "missing_from_source": False, "missing_since": None}
        row.values = values
        changes = services.compare(structure, values)
        if not changes:
            plan.unchanged.append(structure)
            counts[departement]["unchanged"] += 1
            continue
        plan.update.append((structure, row, changes))
        if set(changes) - set(services.MISSING_FIELDS):
            counts[departement]["updated"] += 1
        if "missing_from_source" in changes:
            counts[departement]["back"] += 1
    listed = {row.source_id for row in prepared.rows}
    covered = set(counts)
    gone = [s for source_id, s in existing.items() if source_id not in listed and not s.missing_from_source]
    gone_departements = dict(
        Commune.objects.filter(code__in={s.commune_id for s in gone}).values_list("code", "departement_id")
    )
    for structure in sorted(gone, key=lambda s: s.source_id):
        departement = gone_departements[structure.commune_id]
        if departement in covered:
            plan.missing.append(structure)
            counts[departement]["missing"] += 1
        else:
            plan.untouched += 1
    plan.by_departement = {
        dep: {key: counts[dep][key] for key in ("rows", "created", "updated", "unchanged", "missing", "back")}
        for dep in sorted(counts)
    }
    return plan


def preview(paths: list[Path], *, source: str | None = None) -> ImportPlan:
    """The plan of an import, files checked whole; nothing is written."""
    return plan_import(prepare_files(paths, source=source))


def import_offer(
    paths: list[Path], *, source: str | None = None, actor=None, imported_as: str = ""
) -> tuple[OfferImport, ImportPlan]:
    """Checks the files, then writes the plan in one transaction (`services.apply_import`)."""
    prepared = prepare_files(paths, source=source)
    # Two imports of one source run one after the other: the second plans against what the first wrote.
    with services.source_lock(prepared.source), transaction.atomic():
        plan = plan_import(prepared)
        record = services.apply_import(plan, actor=actor, imported_as=imported_as)
    return record, plan
