"""The export of a plan d'action, as JSON (`export_plan`) or as a workbook (`export_xlsx`), numbered by
`ctg.plans.numbering` (the numbers of the application): a fiche attached to no objective of the plan, which
the application does not number, is exported as « 0.0.N »."""

import datetime
import io
from decimal import Decimal

from django.db.models import Prefetch

from ctg import datafiles
from ctg.conventions.models import Ctg, Field
from ctg.exchange.layout import (
    ALL_COMMUNES,
    AMOUNT_COLUMNS,
    CHOICE_LISTS,
    DATE_COLUMNS,
    DIRECTION_WORDS,
    FORMAT,
    LEVEL_OPERATIONAL,
    LEVEL_STRATEGIC,
    NO_COMMUNE,
    NO_OBJECTIVE,
    NOTICE,
    SHEETS,
    TEXT_COLUMNS,
    VERSION,
)
from ctg.plans import numbering
from ctg.plans.models import BudgetLine, FicheAction, Funder, IndicatorValue, PlanIndicator
from ctg.plans.selectors import objective_nodes


def _decimal(value: Decimal | None, places: int) -> str | None:
    if value is None:
        return None
    return str(Decimal(value).quantize(Decimal(1).scaleb(-places)))


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _key(number: str) -> tuple[int, ...]:
    """« 1.10.2 » → (0, 1, 10, 2): the order of the numbers; the fiches « 0.0.N » come after the others."""
    parts = tuple(int(part) for part in number.split("."))
    return (1, *parts) if number.startswith(NO_OBJECTIVE + ".") else (0, *parts)


def _plan_numbers(ctg: Ctg, fiches: list[FicheAction]) -> dict[tuple[str, int], str]:
    """`numbering.number_plan` of the plan, and « 0.0.N » for the fiches it leaves out (attached to no
    objective of the plan), in the order of their positions."""
    numbers = numbering.number_plan(
        objective_nodes(ctg),
        [numbering.FicheNode(f.pk, f.position, [o.pk for o in f.objectives.all()]) for f in fiches],
    )
    loose = [f for f in fiches if (numbering.FICHE, f.pk) not in numbers]
    for index, fiche in enumerate(numbering.ordered(loose), start=1):
        numbers[(numbering.FICHE, fiche.pk)] = f"{NO_OBJECTIVE}.{index}"
    return numbers


def export_plan(ctg: Ctg, *, with_ids: bool = False) -> dict:
    """The whole plan of `ctg` as a JSON-serialisable dict, in plan order, without database ids (the exchange
    format). `with_ids` adds each fiche's and indicator's id under "id", for the application's own use (the
    convention's versions follow a fiche through a renaming); the exported files never carry them."""
    enjeux = list(ctg.enjeux.prefetch_related("objectives__operational", "findings", "schema_axes"))
    # The plan's many rows (budget lines, indicators, their yearly values) without who and when they were
    # changed, which the plan does not carry: at 500 fiches, 24,000 datetimes and their memory less.
    untracked = ("created_at", "created_by", "updated_at", "updated_by")
    fiches = list(
        ctg.fiches.select_related("pilot_organisation").prefetch_related(
            "objectives",
            "communes",
            "partners",
            "steps",
            Prefetch("budget", queryset=BudgetLine.objects.defer(*untracked)),
            Prefetch("indicators", queryset=PlanIndicator.objects.defer(*untracked)),
            Prefetch("indicators__values", queryset=IndicatorValue.objects.defer(*untracked)),
        )
    )
    numbers = _plan_numbers(ctg, fiches)

    def number(kind: str, item) -> str:
        return numbers[(kind, item.pk)]

    def in_order(kind: str, items) -> list:
        return sorted(items, key=lambda item: _key(number(kind, item)))

    enjeu_rows = []
    for enjeu in in_order(numbering.ENJEU, enjeux):
        objectives = []
        for strategic in in_order(numbering.STRATEGIC, enjeu.objectives.all()):
            operational = [
                {"number": number(numbering.OPERATIONAL, o), "title": o.title, "description": o.description}
                for o in in_order(numbering.OPERATIONAL, strategic.operational.all())
            ]
            objectives.append(
                {
                    "number": number(numbering.STRATEGIC, strategic),
                    "title": strategic.title,
                    "description": strategic.description,
                    "operational": operational,
                }
            )
        enjeu_rows.append(
            {
                "number": number(numbering.ENJEU, enjeu),
                "title": enjeu.title,
                "description": enjeu.description,
                "fields": list(enjeu.fields),
                # The titles of the findings it cites, one a line (the import creates or finds them again).
                "findings": "\n".join(f.title for f in enjeu.findings.all()),
                "attention_indicators": list(enjeu.attention_indicators),
                # The axes of the CAF's schéma départemental it serves (read only: the import ignores them).
                "schema_axes": [f"{axis.code} — {axis.title}" for axis in enjeu.schema_axes.all()],
                "objectives": objectives,
            }
        )

    fiche_rows = []
    for fiche in in_order(numbering.FICHE, fiches):
        keys = [(numbering.OPERATIONAL, o.pk) for o in fiche.objectives.all()]
        objective_numbers = sorted((numbers[key] for key in keys if key in numbers), key=_key)
        row = _fiche_as_dict(fiche, number(numbering.FICHE, fiche), objective_numbers)
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


def _labels(codes, choices) -> str:
    labels = dict(choices)
    return " ; ".join(labels.get(code, code) for code in codes)


def _tree_rows(plan: dict, rows: dict[str, list[list]]) -> None:
    """The rows of the sheets « Enjeux » and « Objectifs »."""
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
                " ; ".join(enjeu["schema_axes"]),
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


def _fiche_rows(plan: dict, rows: dict[str, list[list]]) -> None:
    """The rows of the sheets « Fiches », « Étapes », « Budget », « Indicateurs » and « Valeurs »."""
    field_choices = Field.choices
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


def export_xlsx(ctg: Ctg) -> bytes:
    """The plan of `ctg` as an Excel workbook (see `ctg.exchange`)."""
    plan = export_plan(ctg)
    rows: dict[str, list[list]] = {name: [] for name in SHEETS}
    _tree_rows(plan, rows)
    _fiche_rows(plan, rows)
    return _workbook(rows)


def _workbook(rows: dict[str, list[list]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

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
