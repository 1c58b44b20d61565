"""Export and import of a whole plan d'action, as JSON or as an Excel workbook a territory can fill by hand.

Numbering: the scheme of the application (`ctg.plans.numbering`), nothing stored, numbers follow the
positions and are how the rows of the workbook refer to each other:

- enjeu « 1 », objectif stratégique « 1.2 » (2nd of enjeu 1), objectif opérationnel « 1.2.1 »;
- fiche « 1.2.3 »: 3rd fiche of strategic objective « 1.2 ». A fiche serving several operational objectives
  is numbered once, under the strategic objective of the first of them in plan order; the fiches of a
  strategic objective follow the order of their first operational objective, then their own position. A
  fiche attached to no objective (no number in the application) is numbered « 0.0.N »;
- indicator « 1 », « 2 »… within its fiche.

On import the numbers must be consistent (objective « 1.2 » belongs to enjeu « 1 », « 1.2.1 » to « 1.2 »,
a fiche number starts with the strategic objective of one of its objectives) and the order within a parent
follows the last part of the number; the numbers written in the file need not be contiguous: the imported
plan is numbered afresh.

The workbook (`export_xlsx`) has one sheet per table: « Enjeux », « Objectifs », « Fiches », « Étapes »,
« Budget », « Indicateurs », « Valeurs ». Choice values are written as their French labels, and read back
as labels or codes, case- and accent-insensitively. Lists (champs, objectifs, communes, partenaires) are
separated by « ; ». Communes: INSEE codes, or « toutes ». Organisations (pilote, partenaires) are matched
by exact name among the existing organisations (the oldest one when several share the name), else created
with the kind « Autre partenaire ».

The import (`import_xlsx`, `import_plan`, `import_file` for an uploaded file) only fills an empty plan: the
whole file is checked first, and refused as a whole with every problem found (sheet, row, column), nothing
being written. It then writes in bulk (one insert per table, in batches), so that its number of queries does
not grow with the fiches. Comments, attachments and bilans annuels are not exchanged.

Safety (`ctg.datafiles`): the workbook writes every text as a string cell, never a formula, so that a title
« =1+1 » or « -5 familles » exports and imports back unchanged (no « ' » added in xlsx, and a leading « ' »
of a cell is kept as part of its text). A formula or error cell of an uploaded workbook is refused (formulas
are not evaluated: « Collage spécial › Valeurs » in Excel). Uploaded files are bounded before they are parsed
(size, zip entries and ratio, rows, cell length; JSON depth and string length). The JSON carries « version »
(refused if not one of `SUPPORTED_VERSIONS`; a hand-written file without it is read as the current version);
the workbook carries the same in its properties (identifier « ctg-plan », version), checked when present.
"""

import datetime
import io
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from ctg import datafiles
from ctg.conventions.models import Ctg, Field
from ctg.conventions.services import history_record
from ctg.diagnostics.catalogue import BY_ID, Kind
from ctg.diagnostics.portrait import TerritoryNotFound, resolve_territory
from ctg.organisations.models import Organisation
from ctg.plans.models import (
    BudgetLine,
    Enjeu,
    FicheAction,
    FicheStep,
    Funder,
    IndicatorValue,
    OperationalObjective,
    PlanIndicator,
    StrategicObjective,
)
from ctg.territories.models import Commune
from ctg.text import clean_text

FORMAT = "ctg-plan"
VERSION = 1
SUPPORTED_VERSIONS = (1,)
NO_OBJECTIVE = "0.0"
ALL_COMMUNES = "toutes"
NO_COMMUNE = "aucune"
MIN_YEAR = 1900
MAX_YEAR = 2100


class PlanImportError(ValidationError):
    """The file is refused; `messages` lists every problem found, in French."""


# --- numbering -----------------------------------------------------------------------------------------


def _plan_tree(ctg: Ctg):
    """Enjeux, their strategic objectives (by enjeu id) and operational objectives (by strategic objective
    id), in plan order: by position, ties broken by id."""

    def ordered(items):
        return sorted(items, key=lambda item: (item.position, item.pk))

    enjeux = ordered(ctg.enjeux.prefetch_related("objectives__operational"))
    strategics = {}
    operationals = {}
    for enjeu in enjeux:
        strategics[enjeu.pk] = ordered(enjeu.objectives.all())
        for strategic in strategics[enjeu.pk]:
            operationals[strategic.pk] = ordered(strategic.operational.all())
    return enjeux, strategics, operationals


# --- export --------------------------------------------------------------------------------------------


def _decimal(value: Decimal | None, places: int) -> str | None:
    if value is None:
        return None
    return str(Decimal(value).quantize(Decimal(1).scaleb(-places)))


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def export_plan(ctg: Ctg, *, with_ids: bool = False) -> dict:
    """The whole plan of `ctg` as a JSON-serialisable dict, in plan order, without database ids (the exchange
    format). `with_ids` adds each fiche's and indicator's id under "id", for the application's own use (the
    convention's versions follow a fiche through a renaming); the exported files never carry them."""
    enjeux, strategics, operationals = _plan_tree(ctg)
    objective_number = {}  # operational objective id → (rank in the plan, number, strategic number)
    strategic_rank = {}  # strategic number → rank in the plan
    enjeu_rows = []
    for e_index, enjeu in enumerate(enjeux, start=1):
        objectives = []
        for s_index, strategic in enumerate(strategics[enjeu.pk], start=1):
            s_number = f"{e_index}.{s_index}"
            strategic_rank[s_number] = len(strategic_rank)
            operational_rows = []
            for o_index, operational in enumerate(operationals[strategic.pk], start=1):
                o_number = f"{s_number}.{o_index}"
                objective_number[operational.pk] = (len(objective_number), o_number, s_number)
                operational_rows.append(
                    {"number": o_number, "title": operational.title, "description": operational.description}
                )
            objectives.append(
                {
                    "number": s_number,
                    "title": strategic.title,
                    "description": strategic.description,
                    "operational": operational_rows,
                }
            )
        enjeu_rows.append(
            {
                "number": str(e_index),
                "title": enjeu.title,
                "description": enjeu.description,
                "fields": list(enjeu.fields),
                "findings": enjeu.findings,
                "attention_indicators": list(enjeu.attention_indicators),
                "objectives": objectives,
            }
        )

    fiches = (
        ctg.fiches.select_related("pilot_organisation")
        .prefetch_related("objectives", "communes", "partners", "steps", "budget", "indicators__values")
        .order_by("position", "id")
    )
    # A fiche is numbered under the strategic objective of its first operational objective (in plan order);
    # the fiches of a strategic objective follow the order of that objective, then their position.
    grouped: dict[str, list] = {}
    for fiche in fiches:
        numbered = sorted(objective_number[o.pk] for o in fiche.objectives.all() if o.pk in objective_number)
        rank, _, prefix = numbered[0] if numbered else (len(objective_number), None, NO_OBJECTIVE)
        grouped.setdefault(prefix, []).append(
            ((rank, fiche.position, fiche.pk), fiche, [number for _, number, _ in numbered])
        )
    fiche_rows = []
    for prefix in sorted(grouped, key=lambda p: strategic_rank.get(p, len(strategic_rank))):
        entries = sorted(grouped[prefix], key=lambda entry: entry[0])
        for f_index, (_, fiche, objective_numbers) in enumerate(entries, start=1):
            row = _fiche_as_dict(fiche, f"{prefix}.{f_index}", objective_numbers)
            if with_ids:
                row["id"] = fiche.pk
                ordered = sorted(fiche.indicators.all(), key=lambda i: (i.position, i.pk))
                for indicator_row, indicator in zip(row["indicators"], ordered, strict=True):
                    indicator_row["id"] = indicator.pk
            fiche_rows.append(row)
    return {"format": FORMAT, "version": VERSION, "enjeux": enjeu_rows, "fiches": fiche_rows}


def _fiche_as_dict(fiche: FicheAction, number: str, objective_numbers: list[str]) -> dict:
    indicators = []
    for i_index, indicator in enumerate(sorted(fiche.indicators.all(), key=lambda i: (i.position, i.pk)), 1):
        values = sorted(indicator.values.all(), key=lambda v: (v.year, v.kind != IndicatorValue.Kind.TARGET))
        indicators.append(
            {
                "number": str(i_index),
                "label": indicator.label,
                "unit": indicator.unit,
                "direction": indicator.direction,
                "nature": indicator.nature,
                "baseline_value": _decimal(indicator.baseline_value, 4),
                "baseline_year": indicator.baseline_year,
                "portrait_indicator": indicator.portrait_indicator,
                "territory_code": indicator.territory_code,
                "values": [
                    {
                        "year": value.year,
                        "kind": value.kind,
                        "value": _decimal(value.value, 4),
                        "origin": value.origin,
                        "source": value.source,
                    }
                    for value in values
                ],
            }
        )
    funder_order = {code: index for index, code in enumerate(Funder.values)}
    return {
        "number": number,
        "objectives": objective_numbers,
        "title": fiche.title,
        "fields": list(fiche.fields),
        "context": fiche.context,
        "description": fiche.description,
        "target_public": fiche.target_public,
        "all_communes": fiche.all_communes,
        "communes": [] if fiche.all_communes else sorted(c.code for c in fiche.communes.all()),
        "pilot_organisation": fiche.pilot_organisation.name if fiche.pilot_organisation else None,
        "pilot_person": fiche.pilot_person,
        "partners": sorted(o.name for o in fiche.partners.all()),
        "start_date": _date(fiche.start_date),
        "end_date": _date(fiche.end_date),
        "status": fiche.status,
        "priority": fiche.priority,
        "notes": fiche.notes,
        "steps": [
            {"year": step.year, "description": step.description}
            for step in sorted(fiche.steps.all(), key=lambda s: (s.year, s.pk))
        ],
        "budget": [
            {
                "year": line.year,
                "funder": line.funder,
                "planned": _decimal(line.planned, 2),
                "spent": _decimal(line.spent, 2),
            }
            for line in sorted(fiche.budget.all(), key=lambda b: (b.year, funder_order.get(b.funder, 99)))
        ],
        "indicators": indicators,
    }


# --- the workbook layout -------------------------------------------------------------------------------

# Sheet → columns: (header, width, required on import).
SHEETS: dict[str, list[tuple[str, int, bool]]] = {
    "Enjeux": [
        ("numéro", 10, True),
        ("intitulé", 45, True),
        ("description", 60, True),
        ("champs", 35, True),
        ("constats", 60, True),
        ("indicateurs du portrait", 30, False),
    ],
    "Objectifs": [
        ("numéro", 10, True),
        ("enjeu", 10, True),
        ("niveau", 15, True),
        ("parent", 10, True),
        ("intitulé", 55, True),
        ("description", 60, False),
    ],
    "Fiches": [
        ("numéro", 12, True),
        ("objectifs", 18, True),
        ("intitulé", 45, True),
        ("champs", 35, True),
        ("contexte", 50, True),
        ("description", 60, True),
        ("public", 35, True),
        ("communes", 30, True),
        ("pilote", 30, True),
        ("personne pilote", 25, True),
        ("partenaires", 40, True),
        ("début", 12, True),
        ("fin", 12, True),
        ("statut", 14, True),
        ("priorité", 12, True),
        ("notes", 40, True),
    ],
    "Étapes": [("fiche", 12, True), ("année", 10, True), ("étape", 80, True)],
    "Budget": [
        ("fiche", 12, True),
        ("année", 10, True),
        ("financeur", 16, True),
        ("prévu", 14, True),
        ("réalisé", 14, True),
    ],
    "Indicateurs": [
        ("fiche", 12, True),
        ("numéro d'indicateur", 12, True),
        ("intitulé", 45, True),
        ("unité", 14, True),
        ("sens", 10, True),
        ("nature", 12, True),
        ("référence", 14, True),
        ("année de référence", 12, True),
        ("indicateur du portrait", 25, True),
        ("territoire", 12, True),
    ],
    "Valeurs": [
        ("fiche", 12, True),
        ("indicateur", 12, True),
        ("année", 10, True),
        ("type", 10, True),
        ("valeur", 14, True),
        ("origine", 18, True),
        ("source", 40, False),
    ],
}
TEXT_COLUMNS = {"numéro", "enjeu", "parent", "objectifs", "fiche", "communes", "territoire", "indicateur"}
DATE_COLUMNS = {"début", "fin"}
AMOUNT_COLUMNS = {"prévu", "réalisé"}

DIRECTION_WORDS = {PlanIndicator.Direction.UP: "hausse", PlanIndicator.Direction.DOWN: "baisse"}
LEVEL_STRATEGIC = "stratégique"
LEVEL_OPERATIONAL = "opérationnel"
CHOICE_LISTS = {
    ("Objectifs", "niveau"): [LEVEL_STRATEGIC, LEVEL_OPERATIONAL],
    ("Fiches", "statut"): FicheAction.Status.labels,
    ("Fiches", "priorité"): FicheAction.Priority.labels,
    ("Budget", "financeur"): Funder.labels,
    ("Indicateurs", "sens"): list(DIRECTION_WORDS.values()),
    ("Indicateurs", "nature"): PlanIndicator.Nature.labels,
    ("Valeurs", "type"): [label.lower() for label in IndicatorValue.Kind.labels],
    ("Valeurs", "origine"): [label.lower() for label in IndicatorValue.Origin.labels],
}
NOTICE = [
    "Plan d'action de la CTG : mode d'emploi du classeur",
    "Une feuille par table ; la première ligne (les en-têtes) ne doit pas être modifiée. Les autres "
    "feuilles que celles-ci sont ignorées à l'import.",
    "Numéros : enjeu « 1 », objectif stratégique « 1.2 » (enjeu 1), objectif opérationnel « 1.2.1 » (parent "
    "1.2), fiche « 1.2.3 » (3e fiche de l'objectif stratégique 1.2, qui commence par l'objectif stratégique "
    "d'un de ses objectifs opérationnels ; « 0.0.N » pour une fiche sans objectif). Les lignes se désignent "
    "par ces numéros ; à l'import, le plan est renuméroté dans l'ordre des numéros.",
    "Listes (champs, objectifs, communes, partenaires) : valeurs séparées par « ; ». Communes : codes Insee, "
    "ou « toutes ».",
    "Pilote et partenaires : nom exact d'une organisation connue de la plateforme ; sinon elle est créée "
    "(type « Autre partenaire »).",
    "Dates au format JJ/MM/AAAA ; montants en euros, positifs ou nuls. Statut, priorité, financeur, sens, "
    "nature, type et origine : une des valeurs proposées dans la cellule.",
    "L'import ne remplit qu'un plan vide. Le classeur est vérifié en entier : au moindre problème, rien "
    "n'est enregistré et chaque problème est signalé avec sa feuille, sa ligne et sa colonne.",
]


def _labels(codes, choices) -> str:
    labels = dict(choices)
    return " ; ".join(labels.get(code, code) for code in codes)


def export_xlsx(ctg: Ctg) -> bytes:
    """The plan of `ctg` as an Excel workbook (see the module's docstring)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    plan = export_plan(ctg)
    rows: dict[str, list[list]] = {name: [] for name in SHEETS}
    field_choices = Field.choices
    for enjeu in plan["enjeux"]:
        rows["Enjeux"].append(
            [
                enjeu["number"],
                enjeu["title"],
                enjeu["description"],
                _labels(enjeu["fields"], field_choices),
                enjeu["findings"],
                " ; ".join(str(i) for i in enjeu["attention_indicators"]),
            ]
        )
        for strategic in enjeu["objectives"]:
            rows["Objectifs"].append(
                [
                    strategic["number"],
                    enjeu["number"],
                    LEVEL_STRATEGIC,
                    "",
                    strategic["title"],
                    strategic["description"],
                ]
            )
            for operational in strategic["operational"]:
                rows["Objectifs"].append(
                    [
                        operational["number"],
                        enjeu["number"],
                        LEVEL_OPERATIONAL,
                        strategic["number"],
                        operational["title"],
                        operational["description"],
                    ]
                )
    status_labels = dict(FicheAction.Status.choices)
    priority_labels = dict(FicheAction.Priority.choices)
    funder_labels = dict(Funder.choices)
    nature_labels = dict(PlanIndicator.Nature.choices)
    kind_labels = dict(IndicatorValue.Kind.choices)
    origin_labels = dict(IndicatorValue.Origin.choices)
    for fiche in plan["fiches"]:
        number = fiche["number"]
        communes = ALL_COMMUNES if fiche["all_communes"] else " ; ".join(fiche["communes"]) or NO_COMMUNE
        rows["Fiches"].append(
            [
                number,
                " ; ".join(fiche["objectives"]),
                fiche["title"],
                _labels(fiche["fields"], field_choices),
                fiche["context"],
                fiche["description"],
                fiche["target_public"],
                communes,
                fiche["pilot_organisation"] or "",
                fiche["pilot_person"],
                " ; ".join(fiche["partners"]),
                datetime.date.fromisoformat(fiche["start_date"]) if fiche["start_date"] else None,
                datetime.date.fromisoformat(fiche["end_date"]) if fiche["end_date"] else None,
                status_labels.get(fiche["status"], fiche["status"]),
                priority_labels.get(fiche["priority"], fiche["priority"]),
                fiche["notes"],
            ]
        )
        for step in fiche["steps"]:
            rows["Étapes"].append([number, step["year"], step["description"]])
        for line in fiche["budget"]:
            rows["Budget"].append(
                [
                    number,
                    line["year"],
                    funder_labels.get(line["funder"], line["funder"]),
                    Decimal(line["planned"]),
                    Decimal(line["spent"]),
                ]
            )
        for indicator in fiche["indicators"]:
            rows["Indicateurs"].append(
                [
                    number,
                    indicator["number"],
                    indicator["label"],
                    indicator["unit"],
                    DIRECTION_WORDS.get(indicator["direction"], indicator["direction"]),
                    nature_labels.get(indicator["nature"], indicator["nature"]),
                    Decimal(indicator["baseline_value"]) if indicator["baseline_value"] is not None else None,
                    indicator["baseline_year"],
                    indicator["portrait_indicator"],
                    indicator["territory_code"],
                ]
            )
            for value in indicator["values"]:
                rows["Valeurs"].append(
                    [
                        number,
                        indicator["number"],
                        value["year"],
                        kind_labels.get(value["kind"], value["kind"]).lower(),
                        Decimal(value["value"]),
                        origin_labels.get(value["origin"], value["origin"]).lower(),
                        value["source"],
                    ]
                )

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for name, columns in SHEETS.items():
        sheet = workbook.create_sheet(name)
        datafiles.xlsx_append(sheet, [header for header, _, _ in columns])
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
        for index, (_header, width, _) in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        for row in rows[name]:
            datafiles.xlsx_append(sheet, row)
        for index, (header, _, _) in enumerate(columns, start=1):
            if header in TEXT_COLUMNS:
                number_format = "@"
            elif header in DATE_COLUMNS:
                number_format = "DD/MM/YYYY"
            elif header in AMOUNT_COLUMNS:
                number_format = "#,##0.00"
            else:
                continue
            # Down to a reasonable number of empty rows, so that hand-typed « 1.2 » stays text.
            for (cell,) in sheet.iter_rows(
                min_row=2, max_row=max(sheet.max_row, 200), min_col=index, max_col=index
            ):
                cell.number_format = number_format
        # Drop-down lists for the choice columns (typing another value stays possible, with a warning).
        for index, (header, _, _) in enumerate(columns, start=1):
            choices = CHOICE_LISTS.get((name, header))
            if choices:
                validation = DataValidation(
                    type="list",
                    formula1='"' + ",".join(choices) + '"',
                    allow_blank=True,
                    errorStyle="warning",
                    error=f"Valeurs possibles : {', '.join(choices)}.",
                )
                sheet.add_data_validation(validation)
                letter = get_column_letter(index)
                validation.add(f"{letter}2:{letter}1000")
    notice = workbook.create_sheet("Mode d'emploi")
    notice.column_dimensions["A"].width = 120
    for line in NOTICE:
        datafiles.xlsx_append(notice, [line])
    notice["A1"].font = Font(bold=True)
    for (cell,) in notice.iter_rows():
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    workbook.properties.identifier = FORMAT
    workbook.properties.version = str(VERSION)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- import: reading -----------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced: to compare labels typed by hand."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("’", "'").split())


class _Row(dict):
    """The cells of a row by column header, with where it comes from."""

    def __init__(self, sheet: str, line: int, cells: dict):
        super().__init__(cells)
        self.sheet = sheet
        self.line = line


def _versions() -> str:
    return ", ".join(str(version) for version in SUPPORTED_VERSIONS)


def _read_workbook(data: bytes, name: str | None = None) -> tuple[dict[str, list[_Row]], list[str]]:
    workbook = datafiles.open_xlsx(data, name)
    try:
        return _read_sheets(workbook, name)
    finally:
        workbook.close()


def _read_sheets(workbook, name: str | None) -> tuple[dict[str, list[_Row]], list[str]]:
    properties = workbook.properties
    if properties.identifier == FORMAT and properties.version not in {str(v) for v in SUPPORTED_VERSIONS}:
        raise PlanImportError(
            [
                f"Le classeur{f' « {name} »' if name else ''} est un export de plan d'action en version "
                f"« {str(properties.version)[:20]} », que la plateforme ne sait pas lire (versions prises en "
                f"charge : {_versions()})."
            ]
        )
    errors = []
    sheets: dict[str, list[_Row]] = {}
    names = {_fold(sheet_name): sheet_name for sheet_name in workbook.sheetnames}
    for sheet_name, columns in SHEETS.items():
        actual = names.get(_fold(sheet_name))
        if actual is None:
            errors.append(f"Feuille « {sheet_name} » absente du classeur.")
            continue
        rows = datafiles.xlsx_rows(workbook[actual], name)
        header = next(rows, None) or ()
        positions = {}
        for index, title in enumerate(header):
            if isinstance(title, datafiles.Formula | datafiles.CellError):
                continue
            if title is not None and str(title).strip():
                positions.setdefault(_fold(title), index)
        missing = [title for title, _, required in columns if required and _fold(title) not in positions]
        for title in missing:
            errors.append(
                f"Feuille « {sheet_name} », colonne « {title} » : colonne absente de la ligne d'en-tête."
            )
        if missing:
            continue
        sheets[sheet_name] = []
        for line, values in enumerate(rows, start=2):
            cells = {}
            for title, _, _ in columns:
                index = positions.get(_fold(title))
                value = values[index] if index is not None and index < len(values) else None
                where = f"Feuille « {sheet_name} », ligne {line}, colonne « {title} »"
                if isinstance(value, datafiles.Formula):
                    errors.append(
                        f"{where} : formule « {value[:40]} » : les formules ne sont pas acceptées, saisissez "
                        "la valeur (dans Excel : copier, puis « Collage spécial › Valeurs »)."
                    )
                    value = None
                elif isinstance(value, datafiles.CellError):
                    errors.append(f"{where} : cellule en erreur « {value[:20]} », saisissez la valeur.")
                    value = None
                elif isinstance(value, str):
                    value = value.strip()
                    if not value:
                        value = None
                cells[title] = value
            if any(value is not None for value in cells.values()):
                sheets[sheet_name].append(_Row(sheet_name, line, cells))
    return sheets, errors


# For the JSON import: sheet → (column, key) of the JSON export.
JSON_KEYS: dict[str, list[tuple[str, str]]] = {
    "Enjeux": [
        ("numéro", "number"),
        ("intitulé", "title"),
        ("description", "description"),
        ("champs", "fields"),
        ("constats", "findings"),
        ("indicateurs du portrait", "attention_indicators"),
    ],
    "Objectifs": [("numéro", "number"), ("intitulé", "title"), ("description", "description")],
    "Fiches": [
        ("numéro", "number"),
        ("objectifs", "objectives"),
        ("intitulé", "title"),
        ("champs", "fields"),
        ("contexte", "context"),
        ("description", "description"),
        ("public", "target_public"),
        ("communes", "communes"),
        ("pilote", "pilot_organisation"),
        ("personne pilote", "pilot_person"),
        ("partenaires", "partners"),
        ("début", "start_date"),
        ("fin", "end_date"),
        ("statut", "status"),
        ("priorité", "priority"),
        ("notes", "notes"),
    ],
    "Étapes": [("année", "year"), ("étape", "description")],
    "Budget": [("année", "year"), ("financeur", "funder"), ("prévu", "planned"), ("réalisé", "spent")],
    "Indicateurs": [
        ("numéro d'indicateur", "number"),
        ("intitulé", "label"),
        ("unité", "unit"),
        ("sens", "direction"),
        ("nature", "nature"),
        ("référence", "baseline_value"),
        ("année de référence", "baseline_year"),
        ("indicateur du portrait", "portrait_indicator"),
        ("territoire", "territory_code"),
    ],
    "Valeurs": [
        ("année", "year"),
        ("type", "kind"),
        ("valeur", "value"),
        ("origine", "origin"),
        ("source", "source"),
    ],
}


def _rows_from_payload(payload: dict) -> dict[str, list[_Row]]:
    """The JSON export as the rows of the workbook, so that both go through the same checks. Each row knows
    its path in the JSON (« fiches[2].budget[0] ») and the JSON key of each column, for the messages."""
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise PlanImportError(
            [f"Le fichier JSON n'est pas un export de plan d'action (format « {FORMAT} »)."]
        )
    version = payload.get("version", VERSION)
    if isinstance(version, bool) or version not in SUPPORTED_VERSIONS:
        raise PlanImportError(
            [
                f"Le fichier JSON est un export de plan d'action en version « {str(version)[:20]} », que la "
                f"plateforme ne sait pas lire (versions prises en charge : {_versions()})."
            ]
        )
    sheets: dict[str, list[_Row]] = {name: [] for name in SHEETS}

    def items(parent: dict, key: str) -> list[tuple[int, dict]]:
        values = parent.get(key) or []
        if not isinstance(values, list) or not all(isinstance(value, dict) for value in values):
            raise TypeError(key)
        return list(enumerate(values))

    def add(sheet: str, source: dict, path: str, **extra) -> None:
        keys = dict(JSON_KEYS[sheet])
        cells = {column: source.get(key) for column, key in keys.items()}
        for column, (key, value) in extra.items():
            keys[column] = key
            cells[column] = value
        row = _Row(sheet, len(sheets[sheet]) + 1, cells)
        row.path, row.keys = path, keys
        sheets[sheet].append(row)

    try:
        for e, enjeu in items(payload, "enjeux"):
            e_path = f"enjeux[{e}]"
            add("Enjeux", enjeu, e_path)
            for s, strategic in items(enjeu, "objectives"):
                s_path = f"{e_path}.objectives[{s}]"
                add(
                    "Objectifs",
                    strategic,
                    s_path,
                    enjeu=("number", enjeu.get("number")),
                    niveau=("level", LEVEL_STRATEGIC),
                    parent=("parent", None),
                )
                for o, operational in items(strategic, "operational"):
                    add(
                        "Objectifs",
                        operational,
                        f"{s_path}.operational[{o}]",
                        enjeu=("number", enjeu.get("number")),
                        niveau=("level", LEVEL_OPERATIONAL),
                        parent=("number", strategic.get("number")),
                    )
        for f, fiche in items(payload, "fiches"):
            f_path = f"fiches[{f}]"
            number = fiche.get("number")
            all_communes = fiche.get("all_communes", True)
            communes = ALL_COMMUNES if all_communes else (fiche.get("communes") or NO_COMMUNE)
            add("Fiches", fiche, f_path, communes=("communes", communes))
            for i, step in items(fiche, "steps"):
                add("Étapes", step, f"{f_path}.steps[{i}]", fiche=("number", number))
            for i, line in items(fiche, "budget"):
                add("Budget", line, f"{f_path}.budget[{i}]", fiche=("number", number))
            for i, indicator in items(fiche, "indicators"):
                i_path = f"{f_path}.indicators[{i}]"
                add("Indicateurs", indicator, i_path, fiche=("number", number))
                for v, value in items(indicator, "values"):
                    add(
                        "Valeurs",
                        value,
                        f"{i_path}.values[{v}]",
                        fiche=("number", number),
                        indicateur=("number", indicator.get("number")),
                    )
    except (AttributeError, TypeError):
        raise PlanImportError(
            ["Le fichier JSON n'a pas la structure d'un export de plan d'action."]
        ) from None
    for rows in sheets.values():
        for row in rows:
            for key, value in row.items():
                if isinstance(value, str):
                    row[key] = value.strip() or None
    return sheets


# --- import: checking ----------------------------------------------------------------------------------

NUMBER_RE = re.compile(r"^\d+(\.\d+)*$")
FEMININE = {"priorité", "nature", "origine"}


def _chunks(items: list, size: int = 500):
    """`items` in slices of `size` (an IN list stays under the databases' parameter limits)."""
    for index in range(0, len(items), size):
        yield items[index : index + size]


class _Checker:
    """Turns the rows into clean values, collecting every problem instead of stopping at the first."""

    def __init__(self, ctg: Ctg, where):
        self.ctg = ctg
        self.where = where
        self.errors: list[str] = []
        self.territories: dict[str, tuple[str, str]] = {}  # code → (resolved code, error), read once each

    def error(self, row: _Row, column: str, message: str) -> None:
        self.errors.append(f"{self.where(row, column)} : {message}")

    # Cell readers: each returns the clean value, or None after recording an error (or for an empty cell).

    def text(self, row, column, *, required=False, max_length=None) -> str:
        value = row.get(column)
        if value is None:
            if required:
                self.error(row, column, "valeur obligatoire.")
            return ""
        if isinstance(value, dict | list):
            self.error(row, column, "texte attendu, pas une liste ni un objet.")
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, datetime.datetime | datetime.date):
            value = value.strftime("%d/%m/%Y")
        # Control characters removed as in every form (ctg.text).
        value = clean_text(str(value), multiline=True).strip()
        if max_length and len(value) > max_length:
            self.error(row, column, f"{len(value)} caractères, au plus {max_length}.")
        return value

    def number(self, row, column, *, parts=None, required=True) -> str | None:
        value = self.text(row, column, required=required)
        if not value:
            return None
        if not NUMBER_RE.match(value) or (parts is not None and value.count(".") + 1 != parts):
            shape = {1: "« 1 »", 2: "« 1.2 »", 3: "« 1.2.1 »", 4: "« 1.2.1.3 »"}.get(parts, "« 1 »")
            self.error(row, column, f"numéro invalide « {value} » (attendu sous la forme {shape}).")
            return None
        return ".".join(str(int(part)) for part in value.split("."))

    def items(self, row, column) -> list[str]:
        value = row.get(column)
        if value is None:
            return []
        if isinstance(value, list | tuple):
            parts = [str(v).strip() for v in value]
        else:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            parts = [part.strip() for part in str(value).split(";")]
        return [part for part in parts if part]

    def choice(self, row, column, choices, *, what, default=None, extra=None):
        value = self.text(row, column)
        if not value:
            if default is None:
                self.error(row, column, "valeur obligatoire.")
            return default
        known = {}
        for code, label in choices:
            known[_fold(code)] = code
            known[_fold(label)] = code
        known.update({_fold(word): code for word, code in (extra or {}).items()})
        code = known.get(_fold(value))
        if code is None:
            possible = ", ".join(label for _, label in choices)
            unknown = "inconnue" if what in FEMININE else "inconnu"
            self.error(row, column, f"{what} {unknown} « {value} » (valeurs possibles : {possible}).")
        return code

    def fields(self, row, column) -> list[str]:
        codes = []
        for value in self.items(row, column):
            single = _Row(row.sheet, row.line, {column: value})
            single.__dict__.update(row.__dict__)  # where it comes from
            code = self.choice(single, column, Field.choices, what="champ d'intervention")
            if code and code not in codes:
                codes.append(code)
        return codes

    def portrait_indicators(self, row, column) -> list[str]:
        """Ids of indicators of the portrait (or their labels)."""
        by_label = {_fold(indicator.label): key for key, indicator in BY_ID.items()}
        ids = []
        for value in self.items(row, column):
            key = value if value in BY_ID else by_label.get(_fold(value))
            if key is None:
                self.error(row, column, f"indicateur du portrait inconnu « {value} ».")
            elif key not in ids:
                ids.append(key)
        return ids

    def portrait_indicator(self, row, column) -> str:
        ids = self.portrait_indicators(row, column)
        if len(ids) > 1:
            self.error(row, column, "un seul indicateur du portrait par indicateur de la fiche.")
            return ""
        if ids and BY_ID[ids[0]].kind == Kind.DERIVED:
            self.error(
                row,
                column,
                f"« {ids[0]} » est le rapport de deux indicateurs du portrait : choisissez l'un de ceux-ci.",
            )
            return ""
        return ids[0] if ids else ""

    def territory(self, row, column) -> str:
        code = self.text(row, column).upper()
        if not code:
            return ""
        if len(code) < 5 and code.isdigit() and len(code) > 3:
            code = code.zfill(5)  # a commune code typed as a number in Excel
        if code not in self.territories:
            try:
                self.territories[code] = (resolve_territory(code).code, "")
            except TerritoryNotFound as error:
                self.territories[code] = ("", str(error))
        resolved, error = self.territories[code]
        if error:
            self.error(row, column, error)
        return resolved

    def year(self, row, column, *, required=True) -> int | None:
        value = row.get(column)
        if value is None:
            if required:
                self.error(row, column, "valeur obligatoire.")
            return None
        try:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            year = int(str(value).strip().removesuffix(".0")) if not isinstance(value, float) else int(value)
        except ValueError:
            self.error(row, column, f"année invalide « {value} ».")
            return None
        if not MIN_YEAR <= year <= MAX_YEAR:
            self.error(row, column, f"année invalide « {value} » (entre {MIN_YEAR} et {MAX_YEAR}).")
            return None
        return year

    def decimal(self, row, column, *, places, max_digits, required=False, default=None, positive=False):
        value = row.get(column)
        if value is None:
            if required:
                self.error(row, column, "valeur obligatoire.")
            return default
        if isinstance(value, (bool, datetime.date)):
            self.error(row, column, f"nombre invalide « {value} ».")
            return None
        text = str(value).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "")
        if isinstance(value, str):
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.error(row, column, f"nombre invalide « {value} ».")
            return None
        if positive and number < 0:
            self.error(row, column, f"montant négatif « {value} » : un montant est positif ou nul.")
            return None
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if abs(number) >= Decimal(10) ** (max_digits - places):
            self.error(row, column, f"nombre trop grand « {value} ».")
            return None
        return number

    def date(self, row, column) -> datetime.date | None:
        value = row.get(column)
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                return datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        self.error(row, column, f"date invalide « {value} » (attendue sous la forme JJ/MM/AAAA).")
        return None

    def unique(self, seen: dict, key, row, column, what) -> bool:
        if key in seen:
            first = seen[key]
            where = f"à la ligne {first.line}" if self.where is _where_sheet else f"en {first.path}"
            self.error(row, column, f"{what} en double (déjà {where}).")
            return False
        seen[key] = row
        return True


def _check(ctg: Ctg, sheets: dict[str, list[_Row]], where) -> tuple[dict, list[str]]:
    """Checks every row; returns the clean plan (in the order to write it) and the list of problems."""
    c = _Checker(ctg, where)

    # Enjeux.
    enjeux = {}
    for row in sheets.get("Enjeux", []):
        number = c.number(row, "numéro", parts=1)
        item = {
            "title": c.text(row, "intitulé", required=True, max_length=300),
            "description": c.text(row, "description"),
            "fields": c.fields(row, "champs"),
            "findings": c.text(row, "constats"),
            "attention_indicators": c.portrait_indicators(row, "indicateurs du portrait"),
            "strategic": {},
        }
        if number and c.unique(enjeux, number, row, "numéro", f"numéro d'enjeu « {number} »"):
            enjeux[number] = row
            row.item = item

    # Objectives: strategic first, so that an operational row may come before its parent.
    strategics, operationals, seen = {}, {}, {}
    levels = [(LEVEL_STRATEGIC, LEVEL_STRATEGIC), (LEVEL_OPERATIONAL, LEVEL_OPERATIONAL)]
    objective_rows = []
    for row in sheets.get("Objectifs", []):
        level = c.choice(row, "niveau", levels, what="niveau")
        objective_rows.append((level, row))
    for wanted in (LEVEL_STRATEGIC, LEVEL_OPERATIONAL):
        for level, row in objective_rows:
            if level != wanted:
                continue
            parts = 2 if level == LEVEL_STRATEGIC else 3
            number = c.number(row, "numéro", parts=parts)
            enjeu = c.number(row, "enjeu", parts=1)
            title = c.text(row, "intitulé", required=True, max_length=300)
            item = {"title": title, "description": c.text(row, "description"), "operational": {}}
            if enjeu and enjeu not in enjeux:
                c.error(row, "enjeu", f"enjeu inconnu « {enjeu} ».")
                enjeu = None
            if level == LEVEL_STRATEGIC:
                if c.text(row, "parent"):
                    c.error(row, "parent", "un objectif stratégique n'a pas de parent (laisser vide).")
                if number and enjeu and number.rsplit(".", 1)[0] != enjeu:
                    c.error(
                        row,
                        "numéro",
                        f"le numéro « {number} » ne commence pas par celui de l'enjeu « {enjeu} ».",
                    )
                    number = None
                if number and c.unique(seen, number, row, "numéro", f"numéro d'objectif « {number} »"):
                    strategics[number] = row
                    row.item = item
                    if enjeu:
                        enjeux[enjeu].item["strategic"][number] = row
            else:
                parent = c.number(row, "parent", parts=2)
                if parent and parent not in strategics:
                    c.error(row, "parent", f"objectif stratégique inconnu « {parent} ».")
                    parent = None
                if parent and enjeu and parent.split(".")[0] != enjeu:
                    c.error(row, "parent", f"l'objectif « {parent} » n'appartient pas à l'enjeu « {enjeu} ».")
                    parent = None
                if number and parent and number.rsplit(".", 1)[0] != parent:
                    c.error(
                        row,
                        "numéro",
                        f"le numéro « {number} » ne commence pas par celui du parent « {parent} ».",
                    )
                    number = None
                if number and c.unique(seen, number, row, "numéro", f"numéro d'objectif « {number} »"):
                    operationals[number] = row
                    row.item = item
                    if parent:
                        strategics[parent].item["operational"][number] = row

    # Fiches.
    fiches = {}
    commune_codes = set(ctg.communes.values_list("code", flat=True))
    status_choices = FicheAction.Status.choices
    priority_choices = FicheAction.Priority.choices

    def commune_values(row) -> list[str]:
        # A code typed as a number in Excel loses its leading zero (« 1001 » for « 01001 »).
        return [v.zfill(5) if v.isdigit() else v for v in c.items(row, "communes")]

    # The communes named anywhere in the sheet, looked up at once.
    named = list(dict.fromkeys(code for row in sheets.get("Fiches", []) for code in commune_values(row)))
    known = set()
    for chunk in _chunks(named):
        known.update(Commune.objects.filter(code__in=chunk).values_list("code", flat=True))
    for row in sheets.get("Fiches", []):
        number = c.number(row, "numéro", parts=3)
        objectives = []
        errors_before = len(c.errors)
        for value in c.items(row, "objectifs"):
            if not NUMBER_RE.match(value):
                c.error(row, "objectifs", f"numéro d'objectif invalide « {value} ».")
                continue
            value = ".".join(str(int(part)) for part in value.split("."))
            if value in operationals:
                if value not in objectives:
                    objectives.append(value)
            elif value in strategics:
                c.error(
                    row,
                    "objectifs",
                    f"« {value} » est un objectif stratégique : une fiche se rattache à des objectifs "
                    "opérationnels.",
                )
            else:
                c.error(row, "objectifs", f"objectif inconnu « {value} ».")
        if number:
            prefix = number.rsplit(".", 1)[0]
            allowed = list(dict.fromkeys(o.rsplit(".", 1)[0] for o in objectives)) or [NO_OBJECTIVE]
            if prefix not in allowed and errors_before == len(c.errors):
                if objectives:
                    expected = "l'objectif stratégique d'un de ses objectifs"
                else:
                    expected = "« 0.0 » pour une fiche rattachée à aucun objectif"
                c.error(
                    row,
                    "numéro",
                    f"le numéro « {number} » doit commencer par {expected} ({' ou '.join(allowed)}).",
                )
                number = None
        communes_value = commune_values(row)
        all_communes = not communes_value or [_fold(v) for v in communes_value] == [ALL_COMMUNES]
        communes = []
        if not all_communes and [_fold(v) for v in communes_value] != [NO_COMMUNE]:
            for code in communes_value:
                if code not in known:
                    c.error(
                        row, "communes", f"commune inconnue « {code} » (code Insee attendu, ou « toutes »)."
                    )
                elif code not in commune_codes:
                    c.error(row, "communes", f"la commune « {code} » est hors du territoire du dossier.")
                elif code not in communes:
                    communes.append(code)
        start, end = c.date(row, "début"), c.date(row, "fin")
        if start and end and end < start:
            c.error(row, "fin", f"la fin ({end:%d/%m/%Y}) précède le début ({start:%d/%m/%Y}).")
        item = {
            "objectives": objectives,
            "title": c.text(row, "intitulé", required=True, max_length=300),
            "fields": c.fields(row, "champs"),
            "context": c.text(row, "contexte"),
            "description": c.text(row, "description"),
            "target_public": c.text(row, "public"),
            "all_communes": all_communes,
            "communes": communes,
            "pilot_organisation": c.text(row, "pilote", max_length=250),
            "pilot_person": c.text(row, "personne pilote", max_length=200),
            "partners": list(dict.fromkeys(c.items(row, "partenaires"))),
            "start_date": start,
            "end_date": end,
            "status": c.choice(
                row, "statut", status_choices, what="statut", default=FicheAction.Status.A_VENIR
            ),
            "priority": c.choice(
                row, "priorité", priority_choices, what="priorité", default=FicheAction.Priority.MOYENNE
            ),
            "notes": c.text(row, "notes"),
            "steps": [],
            "budget": [],
            "indicators": {},
        }
        for name in item["partners"]:
            if len(name) > 250:
                c.error(
                    row,
                    "partenaires",
                    f"nom d'organisation trop long « {name[:40]}… » (250 caractères au plus).",
                )
        if number and c.unique(fiches, number, row, "numéro", f"numéro de fiche « {number} »"):
            row.item = item

    def fiche_of(row) -> dict | None:
        number = c.number(row, "fiche", parts=3)
        if number and number not in fiches:
            c.error(row, "fiche", f"fiche inconnue « {number} ».")
            return None
        return fiches[number].item if number else None

    for row in sheets.get("Étapes", []):
        fiche = fiche_of(row)
        step = {"year": c.year(row, "année"), "description": c.text(row, "étape", required=True)}
        if fiche is not None:
            fiche["steps"].append(step)

    budget_seen = {}
    for row in sheets.get("Budget", []):
        fiche = fiche_of(row)
        line = {
            "year": c.year(row, "année"),
            "funder": c.choice(row, "financeur", Funder.choices, what="financeur"),
            "planned": c.decimal(row, "prévu", places=2, max_digits=12, default=Decimal(0), positive=True),
            "spent": c.decimal(row, "réalisé", places=2, max_digits=12, default=Decimal(0), positive=True),
        }
        key = (id(fiche), line["year"], line["funder"])
        if (
            fiche is not None
            and line["year"]
            and line["funder"]
            and c.unique(
                budget_seen, key, row, "financeur", "ligne de budget (même fiche, année et financeur)"
            )
        ):
            fiche["budget"].append(line)

    indicator_rows = {}
    direction_choices = PlanIndicator.Direction.choices
    direction_words = {word: code for code, word in DIRECTION_WORDS.items()}
    for row in sheets.get("Indicateurs", []):
        fiche = fiche_of(row)
        number = c.number(row, "numéro d'indicateur", parts=1)
        indicator = {
            "label": c.text(row, "intitulé", required=True, max_length=300),
            "unit": c.text(row, "unité", max_length=60),
            "direction": c.choice(
                row,
                "sens",
                direction_choices,
                what="sens",
                default=PlanIndicator.Direction.UP,
                extra=direction_words,
            ),
            "nature": c.choice(
                row,
                "nature",
                PlanIndicator.Nature.choices,
                what="nature",
                default=PlanIndicator.Nature.RESULT,
            ),
            "baseline_value": c.decimal(row, "référence", places=4, max_digits=16),
            "baseline_year": c.year(row, "année de référence", required=False),
            "portrait_indicator": c.portrait_indicator(row, "indicateur du portrait"),
            "territory_code": c.territory(row, "territoire"),
            "values": {},
        }
        if fiche is not None and number:
            key = (id(fiche), number)
            if c.unique(indicator_rows, key, row, "numéro d'indicateur", f"indicateur « {number} »"):
                fiche["indicators"][number] = indicator

    value_seen = {}
    for row in sheets.get("Valeurs", []):
        fiche = fiche_of(row)
        number = c.number(row, "indicateur", parts=1)
        indicator = None
        if fiche is not None and number:
            indicator = fiche["indicators"].get(number)
            if indicator is None:
                c.error(row, "indicateur", f"indicateur « {number} » inconnu pour cette fiche.")
        value = {
            "year": c.year(row, "année"),
            "kind": c.choice(row, "type", IndicatorValue.Kind.choices, what="type"),
            "value": c.decimal(row, "valeur", places=4, max_digits=16, required=True),
            "origin": c.choice(
                row,
                "origine",
                IndicatorValue.Origin.choices,
                what="origine",
                default=IndicatorValue.Origin.TYPED,
            ),
            "source": c.text(row, "source", max_length=300),
        }
        if indicator is not None and value["year"] and value["kind"]:
            key = (id(indicator), value["year"], value["kind"])
            if c.unique(value_seen, key, row, "type", "valeur (même indicateur, année et type)"):
                indicator["values"][(value["year"], value["kind"])] = value

    return {"enjeux": enjeux, "fiches": fiches, "operationals": operationals}, c.errors


# --- import: writing -----------------------------------------------------------------------------------


def _last(number: str) -> int:
    return int(number.rsplit(".", 1)[-1])


def _write(ctg: Ctg, plan: dict, actor) -> tuple[int, int]:
    """Writes the checked plan in bulk: one insert (in batches) per table, whatever the number of fiches."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    tracked = {"created_by": user, "updated_by": user}

    # The tree: enjeux, then their strategic objectives, then the operational ones, each in one insert.
    enjeux = sorted(plan["enjeux"].items(), key=lambda kv: _last(kv[0]))
    enjeu_rows = [e_row.item for _, e_row in enjeux]
    enjeu_objects = Enjeu.objects.bulk_create(
        [
            Enjeu(
                ctg=ctg,
                title=e["title"],
                description=e["description"],
                fields=e["fields"],
                findings=e["findings"],
                attention_indicators=e["attention_indicators"],
                position=e_position,
                **tracked,
            )
            for e_position, e in enumerate(enjeu_rows, start=1)
        ]
    )
    strategic_order = {}
    strategic_items = []  # (strategic object, its operational rows in order)
    for enjeu, e in zip(enjeu_objects, enjeu_rows, strict=True):
        for s_position, (s_number, s_row) in enumerate(
            sorted(e["strategic"].items(), key=lambda kv: _last(kv[0])), 1
        ):
            s = s_row.item
            strategic_order[s_number] = len(strategic_order)
            strategic = StrategicObjective(
                enjeu=enjeu, title=s["title"], description=s["description"], position=s_position, **tracked
            )
            strategic_items.append((strategic, sorted(s["operational"].items(), key=lambda kv: _last(kv[0]))))
    StrategicObjective.objects.bulk_create([strategic for strategic, _ in strategic_items])
    objective_objects = {}
    for strategic, operational in strategic_items:
        for o_position, (o_number, o_row) in enumerate(operational, start=1):
            objective_objects[o_number] = OperationalObjective(
                strategic=strategic,
                title=o_row.item["title"],
                description=o_row.item["description"],
                position=o_position,
                **tracked,
            )
    OperationalObjective.objects.bulk_create(list(objective_objects.values()))

    def fiche_key(kv):
        number, row = kv
        prefix = number.rsplit(".", 1)[0]
        return (strategic_order.get(prefix, len(strategic_order)), _last(number))

    fiche_items = [row.item for _, row in sorted(plan["fiches"].items(), key=fiche_key)]

    # Organisations by exact name: the oldest one of that name, else created (in the order of the file).
    names = list(
        dict.fromkeys(
            name
            for f in fiche_items
            for name in ([f["pilot_organisation"]] if f["pilot_organisation"] else []) + f["partners"]
        )
    )
    organisations: dict[str, Organisation] = {}
    for chunk in _chunks(names):
        for found in Organisation.objects.filter(name__in=chunk).order_by("-pk"):
            organisations[found.name] = found  # the last one written is the oldest
    missing = [
        Organisation(name=name, kind=Organisation.Kind.AUTRE) for name in names if name not in organisations
    ]
    for created in Organisation.objects.bulk_create(missing):
        organisations[created.name] = created

    # Positions count up within each strategic objective in the order of the file, so that the fiches of a
    # first objective keep that order.
    counters: dict[str, int] = {}
    fiches = []
    for number, row in sorted(plan["fiches"].items(), key=fiche_key):
        f = row.item
        prefix = number.rsplit(".", 1)[0]
        counters[prefix] = counters.get(prefix, 0) + 1
        fiches.append(
            FicheAction(
                ctg=ctg,
                position=counters[prefix],
                title=f["title"],
                fields=f["fields"],
                context=f["context"],
                description=f["description"],
                target_public=f["target_public"],
                all_communes=f["all_communes"],
                pilot_organisation=organisations[f["pilot_organisation"]]
                if f["pilot_organisation"]
                else None,
                pilot_person=f["pilot_person"],
                start_date=f["start_date"],
                end_date=f["end_date"],
                status=f["status"],
                priority=f["priority"],
                notes=f["notes"],
                **tracked,
            )
        )
    FicheAction.objects.bulk_create(fiches)

    # Their links, calendar, budget and indicators: one insert per table for the whole plan.
    communes = {c.code: c for c in ctg.communes.all()}
    objective_links, commune_links, partner_links = [], [], []
    steps, budget, indicators, indicator_values = [], [], [], []
    for fiche, f in zip(fiches, fiche_items, strict=True):
        objective_links += [
            FicheAction.objectives.through(ficheaction_id=fiche.pk, operationalobjective_id=pk)
            for pk in dict.fromkeys(objective_objects[n].pk for n in f["objectives"])
        ]
        commune_links += [
            FicheAction.communes.through(ficheaction_id=fiche.pk, commune_id=pk)
            for pk in dict.fromkeys(communes[code].pk for code in f["communes"])
        ]
        partner_links += [
            FicheAction.partners.through(ficheaction_id=fiche.pk, organisation_id=pk)
            for pk in dict.fromkeys(organisations[name].pk for name in f["partners"])
        ]
        steps += [
            FicheStep(fiche=fiche, year=s["year"], description=s["description"], **tracked)
            for s in f["steps"]
        ]
        budget += [BudgetLine(fiche=fiche, **line, **tracked) for line in f["budget"]]
        for i_position, (_, i) in enumerate(sorted(f["indicators"].items(), key=lambda kv: int(kv[0])), 1):
            fields = {name: value for name, value in i.items() if name != "values"}
            indicator = PlanIndicator(fiche=fiche, position=i_position, **fields, **tracked)
            indicators.append(indicator)
            indicator_values.append((indicator, i["values"].values()))
    FicheAction.objectives.through.objects.bulk_create(objective_links)
    FicheAction.communes.through.objects.bulk_create(commune_links)
    FicheAction.partners.through.objects.bulk_create(partner_links)
    FicheStep.objects.bulk_create(steps)
    BudgetLine.objects.bulk_create(budget)
    PlanIndicator.objects.bulk_create(indicators)
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(indicator=indicator, **value, **tracked)
            for indicator, values in indicator_values
            for value in values
        ]
    )
    return len(enjeux), len(plan["fiches"])


def counted(n: int, singular: str, plural: str) -> str:
    return f"{n} {plural if n > 1 else singular}"


def _import(ctg: Ctg, sheets: dict[str, list[_Row]], read_errors: list[str], actor, where) -> dict:
    with transaction.atomic():
        ctg = Ctg.objects.select_for_update().get(pk=ctg.pk)
        if ctg.enjeux.exists() or ctg.fiches.exists():
            raise PlanImportError(
                [
                    "Le plan d'action de ce dossier n'est pas vide : l'import ne remplit qu'un plan vide "
                    "(aucun enjeu ni fiche action)."
                ]
            )
        if read_errors:
            # Missing sheets or columns: the rows that refer to them would only add noise.
            raise PlanImportError(read_errors)
        plan, errors = _check(ctg, sheets, where)
        if errors:
            raise PlanImportError(errors)
        n_enjeux, n_fiches = _write(ctg, plan, actor)
        history_record(
            ctg=ctg,
            actor=actor,
            action="import_plan",
            summary=(
                f"Import du plan d'action ({counted(n_enjeux, 'enjeu', 'enjeux')}, "
                f"{counted(n_fiches, 'fiche', 'fiches')})"
            ),
            changes={"enjeux": n_enjeux, "fiches": n_fiches},
        )
    return {"enjeux": n_enjeux, "fiches": n_fiches}


def _where_sheet(row: _Row, column: str) -> str:
    return f"Feuille « {row.sheet} », ligne {row.line}, colonne « {column} »"


def _where_json(row: _Row, column: str) -> str:
    return f"{row.path}.{row.keys.get(column, column)}"


def import_xlsx(ctg: Ctg, data: bytes, actor, name: str | None = None) -> dict:
    """Fills the empty plan of `ctg` from a workbook laid out as `export_xlsx` (`name`: the file's, for the
    messages). Returns the counts; raises `PlanImportError` with every problem found, nothing written."""
    try:
        sheets, errors = _read_workbook(data, name)
    except datafiles.FileRefused as error:
        raise PlanImportError(error.messages) from None
    return _import(ctg, sheets, errors, actor, _where_sheet)


def import_plan(ctg: Ctg, payload: dict, actor) -> dict:
    """Fills the empty plan of `ctg` from a dict laid out as `export_plan`. Same checks as `import_xlsx`, the
    messages naming the path of the value in the JSON (« fiches[1].status : statut inconnu… »)."""
    return _import(ctg, _rows_from_payload(payload), [], actor, _where_json)


IMPORT_SUFFIXES = (".xlsx", ".json")


def import_file(ctg: Ctg, data: bytes, name: str, actor) -> dict:
    """Fills the empty plan of `ctg` from an uploaded file (web form, `ctg plan_import`): a workbook (.xlsx)
    or a JSON export (.json), by the extension of `name`; the content must match it. Same result as
    `import_xlsx` and `import_plan`; every limit of `ctg.datafiles` is checked before parsing."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix == ".json":
        try:
            payload = datafiles.load_json(data, name)
        except datafiles.FileRefused as error:
            raise PlanImportError(error.messages) from None
        return import_plan(ctg, payload, actor)
    if suffix == ".xlsx":
        return import_xlsx(ctg, data, actor, name=name)
    raise PlanImportError(
        [
            f"Le fichier « {name} » n'est ni un classeur Excel (.xlsx) ni un export JSON (.json) du plan "
            "d'action."
        ]
    )
