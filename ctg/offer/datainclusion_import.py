"""data·inclusion exports (structures and services) into the inventory of the offer of services.

One more reader of `ctg.offer.importers`: it produces the same row records (`SourceRow`), placed on the
communes in force by the same `_place_on_communes`, planned by `plan_import` and written by
`services.apply_import` (journal `OfferImport`, history `StructureEvent`, lock per source). Nothing else.

**Layout, as published** (confirmed in the data·inclusion pipeline, repository gip-inclusion/data-inclusion,
``pipeline/dags/data_inclusion/pipeline/dags/publish_opendata/``: ``dag.py``, ``helpers.py``,
``constants.py``). Every week the tables ``marts__structures_v1`` and ``marts__services_v1`` (schema v1) are
published on data.gouv.fr, dataset ``6233723c2c1e4a54af2f6b2d``, one resource per table and format, named
``structures-inclusion-AAAA-MM-JJ.<format>`` and ``services-inclusion-AAAA-MM-JJ.<format>`` (csv, json,
geojson, parquet, xlsx). Rows flagged invalid, closed structures and internal columns (``_…``) are removed
before. Read here:

* JSON: pandas ``to_json(orient="records", force_ascii=False)``: one UTF-8 array of objects, keyed by the
  fields of the model, null for an absent value, lists as arrays (often all on one line: a fault is then named
  by its record number). An object ``{"items": [...]}`` (a page of the data·inclusion API) is read too.
* CSV: pandas ``to_csv(index=False)``: « , » separator, a header of field names, minimal quoting, an empty
  cell for an absent value. A list cell (``reseaux_porteurs``, ``thematiques``…) is accepted as written by
  pandas for a Python list (``['fcsf', 'caf']``), as JSON (``["fcsf"]``), as a PostgreSQL array
  (``{fcsf,caf}``) or as plain values separated by « , ».
* Dates (``date_maj``): ISO ``AAAA-MM-JJ``; a whole number of milliseconds since 1970 (what pandas writes for
  a date column in JSON by default) is read as well: not confirmed on a published file, both are accepted.

Field names and rules are the package's (`data-inclusion-schema`, pinned in requirements.txt,
``data_inclusion.schema.v1.Structure`` and ``Service``): each record is validated by the model, and a record
the model refuses refuses the whole import with a French message naming the file, the record (number and
line) and the field. Columns the model does not know are ignored. Required columns of a CSV file: the model's
required fields, plus ``code_insee`` and ``reseaux_porteurs`` (structures) — the others may be absent.

**Mapping.** ``id`` → `source_id` (unique over the whole dataset: data·inclusion builds it from the producer
and the producer's id, ``dora--42``). Source: one source, ``data-inclusion`` (the consolidated dataset; the
producer, ``source`` in the record, is kept in ``source_details["producteur"]``): a re-import of the
dataset, or of an extract of it, updates the same structures, and what a file no longer lists is marked
missing in the départements the file covers (``data-inclusion:<producteur>`` was not chosen: a source code is
``[a-z0-9-]`` for the lock, and one dataset file mixes every producer). ``nom``, ``adresse``,
``complement_adresse``, ``code_postal``, ``latitude``, ``longitude``, ``telephone``, ``courriel``,
``site_web``, ``accessibilite_lieu`` (→ `accessibility_url`) as published; ``code_insee`` → the commune in
force today (older COG codes and arrondissements mapped like the other importers); ``horaires_accueil`` →
`opening_hours` when the OpenStreetMap parser reads it (`ctg.offer.opening_hours`), else kept as written in
`hours_note`; ``date_maj`` → `last_update`.

Type: from ``reseaux_porteurs`` through `ctg.offer.typology.by_data_inclusion`. A record whose networks map
to none of our types (or that has none), or that has no ``code_insee``, is not an error: it is skipped and
counted, with the reason, in the preview. When its networks map to several of our types, the name decides
between centre social and EVS, CCAS and CIAS (« espace de vie sociale », « intercommunal »…), else the first
in the order of the typology; the preview counts those choices.

**Services.** Each service (``nom``, ``type``, ``thematiques`` and a summary of its ``description``) is
attached to its structure in ``source_details["services"]`` (sorted by id). A services file is imported with
the structures file(s) it refers to: a service whose ``structure_id`` is in none of them refuses the import; a
service of a skipped structure is skipped and counted. An import of structures without a services file keeps
the services the inventory already holds for each structure.
"""

import ast
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from data_inclusion.schema.v1 import Service as DataInclusionService
from data_inclusion.schema.v1 import Structure as DataInclusionStructure
from data_inclusion.schema.v1 import Thematique, TypeService
from pydantic import ValidationError

from ctg.diagnostics.importers import COMMUNE_CODE
from ctg.offer import opening_hours, typology

SOURCE = "data-inclusion"
STRUCTURES, SERVICES = "structures", "services"
MAX_FILE_BYTES = 2 * 1024**3
SUMMARY_LENGTH = 300
SIGNATURE = ("id", "nom", "date_maj", "source")
REQUIRED_COLUMNS = {
    STRUCTURES: ("source", "id", "nom", "date_maj", "code_insee", "reseaux_porteurs"),
    SERVICES: ("source", "structure_id", "id", "nom", "description", "date_maj"),
}
# The fields of the models that hold lists (a CSV cell is parsed into a list for them).
LIST_FIELDS = {
    STRUCTURES: frozenset({"reseaux_porteurs"}),
    SERVICES: frozenset(
        {
            "thematiques",
            "publics",
            "modes_accueil",
            "zone_eligibilite",
            "modes_mobilisation",
            "mobilisable_par",
        }
    ),
}
assert LIST_FIELDS[STRUCTURES] <= set(DataInclusionStructure.model_fields)
assert LIST_FIELDS[SERVICES] <= set(DataInclusionService.model_fields)
# Longest text per field, those of `Structure`'s columns.
MAX_LENGTHS = {
    "id": 100,
    "nom": 250,
    "adresse": 250,
    "complement_adresse": 250,
    "telephone": 30,
    "courriel": 254,
    "site_web": 500,
    "accessibilite_lieu": 500,
}
# When the networks give several of our types: words of the name that choose one.
NAME_HINTS = {
    "evs": ("espace de vie sociale", "evs"),
    "cias": ("cias", "intercommunal"),
}

# French names of the fields and of pydantic's error types (as `ctg.offer.datainclusion` does for the export).
LABELS = {
    "id": "identifiant",
    "structure_id": "identifiant de la structure",
    "nom": "nom",
    "source": "producteur",
    "date_maj": "date de mise à jour",
    "code_postal": "code postal",
    "code_insee": "code commune",
    "courriel": "courriel",
    "site_web": "site internet",
    "telephone": "téléphone",
    "horaires_accueil": "horaires d'accueil",
    "accessibilite_lieu": "fiche d'accessibilité",
    "reseaux_porteurs": "réseaux porteurs",
    "thematiques": "thématiques",
    "type": "type de service",
    "description": "description",
    "latitude": "latitude",
    "longitude": "longitude",
    "siret": "SIRET",
}
ERRORS = {
    "missing": "manquant",
    "string_type": "texte attendu",
    "string_too_short": "trop court",
    "string_too_long": "trop long",
    "string_pattern_mismatch": "format non reconnu",
    "url_parsing": "adresse web non reconnue",
    "url_scheme": "adresse web non reconnue",
    "url_type": "adresse web non reconnue",
    "value_error": "valeur refusée",
    "date_from_datetime_inexact": "date non reconnue",
    "date_from_datetime_parsing": "date non reconnue (AAAA-MM-JJ attendu)",
    "date_parsing": "date non reconnue (AAAA-MM-JJ attendu)",
    "date_type": "date non reconnue (AAAA-MM-JJ attendu)",
    "float_parsing": "nombre non reconnu",
    "float_type": "nombre attendu",
    "int_parsing": "nombre entier non reconnu",
    "enum": "valeur hors de la liste data·inclusion",
    "set_type": "liste attendue",
    "list_type": "liste attendue",
    "too_short": "liste vide",
    "greater_than_equal": "valeur trop petite",
    "literal_error": "valeur hors de la liste data·inclusion",
}
JSON_ERRORS = {
    "Expecting value": "valeur attendue",
    "Expecting ',' delimiter": "virgule attendue",
    "Expecting ':' delimiter": "deux-points attendus",
    "Expecting property name enclosed in double quotes": "nom de champ entre guillemets attendu",
    "Unterminated string starting at": "texte entre guillemets non terminé",
    "Invalid control character at": "caractère de contrôle dans un texte",
    "Invalid \\escape": "échappement invalide",
}


class DataInclusion:
    """The layout entry of `ctg.offer.importers.SOURCES` (the files are read by this module)."""

    source = SOURCE
    label = "export data·inclusion (structures et services, schéma v1)"
    separator = ","
    SIGNATURE = SIGNATURE

    def matches(self, header: list[str]) -> bool:
        return all(name in header for name in self.SIGNATURE)


# --- Errors -------------------------------------------------------------------------------------------------


@dataclass
class Record:
    filename: str
    number: int  # 1, 2… in the file
    line: int | None  # where the record starts
    is_csv: bool
    raw: dict


def _error(filename: str, message: str, *, line=None, record=None, column=None, is_csv=True):
    from ctg.offer.importers import OfferImportError

    parts = [filename]
    if record is not None and not is_csv:
        parts.append(f"enregistrement n° {record}")
    if line is not None:
        parts.append(f"ligne {line}")
    if column is not None:
        parts.append(f"{'colonne' if is_csv else 'champ'} {column}")
    return OfferImportError(f"{', '.join(parts)} : {message}")


def _record_error(record: Record, message: str, column: str | None = None):
    return _error(
        record.filename,
        message,
        line=record.line,
        record=record.number,
        column=column,
        is_csv=record.is_csv,
    )


def _shown(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "…"


def _reasons(error: ValidationError) -> tuple[str, str]:
    """(the first field at fault, every fault in French)."""
    reasons, first = [], ""
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else ""
        first = first or name
        label = LABELS.get(name, name.replace("_", " "))
        if item["type"] == "value_error" and name == "date_maj":
            # The package's own message, in French (« … ne peut pas être dans le futur. »).
            reason = str(item.get("ctx", {}).get("error", "")).rstrip(".") or "valeur refusée"
        elif item["type"] == "value_error" and name == "courriel":
            reason = "adresse de courriel non reconnue"
        elif item["type"] == "value_error" and name == "publics":
            reason = str(item.get("ctx", {}).get("error", "")).rstrip(".") or "valeur refusée"
        else:
            reason = ERRORS.get(item["type"], "valeur refusée")
        if item["type"] != "missing" and item.get("input") not in (None, ""):
            reason += f", « {_shown(item['input'])} » lu"
        reasons.append(f"{label} : {reason}")
    return first, " ; ".join(reasons)


# --- Reading ------------------------------------------------------------------------------------------------


def _is_json(data: bytes) -> bool:
    return data.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")[:1] in (b"[", b"{")


def _first_bytes(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(64 * 1024)


def is_datainclusion(paths, source: str | None) -> bool:
    """Whether the files are to be read by this module: `--source data-inclusion`, or the first file is JSON
    (no other source is), or its CSV header (« , ») names id, nom, date_maj and source."""
    if source is not None:
        return source == SOURCE
    if not paths:
        return False
    try:
        start = _first_bytes(Path(paths[0]))
    except OSError:
        return False  # the ordinary path says why it cannot be read
    if _is_json(start):
        return True
    first = start.split(b"\n", 1)[0].decode("utf-8", "replace").removeprefix("\ufeff")
    names = {name.strip().strip('"').strip() for name in first.split(",")}
    return all(name in names for name in SIGNATURE)


def _json_message(error: json.JSONDecodeError) -> str:
    for english, french in JSON_ERRORS.items():
        if error.msg.startswith(english):
            return french
    return "syntaxe non reconnue"


def _json_records(data: bytes, filename: str) -> list[Record]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _error(
            filename,
            f"encodage invalide (octet 0x{data[error.start]:02X} non UTF-8) : le fichier doit être en UTF-8.",
            line=line,
        ) from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise _error(filename, "octet nul (0x00) : le fichier est endommagé ou n'est pas du JSON.", line=line)
    decoder = json.JSONDecoder()

    def bad(error: json.JSONDecodeError):
        if error.pos >= len(text.rstrip()):
            message = "JSON mal formé, fin du fichier au milieu d'un enregistrement (fichier tronqué ?)."
        else:
            message = f"JSON mal formé, {_json_message(error)} (colonne {error.colno})."
        return _error(filename, message, line=error.lineno)

    def skip(index: int) -> int:
        while index < len(text) and text[index] in " \t\r\n":
            index += 1
        return index

    index = skip(0)
    if text[index] == "{":  # a page of the API: {"items": [...], ...}
        try:
            page = json.loads(text)
        except json.JSONDecodeError as error:
            raise bad(error) from None
        if not isinstance(page.get("items"), list):
            raise _error(
                filename, "objet JSON sans liste « items » : tableau d'enregistrements attendu.", line=1
            )
        return [Record(filename, number, None, False, raw) for number, raw in enumerate(page["items"], 1)]
    records: list[Record] = []
    index, line, counted = skip(index + 1), 1, 0
    if index < len(text) and text[index] == "]":
        return records
    while True:
        if index >= len(text):
            raise _error(
                filename,
                "fin du fichier avant la fin du tableau (fichier tronqué ?).",
                line=text.count("\n") + 1,
            )
        line += text.count("\n", counted, index)
        counted = index
        try:
            raw, index = decoder.raw_decode(text, index)
        except json.JSONDecodeError as error:
            raise bad(error) from None
        records.append(Record(filename, len(records) + 1, line, False, raw))
        index = skip(index)
        if index < len(text) and text[index] == ",":
            index = skip(index + 1)
            if index < len(text) and text[index] == "]":
                line += text.count("\n", counted, index)
                raise _error(filename, "JSON mal formé, virgule en trop avant « ] ».", line=line)
            continue
        if index < len(text) and text[index] == "]":
            index = skip(index + 1)
            break
        if index >= len(text):
            continue  # reported above: truncated
        line += text.count("\n", counted, index)
        raise _error(filename, "JSON mal formé, virgule ou « ] » attendu après un enregistrement.", line=line)
    if index < len(text):
        raise _error(
            filename, "texte après la fin du tableau d'enregistrements.", line=text.count("\n", 0, index) + 1
        )
    return records


def _csv_records(data: bytes, filename: str) -> tuple[list[str], list[Record]]:
    from ctg.offer.importers import read_rows

    header, rows = read_rows(data, filename, ",")
    return header, [Record(filename, number, line, True, raw) for number, (line, raw) in enumerate(rows, 1)]


def _csv_list(record: Record, column: str, text: str) -> list | None:
    text = text.strip()
    if not text:
        return None
    try:
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                value = ast.literal_eval(text)  # a Python list, as pandas writes one
        elif text.startswith("{") and text.endswith("}"):
            value = [part.strip().strip('"') for part in text[1:-1].split(",") if part.strip()]
        else:
            value = [part.strip() for part in text.split(",") if part.strip()]
    except (ValueError, SyntaxError):
        raise _record_error(
            record, f"liste illisible « {_shown(text)} » (par exemple « ['fcsf', 'caf'] »).", column
        ) from None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _record_error(record, f"liste de codes attendue, « {_shown(text)} » lu.", column)
    return value


def _csv_values(record: Record, kind: str) -> dict:
    """The CSV row as the JSON record would be: empty → absent (None), list cells as lists."""
    values = {}
    for column, text in record.raw.items():
        if column in LIST_FIELDS[kind]:
            values[column] = _csv_list(record, column, text)
        else:
            text = text.strip()
            values[column] = text or None
    return values


def _kind(keys, filename: str, line=None) -> str:
    keys = set(keys)
    if "structure_id" in keys:
        return SERVICES
    if set(SIGNATURE) <= keys:
        return STRUCTURES
    raise _error(
        filename,
        "format non reconnu : ni les structures ni les services de data·inclusion (champs "
        f"{', '.join(SIGNATURE)} attendus, structure_id en plus pour les services).",
        line=line,
    )


def read_file(path: Path) -> tuple[str, list[Record], bytes]:
    """(structures or services, records, bytes) of one file, JSON or CSV."""
    path = Path(path)
    filename = path.name
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise _error(filename, "fichier de plus de 2 Gio : ce n'est pas un export data·inclusion.")
        data = path.read_bytes()
    except OSError as error:
        from ctg.offer.importers import OfferImportError

        raise OfferImportError(f"{filename} : lecture impossible ({error.strerror}).") from None
    if not data.strip():
        raise _error(filename, "fichier vide.")
    if _is_json(data):
        records = _json_records(data, filename)
        if not records:
            raise _error(filename, "aucun enregistrement dans le tableau JSON.")
        for record in records:
            if not isinstance(record.raw, dict):
                raise _record_error(record, "objet JSON attendu (un enregistrement par objet).")
        kind = _kind(records[0].raw, filename, records[0].line)
        return kind, records, data
    header, records = _csv_records(data, filename)
    kind = _kind(header, filename, 1)
    for name in REQUIRED_COLUMNS[kind]:
        if name not in header:
            raise _error(
                filename,
                f"colonne obligatoire « {name} » absente ({kind} data·inclusion).",
                line=1,
                column=name,
            )
    for record in records:
        record.raw = _csv_values(record, kind)
    return kind, records, data


def _validate(model, record: Record):
    try:
        return model.model_validate(record.raw)
    except ValidationError as error:
        field, reasons = _reasons(error)
        message = f"enregistrement refusé par le schéma data·inclusion : {reasons}."
        raise _record_error(record, message, field) from None


def _text(record: Record, name: str) -> str:
    value = record.raw.get(name)
    text = value.strip() if isinstance(value, str) else ""
    limit = MAX_LENGTHS.get(name)
    if limit is not None and len(text) > limit:
        raise _record_error(record, f"texte de {len(text)} caractères, {limit} au plus.", name)
    return text


# --- Mapping ------------------------------------------------------------------------------------------------


def _type_of(networks: list[str], name: str) -> tuple[str | None, bool]:
    """(our type for the networks, whether several of our types were possible)."""
    candidates: list[str] = []
    for item in typology.TYPES:
        if any(code in item.data_inclusion for code in networks) and item.code not in candidates:
            candidates.append(item.code)
    if not candidates:
        return None, False
    if len(candidates) > 1:
        lowered = name.lower()
        for code in candidates:
            if any(re.search(rf"\b{hint}", lowered) for hint in NAME_HINTS.get(code, ())):
                return code, True
    return candidates[0], len(candidates) > 1


def _summary(text: str | None) -> str:
    text = " ".join((text or "").split())
    if len(text) <= SUMMARY_LENGTH:
        return text
    cut = text[:SUMMARY_LENGTH].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def _structure_row(record: Record, model, notes: Counter, skipped: dict):
    from ctg.offer.importers import SourceRow

    source_id = _text(record, "id")
    name = _text(record, "nom")
    networks = sorted(network.value for network in model.reseaux_porteurs or ())
    reason = None
    offer_type, chosen = _type_of(networks, name) if networks else (None, False)
    if not networks:
        reason = "aucun réseau porteur (reseaux_porteurs vide)"
    elif offer_type is None:
        reason = f"réseau porteur sans type dans la typologie : {', '.join(networks)}"
    elif not model.code_insee:
        reason = "sans code commune (code_insee vide)"
    if reason is not None:
        notes[f"di_skipped:{reason}"] += 1
        skipped[source_id] = reason
        return None
    if chosen:
        notes["di_type_choice"] += 1
    commune_code = model.code_insee.upper()
    if not COMMUNE_CODE.match(commune_code):
        raise _record_error(
            record,
            f"code commune invalide « {commune_code} » (5 caractères attendus, par exemple 81004 ou 2A004).",
            "code_insee",
        )
    for axis, value, bound in (("latitude", model.latitude, 90), ("longitude", model.longitude, 180)):
        if value is not None and not -bound <= value <= bound:
            raise _record_error(record, f"{axis} {value} hors de [-{bound} ; {bound}] (degrés WGS84).", axis)
    if (model.latitude is None) != (model.longitude is None):
        raise _record_error(record, "latitude et longitude vont ensemble : l'une est vide.", "latitude")
    hours = (model.horaires_accueil or "").strip()
    hours_note = ""
    try:
        if len(hours) > 500:
            raise opening_hours.OpeningHoursError("trop long")
        opening_hours.validate(hours)
    except opening_hours.OpeningHoursError:
        hours, hours_note = "", hours
        notes["di_hours_note"] += 1
    details = {
        "producteur": model.source,
        "reseaux_porteurs": networks,
        "siret": model.siret or "",
        "lien_source": _text(record, "lien_source"),
        "description": _summary(model.description),
    }
    values = {
        "type": offer_type,
        "name": name,
        "address": _text(record, "adresse"),
        "address_complement": _text(record, "complement_adresse"),
        "postcode": model.code_postal or "",
        "latitude": model.latitude,
        "longitude": model.longitude,
        "opening_hours": hours,
        "hours_note": hours_note,
        "phone": _text(record, "telephone"),
        "email": _text(record, "courriel"),
        "website": _text(record, "site_web"),
        "accessibility_url": _text(record, "accessibilite_lieu"),
        "last_update": model.date_maj,
        "source": SOURCE,
        "source_id": source_id,
        "source_details": {key: value for key, value in details.items() if value},
    }
    departement = commune_code[:3] if commune_code.startswith("97") else commune_code[:2]
    return SourceRow(record.filename, record.line or 1, source_id, commune_code, departement, values)


def _service(record: Record) -> tuple[str, dict]:
    model = _validate(DataInclusionService, record)
    themes = sorted(theme.value for theme in model.thematiques or ())
    service = {
        "id": _text(record, "id"),
        "nom": model.nom,
        "type": model.type.value if model.type else "",
        "type_label": TypeService(model.type).label if model.type else "",
        "thematiques": themes,
        "thematiques_labels": [Thematique(code).label for code in themes],
        "resume": _summary(model.description),
    }
    return model.structure_id, service


def _duplicate(record: Record, seen: dict, key: str, column: str):
    if key in seen:
        other: Record = seen[key]
        where = f"ligne {other.line}" if other.is_csv else f"enregistrement n° {other.number}"
        if other.filename != record.filename:
            where = f"{other.filename}, {where}"
        raise _record_error(record, f"identifiant « {key} » en double (déjà {where}).", column)
    seen[key] = record


def prepare_files(paths):
    """`ctg.offer.importers.prepare_files` for data·inclusion: every file read and checked whole, structures
    then services, rows placed on communes in force."""
    from ctg.offer.importers import OfferImportError, PreparedFiles, _place_on_communes
    from ctg.offer.models import Structure

    if not paths:
        raise OfferImportError("Aucun fichier à importer.")
    digest = hashlib.sha256()
    files = {STRUCTURES: [], SERVICES: []}
    for path in paths:
        kind, records, data = read_file(path)
        digest.update(data)
        files[kind].append(records)
    if files[SERVICES] and not files[STRUCTURES]:
        first = files[SERVICES][0][0].filename
        raise _error(
            first,
            "fichier de services sans fichier de structures : importez-les ensemble (les services sont "
            "rattachés aux structures du même import).",
        )
    notes: Counter = Counter()
    rows, skipped, seen = [], {}, {}
    rows_read = 0
    for records in files[STRUCTURES]:
        for record in records:
            rows_read += 1
            model = _validate(DataInclusionStructure, record)
            _duplicate(record, seen, _text(record, "id"), "id")
            row = _structure_row(record, model, notes, skipped)
            if row is not None:
                rows.append(row)
    by_id = {row.source_id: row for row in rows}
    attached: dict[str, list[dict]] = {}
    seen_services: dict = {}
    for records in files[SERVICES]:
        for record in records:
            structure_id, service = _service(record)
            _duplicate(record, seen_services, service["id"], "id")
            if structure_id in skipped:
                notes["di_services_skipped"] += 1
                continue
            if structure_id not in by_id:
                raise _record_error(
                    record,
                    f"structure « {_shown(structure_id)} » inconnue : absente des fichiers de structures de "
                    "cet import.",
                    "structure_id",
                )
            attached.setdefault(structure_id, []).append(service)
            notes["di_services"] += 1
    if files[SERVICES]:
        for source_id, row in by_id.items():
            services = sorted(attached.get(source_id, []), key=lambda item: item["id"])
            if services:
                row.values["source_details"]["services"] = services
    else:  # structures only: each keeps the services the inventory holds
        held = Structure.objects.filter(source=SOURCE, source_id__in=list(by_id)).values_list(
            "source_id", "source_details"
        )
        for source_id, details in held:
            if isinstance(details, dict) and details.get("services"):
                by_id[source_id].values["source_details"]["services"] = details["services"]
    _place_on_communes(rows, column="code_insee")
    prepared = PreparedFiles(SOURCE, [Path(p).name for p in paths], digest.hexdigest(), rows, notes)
    prepared.rows_read = rows_read
    return prepared


def describe_notes(notes: Counter) -> list[str]:
    """The lines of the preview about what the data·inclusion reader skipped or chose, in French."""
    lines = []
    skipped = sorted(
        (key.removeprefix("di_skipped:"), n) for key, n in notes.items() if key.startswith("di_skipped:")
    )
    if skipped:
        lines.append(f"structures écartées (ni erreur ni import) : {sum(n for _r, n in skipped)}")
        lines.extend(f"  {reason} : {n}" for reason, n in skipped)
    if notes.get("di_type_choice"):
        lines.append(
            "structures aux réseaux de plusieurs de nos types (choisi d'après le nom, sinon le premier) : "
            f"{notes['di_type_choice']}"
        )
    if notes.get("di_hours_note"):
        lines.append(
            "horaires hors syntaxe OpenStreetMap, gardés en précisions sur l'accueil : "
            f"{notes['di_hours_note']}"
        )
    if notes.get("di_services"):
        lines.append(f"services rattachés à leur structure : {notes['di_services']}")
    if notes.get("di_services_skipped"):
        lines.append(f"services de structures écartées, non repris : {notes['di_services_skipped']}")
    return lines
