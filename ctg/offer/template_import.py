"""The template of the offer of services (issue 12): a CSV or Excel file the dossier's editors download, fill
and import back — the structures a list does not give (a centre social, an ALSH…) and the assistantes
maternelles counted per commune (type `assistantes_maternelles`, « places » = their number).

Each line carries an « identifiant » the person chooses and keeps: importing the file again changes the
structure of that identifiant (source `modele`), never creates a second one. The import is all-or-nothing:
any error (named by file, line and column, in French) refuses the whole file; communes must be in the
dossier's territory. Every write goes through `ctg.offer.services` (`template_apply`).
"""

import csv
import datetime
import hashlib
import io
import re
from dataclasses import dataclass, field

from ctg.datafiles import (
    FORMULA_STARTS,
    CellError,
    FileRefused,
    Formula,
    csv_writer,
    open_xlsx,
    xlsx_append,
    xlsx_rows,
)
from ctg.diagnostics.importers import decoded_lines
from ctg.offer import funding, opening_hours, typology
from ctg.offer.models import Structure
from ctg.offer.services import compare

SOURCE = "modele"
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
HELP_MARK = "(aide)"
SHEET = "Structures"
README = "Lisez-moi"
IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
URL = re.compile(r"^https?://[^\s/$.?#].[^\s]*$")

# (key, header, help)
COLUMNS = (
    ("identifiant", "identifiant", f"{HELP_MARK} Votre identifiant de la structure, à garder (ex. CS-001)"),
    ("type", "type", "Code du type (voir la liste des types), ex. centre_social, assistantes_maternelles"),
    ("name", "nom", "Nom de la structure (obligatoire)"),
    ("commune", "code commune", "Code Insee de la commune (5 caractères), dans le territoire du dossier"),
    ("address", "adresse", "Numéro et voie"),
    ("postcode", "code postal", "5 chiffres"),
    ("public", "public", "Public accueilli, ex. familles, 0-3 ans"),
    ("capacity", "places", "Nombre de places ; pour les assistantes maternelles : leur nombre"),
    ("opening_hours", "horaires", "Syntaxe OpenStreetMap, ex. Mo-Fr 09:00-12:00,13:30-17:00"),
    ("phone", "téléphone", ""),
    ("email", "courriel", ""),
    ("website", "site internet", "Adresse complète, ex. https://www.exemple.fr"),
    ("status", "statut", "ouvert, en projet ou fermé (ouvert si vide)"),
    ("expected_opening", "ouverture prévue", "JJ/MM/AAAA, obligatoire pour une structure en projet"),
    (
        "caf_funding",
        "financements caf",
        "Codes ou intitulés des financements de la CAF séparés par « ; », ex. psu ; bonus_territoire",
    ),
    ("caf_funding_note", "précisions financements", "500 caractères au plus"),
    (
        "accessibility",
        "accessibilité",
        "accessible, partielle, non_accessible ou inconnue (ou leur intitulé)",
    ),
    ("accessibility_note", "précisions accessibilité", "500 caractères au plus"),
    (
        "accessibility_url",
        "fiche accessibilité",
        "Adresse complète, ex. sa fiche acceslibre.beta.gouv.fr",
    ),
)
HEADERS = [header for _key, header, _help in COLUMNS]
# The columns added after the first version of the template (CAF funding, accessibility): a file of that
# version (without them) is still read, and leaves these fields of its structures as they are.
ADDED = ("caf_funding", "caf_funding_note", "accessibility", "accessibility_note", "accessibility_url")
NOTES = ("caf_funding_note", "accessibility_note", "accessibility_url")
FIRST_HEADERS = [header for key, header, _help in COLUMNS if key not in ADDED]
STATUSES = {
    "": Structure.Status.OPEN,
    "ouvert": Structure.Status.OPEN,
    "ouverte": Structure.Status.OPEN,
    "en projet": Structure.Status.PLANNED,
    "en_projet": Structure.Status.PLANNED,
    "ferme": Structure.Status.CLOSED,
    "fermé": Structure.Status.CLOSED,
    "fermée": Structure.Status.CLOSED,
}
FUNDING_SEPARATOR = ";"


def _key(text: str) -> str:
    """A code or a label as compared: lower case, typographic apostrophes and spaces made plain."""
    text = text.replace("\u2019", "'").replace("\u00a0", " ").replace("\u202f", " ")
    return " ".join(text.split()).lower()


def _funding_names() -> dict[str, str]:
    """{code, label or acronym in the label (« PSU »): code}, compared by `_key`."""
    names = {}
    for code, label in funding.choices():
        names[_key(code)] = code
        names[_key(label)] = code
        acronym = re.search(r"\(([A-Z]{2,})\)$", label)
        if acronym:
            names[_key(acronym.group(1))] = code
    return names


FUNDING_NAMES = _funding_names()
ACCESSIBILITY_NAMES = {
    "": Structure.Accessibility.UNKNOWN,
    **{_key(value): value for value in Structure.Accessibility.values},
    **{_key(str(label)): value for value, label in Structure.Accessibility.choices},
}


class TemplateError(Exception):
    """The file is refused; the message names the file, the line and the column, in French."""


def _error(filename, message, line=None, column=None) -> TemplateError:
    parts = [filename]
    if line is not None:
        parts.append(f"ligne {line}")
    if column is not None:
        parts.append(f"colonne « {column} »")
    return TemplateError(f"{', '.join(parts)} : {message}")


# --- writing the template ------------------------------------------------------------------------------


def template_rows(structures) -> list[list]:
    """The lines of the template: the structures already imported from it (so that they are changed, not
    doubled, when the file comes back)."""
    rows = []
    for s in structures.filter(source=SOURCE).order_by("source_id"):
        rows.append(
            [
                s.source_id,
                s.type,
                s.name,
                s.commune_id,
                s.address,
                s.postcode,
                s.public,
                "" if s.capacity is None else s.capacity,
                s.opening_hours,
                s.phone,
                s.email,
                s.website,
                s.get_status_display().lower(),
                s.expected_opening.strftime("%d/%m/%Y") if s.expected_opening else "",
                f" {FUNDING_SEPARATOR} ".join(funding.labels(s.caf_funding)),
                s.caf_funding_note,
                s.get_accessibility_display(),
                s.accessibility_note,
                s.accessibility_url,
            ]
        )
    return rows


def template_csv(structures) -> bytes:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(HEADERS)
    writer.writerow([help_text or HELP_MARK for _key, _header, help_text in COLUMNS])
    for row in template_rows(structures):
        writer.writerow(row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(structures, territory_communes) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    xlsx_append(sheet, HEADERS)
    xlsx_append(sheet, [help_text or HELP_MARK for _key, _header, help_text in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        cell.font = Font(italic=True)
    sheet.freeze_panes = "A3"
    for row in template_rows(structures):
        xlsx_append(sheet, row)
    readme = workbook.create_sheet(README)
    for line in (
        ["Modèle de l'offre de services"],
        ["Une ligne par structure dès la ligne 3 de la feuille « Structures » (la ligne 2 est l'aide)."],
        ["Gardez l'identifiant de chaque structure : le réimport met à jour la structure qui le porte."],
        ["Assistantes maternelles : une ligne par commune, type assistantes_maternelles, places = nombre."],
        ["Une structure n'est jamais supprimée : passez son statut à « fermé »."],
        ["Financements de la CAF : codes ou intitulés de la liste ci-dessous, séparés par « ; »."],
        [],
        ["Colonne", "Aide"],
        *[[header, help_text.removeprefix(HELP_MARK).strip()] for _key, header, help_text in COLUMNS],
        [],
        ["Code du type", "Type", "Champ d'intervention"],
        *[[item.code, item.label, item.field.label] for item in typology.TYPES],
        [],
        ["Code du financement", "Financement de la CAF"],
        *[[code, label] for code, label in funding.choices()],
        [],
        ["Code de l'accessibilité", "Accessibilité"],
        *[[value, str(label)] for value, label in Structure.Accessibility.choices],
        [],
        ["Code commune", "Commune"],
        *[[commune.code, commune.name] for commune in territory_communes],
    ):
        xlsx_append(readme, line)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- reading ---------------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_file(data: bytes, filename: str) -> list[tuple[int, list[str]]]:
    """The data lines of the file (line number, cells as text), help line and empty lines left out."""
    if len(data) > MAX_BYTES:
        raise _error(filename, f"fichier de plus de {MAX_BYTES // (1024 * 1024)} Mo.")
    if not data.strip():
        raise _error(filename, "le fichier est vide.")
    if data[:2] == b"PK" or filename.lower().endswith(".xlsx"):
        lines = _read_xlsx(data, filename)
    else:
        lines = _read_csv(data, filename)
    if not lines:
        raise _error(filename, "le fichier est vide.")
    header = [cell.strip().lower() for cell in lines[0][1]]
    while header and not header[-1]:
        header.pop()
    first_version = header == FIRST_HEADERS
    if header != HEADERS and not first_version:
        missing = [name for name in HEADERS if name not in header]
        extra = [name for name in header if name not in HEADERS]
        detail = []
        if missing:
            detail.append("colonnes manquantes : " + ", ".join(f"« {name} »" for name in missing))
        if extra:
            detail.append("colonnes inconnues : " + ", ".join(f"« {name} »" for name in extra))
        if not detail:
            detail.append("colonnes dans un autre ordre que celui du modèle")
        raise _error(
            filename, "ce n'est pas le modèle de l'offre de services (" + " ; ".join(detail) + ").", 1
        )
    rows = []
    for number, cells in lines[1:]:
        if cells and cells[0].startswith(HELP_MARK):
            continue
        if not any(cells):
            continue
        width = len(FIRST_HEADERS) if first_version else len(HEADERS)
        if len(cells) > width and any(cells[width:]):
            raise _error(filename, f"{len(cells)} cellules pour {width} colonnes.", number)
        if first_version:
            # The columns the file has not are `None`: its structures keep those fields as they are.
            by_header = dict(zip(FIRST_HEADERS, cells + [""] * len(FIRST_HEADERS), strict=False))
            rows.append((number, [by_header.get(name) for name in HEADERS]))
        else:
            rows.append((number, (cells + [""] * len(HEADERS))[: len(HEADERS)]))
    if not rows:
        raise _error(filename, "aucune structure : remplissez une ligne par structure sous la ligne d'aide.")
    if len(rows) > MAX_ROWS:
        raise _error(filename, f"plus de {MAX_ROWS} structures : découpez le fichier.")
    return rows


def _unquoted(cell: str) -> str:
    """A cell as the CSV export of the template wrote it: « '=… » (kept from running) back to « =… »."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def _read_csv(data: bytes, filename: str) -> list[tuple[int, list[str]]]:
    text = "".join(
        decoded_lines(io.BytesIO(data), filename, not_what="le modèle de l'offre de services", error=_error)
    )
    first = text.split("\n", 1)[0]
    separator = ";" if first.count(";") >= first.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
        return [(reader.line_num, [_unquoted(cell.strip()) for cell in row]) for row in reader]
    except csv.Error as error:
        raise _error(filename, f"CSV mal formé ({error}).", reader.line_num) from None


def _read_xlsx(data: bytes, filename: str) -> list[tuple[int, list[str]]]:
    try:
        workbook = open_xlsx(data, filename)
    except FileRefused as error:
        raise _error(filename, " ".join(error.messages)) from None
    try:
        sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
        lines = []
        for number, values in enumerate(xlsx_rows(sheet, filename), 1):
            for index, value in enumerate(values):
                if isinstance(value, Formula):
                    column = HEADERS[index] if index < len(HEADERS) else None
                    raise _error(filename, "formule refusée : saisissez la valeur elle-même.", number, column)
                if isinstance(value, CellError):
                    column = HEADERS[index] if index < len(HEADERS) else None
                    raise _error(filename, f"cellule en erreur ({value}).", number, column)
            lines.append((number, [_text(value) for value in values]))
        return lines
    except FileRefused as error:
        raise _error(filename, " ".join(error.messages)) from None
    finally:
        workbook.close()


# --- planning ----------------------------------------------------------------------------------------------


@dataclass
class TemplatePlan:
    filename: str
    sha256: str
    rows_read: int
    create: list[dict] = field(default_factory=list)  # values
    update: list[tuple[Structure, dict, dict]] = field(default_factory=list)  # structure, values, changes
    unchanged: list[Structure] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.create or self.update)

    @property
    def created_rows(self) -> list[dict]:
        """The structures to create, as the preview shows them (labels, not codes)."""
        statuses = dict(Structure.Status.choices)
        return [
            {
                **values,
                "type_label": typology.BY_CODE[values["type"]].label,
                "status_label": statuses[values["status"]],
            }
            for values in self.create
        ]

    @property
    def updated_rows(self) -> list[dict]:
        """The structures to change with their changes as (field label, before, after)."""

        def shown(name, before, after):
            model_field = Structure._meta.get_field(name)
            labels = dict(model_field.choices or ())
            return (str(model_field.verbose_name), labels.get(before, before), labels.get(after, after))

        return [
            {
                "structure": structure,
                "changes": [shown(name, before, after) for name, (before, after) in changes.items()],
            }
            for structure, _values, changes in self.update
        ]


def _date(value: str):
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _valid_url(text: str) -> bool:
    """Whether the structure's own check (`URLField`) will take the address, http(s) only."""
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        return False
    return True


def _values(filename, number, cells, communes: dict) -> dict:
    raw = dict(zip([key for key, _header, _help in COLUMNS], cells, strict=True))
    header = {key: header for key, header, _help in COLUMNS}

    def fail(key, message):
        return _error(filename, message, number, header[key])

    if not raw["identifiant"]:
        raise fail("identifiant", "identifiant manquant : donnez à chaque structure un identifiant à garder.")
    if not IDENTIFIER.match(raw["identifiant"]):
        raise fail("identifiant", "lettres, chiffres, « . », « _ » ou « - » seulement (100 au plus).")
    if raw["type"] not in typology.BY_CODE:
        raise fail("type", f"type « {raw['type']} » inconnu (voir la liste des types).")
    if not raw["name"]:
        raise fail("name", "nom manquant.")
    if len(raw["name"]) > 250:
        raise fail("name", "250 caractères au plus.")
    if raw["commune"] not in communes:
        raise fail("commune", f"commune « {raw['commune']} » hors du territoire du dossier.")
    if raw["postcode"] and not re.fullmatch(r"\d{5}", raw["postcode"]):
        raise fail("postcode", f"code postal « {raw['postcode']} » invalide (5 chiffres).")
    capacity = None
    if raw["capacity"]:
        if not raw["capacity"].isdigit():
            raise fail("capacity", f"« {raw['capacity']} » n'est pas un nombre entier positif.")
        capacity = int(raw["capacity"])
    if raw["opening_hours"]:
        try:
            opening_hours.validate(raw["opening_hours"])
        except opening_hours.OpeningHoursError as error:
            raise fail("opening_hours", f"horaires non reconnus : {error}.") from None
    if raw["website"] and not URL.match(raw["website"]):
        raise fail("website", "adresse de site invalide (https://… attendu).")
    status = STATUSES.get(raw["status"].lower())
    if status is None:
        raise fail("status", f"statut « {raw['status']} » inconnu (ouvert, en projet ou fermé).")
    expected = None
    if raw["expected_opening"]:
        expected = _date(raw["expected_opening"])
        if expected is None:
            raise fail("expected_opening", f"date « {raw['expected_opening']} » invalide (JJ/MM/AAAA).")
    if status == Structure.Status.PLANNED and expected is None:
        raise fail("expected_opening", "date d'ouverture prévue manquante pour une structure en projet.")
    for key in ("address", "public", "phone", "email", "website", *NOTES):
        limit = Structure._meta.get_field(key).max_length
        if raw[key] is not None and len(raw[key]) > limit:
            raise fail(key, f"{limit} caractères au plus.")
    added = {}
    if raw["caf_funding"] is not None:
        codes = []
        for part in raw["caf_funding"].split(FUNDING_SEPARATOR):
            if not part.strip():
                continue
            code = FUNDING_NAMES.get(_key(part))
            if code is None:
                raise fail(
                    "caf_funding",
                    f"financement « {part.strip()} » inconnu : codes ou intitulés de la liste des "
                    "financements de la CAF, séparés par « ; ».",
                )
            codes.append(code)
        added["caf_funding"] = [code for code, _label in funding.choices() if code in codes]
        added["caf_funding_note"] = raw["caf_funding_note"]
    if raw["accessibility"] is not None:
        accessibility = ACCESSIBILITY_NAMES.get(_key(raw["accessibility"]))
        if accessibility is None:
            raise fail(
                "accessibility",
                f"accessibilité « {raw['accessibility']} » inconnue (accessible, partielle, "
                "non_accessible ou inconnue).",
            )
        if raw["accessibility_url"] and not _valid_url(raw["accessibility_url"]):
            raise fail("accessibility_url", "adresse de la fiche invalide (https://… attendu).")
        added["accessibility"] = str(accessibility)
        added["accessibility_note"] = raw["accessibility_note"]
        added["accessibility_url"] = raw["accessibility_url"]
    return {
        "type": raw["type"],
        "name": raw["name"],
        "commune": communes[raw["commune"]],
        "address": raw["address"],
        "postcode": raw["postcode"],
        "public": raw["public"],
        "capacity": capacity,
        "opening_hours": raw["opening_hours"],
        "phone": raw["phone"],
        "email": raw["email"],
        "website": raw["website"],
        "status": status,
        "expected_opening": expected if status == Structure.Status.PLANNED else None,
        **added,
        "source": SOURCE,
        "source_id": raw["identifiant"],
    }


def plan(rows, filename: str, sha256: str, communes: dict) -> TemplatePlan:
    """What importing the lines would change; raises `TemplateError` at the first bad cell. `communes`:
    {code: Commune} of the dossier's territory."""
    result = TemplatePlan(filename=filename, sha256=sha256, rows_read=len(rows))
    seen: dict[str, int] = {}
    parsed = []
    for number, cells in rows:
        values = _values(filename, number, cells, communes)
        if values["source_id"] in seen:
            raise _error(
                filename,
                f"identifiant « {values['source_id']} » déjà donné ligne {seen[values['source_id']]}.",
                number,
                "identifiant",
            )
        seen[values["source_id"]] = number
        parsed.append((number, values))
    existing = {
        s.source_id: s
        for s in Structure.objects.select_related("commune").filter(source=SOURCE, source_id__in=seen)
    }
    for number, values in parsed:
        structure = existing.get(values["source_id"])
        if structure is None:
            result.create.append(values)
            continue
        if structure.commune_id not in communes:
            raise _error(
                filename,
                f"l'identifiant « {values['source_id']} » est celui d'une structure hors du territoire du "
                "dossier : choisissez-en un autre.",
                number,
                "identifiant",
            )
        changes = compare(structure, {k: v for k, v in values.items() if k not in ("source", "source_id")})
        if changes:
            result.update.append((structure, values, changes))
        else:
            result.unchanged.append(structure)
    return result


def read_and_plan(data: bytes, filename: str, communes: dict) -> TemplatePlan:
    rows = read_file(data, filename)
    return plan(rows, filename, hashlib.sha256(data).hexdigest(), communes)
