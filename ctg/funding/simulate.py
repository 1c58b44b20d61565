"""The simulation of a list of funding lines (issue 14): the contract the offer's scenarios code against.

`simulate(lines, *, caf=None, year=None) -> list[dict]`:
- each input line is a dict `{"id": …, "kind": …, <inputs>…, "year": optional}` (the `ctg funding_simulate`
  file's lines); the year of a line is its own, else `year`, else the current year;
- `caf` is an Organisation of kind CAF (its table over the public values) or None (the public values only);
- each output is `{"id", "kind", "amount_eur_per_year": Decimal | None, "eligible_hours": int | None (ALSH
  only), "rule": French text, "parameters": [{"key", "label", "value", "origin"}], "problem": French reason |
  None}`, in the order of the lines; a line that cannot be computed has an amount None and a problem; it never
  raises for a line's content and writes nothing.
"""

import datetime
from decimal import Decimal

from ctg.funding import rules
from ctg.funding.parameters import YEAR_MAX, YEAR_MIN, public_parameters


def _year(line: dict, default: int) -> tuple[int | None, str | None]:
    raw = line.get("year", default)
    if raw is None or raw == "":
        raw = default
    if isinstance(raw, bool):
        return None, "L'année doit être un nombre entier."
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return None, f"L'année doit être un nombre entier, pas « {raw} »."
    if isinstance(raw, float | Decimal) and year != raw:
        return None, f"L'année doit être un nombre entier, pas « {raw} »."
    if not YEAR_MIN <= year <= YEAR_MAX:
        return None, f"L'année {year} est hors de la période couverte ({YEAR_MIN} à {YEAR_MAX})."
    return year, None


def _empty(line) -> dict:
    known = line if isinstance(line, dict) else {}
    return {
        "id": known.get("id"),
        "kind": known.get("kind"),
        "amount_eur_per_year": None,
        "eligible_hours": None,
        "rule": "",
        "parameters": [],
        "problem": None,
    }


def simulate(lines: list[dict], *, caf=None, year: int | None = None) -> list[dict]:
    default_year = year if year is not None else datetime.date.today().year
    tables: dict[int, dict] = {}
    results = []
    for line in lines:
        output = _empty(line)
        if not isinstance(line, dict):
            results.append(output | {"problem": "Une ligne doit être un objet (id, kind et ses valeurs)."})
            continue
        kind = line.get("kind")
        line_year, problem = _year(line, default_year)
        if problem is None:
            if line_year not in tables:
                if caf is None:
                    tables[line_year] = public_parameters(line_year)
                else:
                    from ctg.funding.services import parameters_for

                    tables[line_year] = parameters_for(caf, line_year)
            result = rules.compute(kind, line, tables[line_year], year=line_year)
            output.update(
                amount_eur_per_year=result.amount,
                eligible_hours=result.eligible_hours,
                rule=result.rule,
                parameters=result.parameters_as_dicts(),
                problem=result.problem,
            )
        else:
            output["problem"] = problem
        results.append(output)
    return results
