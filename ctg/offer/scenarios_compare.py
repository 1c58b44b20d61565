"""Scenarios of the offer side by side (issue 14, item 3): for 2 to `COMPARE_MAX` scenarios of one dossier,
the places created and closed, the coverage before and after (`scenarios.compare_scenario`'s headline), the
CAF's funding per year and over the CTG's period and the collectivité's remaining cost
(`scenario_funding.scenario_funding`). The same table feeds the page and its CSV/XLSX exports (written through
`ctg.datafiles`). Nothing is written; a figure that is partial, simulated or not computed says so in its note.
"""

import io
from dataclasses import dataclass, field
from decimal import Decimal

from ctg.datafiles import csv_writer, xlsx_append
from ctg.offer import scenario_funding, scenarios
from ctg.offer.models import Scenario

COMPARE_MIN, COMPARE_MAX = 2, 4


@dataclass
class Cell:
    """One figure of one scenario: its value (a number, or None), the text shown and a note (« partiel »,
    « simulé », the reason it is not computed)."""

    value: Decimal | int | None
    text: str
    note: str = ""


@dataclass
class Row:
    label: str
    cells: list[Cell]
    kind: str = ""  # "money" for euros


@dataclass
class Table:
    scenarios: list[Scenario]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _euros(value: Decimal) -> str:
    text = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
    return text.replace(",", "\u202f").replace(".", ",") + "\u00a0€"


def _money(total: scenario_funding.Total, *, which: str) -> Cell:
    if which == "caf":
        any_value, value, complete = total.any_caf, total.caf, total.caf_complete
    else:
        any_value, value, complete = total.any_remaining, total.remaining, total.remaining_complete
    if not any_value:
        return Cell(None, "—", "non calculé" if not complete else "")
    return Cell(value, _euros(value), "" if complete else "partiel : un montant n'a pas pu être calculé")


def _figure(figure) -> Cell:
    if figure is None or figure.value is None:
        return Cell(None, "—", "non disponible")
    notes = []
    if figure.status != "ok":
        notes.append(figure.status.replace("_", " "))
    if figure.simulated:
        notes.append("simulé")
    unit = f" {figure.unit}" if figure.unit else ""
    return Cell(figure.value, f"{figure.text}{unit}", ", ".join(notes))


def compare_table(chosen: list[Scenario], *, distance_km: float | None = None) -> Table:
    """The comparison of `chosen` (scenarios of one dossier), one column each."""
    table = Table(list(chosen))
    columns = []
    for scenario in chosen:
        lines = list(scenario.lines.select_related("commune", "structure"))
        comparison = (
            scenarios.compare(scenarios.territory_of_ctg(scenario.ctg), lines, distance_km=distance_km)
            if lines
            else None
        )
        funding = scenario_funding.scenario_funding(scenario, lines=lines)
        columns.append((scenario, lines, comparison, funding))
    rows = table.rows
    rows.append(
        Row(
            "Structures du scénario",
            [
                Cell(None, " ; ".join(str(line) for line in lines) or "aucune")
                for _s, lines, _c, _f in columns
            ],
        )
    )
    created = [scenario_funding.places_summary(lines) for _s, lines, _c, _f in columns]
    rows.append(Row("Places créées", [Cell(c, str(c)) for c, _closed in created]))
    rows.append(
        Row(
            "Places fermées",
            [Cell(closed, str(closed), "capacité connue des structures fermées") for _c, closed in created],
        )
    )
    rows.append(
        Row(
            "Chiffre clé du territoire",
            [Cell(None, c.headline.label if c and c.headline else "—") for _s, _lines, c, _f in columns],
        )
    )
    rows.append(
        Row(
            "Avant le scénario",
            [_figure(c.headline.before if c and c.headline else None) for _s, _l, c, _f in columns],
        )
    )
    rows.append(
        Row(
            "Après le scénario (simulé)",
            [_figure(c.headline.after if c and c.headline else None) for _s, _l, c, _f in columns],
        )
    )
    years = sorted({year for *_rest, f in columns for year in f.years})
    for year in years:
        rows.append(
            Row(
                f"Financement de la CAF en {year}",
                [
                    _money(f.by_year()[year], which="caf") if year in f.by_year() else Cell(None, "—")
                    for *_rest, f in columns
                ],
                "money",
            )
        )
    rows.append(
        Row(
            "Financement de la CAF sur la période",
            [_money(f.total, which="caf") for *_r, f in columns],
            "money",
        )
    )
    for year in years:
        rows.append(
            Row(
                f"Reste à charge de la collectivité en {year}",
                [
                    _money(f.by_year()[year], which="remaining") if year in f.by_year() else Cell(None, "—")
                    for *_rest, f in columns
                ],
                "money",
            )
        )
    rows.append(
        Row(
            "Reste à charge de la collectivité sur la période",
            [_money(f.total, which="remaining") for *_r, f in columns],
            "money",
        )
    )
    problems = []
    for scenario, *_rest, funding in columns:
        problems += [f"{scenario.name} : {problem}" for problem in funding.problems]
    table.notes = list(dict.fromkeys(problems))
    return table


def _header(table: Table) -> list[str]:
    header = ["Chiffre"]
    for scenario in table.scenarios:
        name = scenario.name + (" (fictif)" if scenario.is_fictitious else "")
        header += [name, f"{name} : note"]
    return header


def _cells(row: Row) -> list:
    values: list = [row.label]
    for cell in row.cells:
        values += [cell.value if cell.value is not None else cell.text, cell.note]
    return values


def table_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(_header(table))
    for row in table.rows:
        writer.writerow(_cells(row))
    for note in table.notes:
        writer.writerow(["Montant non calculé", note])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Comparaison"
    xlsx_append(sheet, _header(table))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        xlsx_append(sheet, _cells(row))
    for note in table.notes:
        xlsx_append(sheet, ["Montant non calculé", note])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = ["COMPARE_MAX", "COMPARE_MIN", "Table", "compare_table", "table_csv", "table_xlsx"]
