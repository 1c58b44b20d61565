"""The business rules of a fiche action, in one place: pure functions (values and the CTG's period in,
problems out; no database, no request), used alike by the fiche form (`forms.FicheForm`), the fiche services
and the plan import (`ctg.exchange.check`), so that a fiche the import accepts is a fiche the form saves as it
is.

The values are already read (texts cleaned, lists of any hashable items, dates as `datetime.date`); what the
items refer to (objectives of this dossier, communes of its territory, known organisations) is checked by the
callers, which know how the items are named (ids, numbers of the workbook, INSEE codes).

Each problem names the field it concerns, a code and a French sentence; `Problem.params` carries the values
the sentence quotes, for a caller that words it its own way (the import names sheet, line and column).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ctg.conventions.models import Field
from ctg.plans.models import FicheAction

TITLE_MAX = 300
PILOT_PERSON_MAX = 200
OBJECTIVES_REQUIRED = "Rattachez la fiche à au moins un objectif opérationnel."
COMMUNES_REQUIRED = "Choisissez au moins une commune, ou « toutes les communes du territoire »."
COMMUNES_AMBIGUOUS = (
    "Choisissez « toutes les communes du territoire » ou une liste de communes, pas les deux : décochez les "
    "communes, ou choisissez « certaines communes »."
)


@dataclass(frozen=True)
class Period:
    """The years of a CTG, first and last included."""

    start_year: int
    end_year: int

    @classmethod
    def of(cls, ctg) -> Period:
        return cls(ctg.start_year, ctg.end_year)

    @property
    def first(self) -> datetime.date:
        return datetime.date(self.start_year, 1, 1)

    @property
    def last(self) -> datetime.date:
        return datetime.date(self.end_year, 12, 31)

    @property
    def label(self) -> str:
        return f"{self.start_year}-{self.end_year}"

    @property
    def dates_label(self) -> str:
        return f"du {self.first:%d/%m/%Y} au {self.last:%d/%m/%Y}"


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str
    params: Mapping = field(default_factory=dict, compare=False)


def as_errors(problems: Iterable[Problem]) -> dict[str, list[str]]:
    """{field: [messages]}, as `ValidationError` and `Form.add_error` take them."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field, []).append(problem.message)
    return errors


# --- single values -------------------------------------------------------------------------------------


def year_problem(year, period: Period, *, field: str = "year") -> Problem | None:
    """A year of the CTG (a step, a budget line, a typed indicator value, a bilan)."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        return Problem(field, "required", "L'année est obligatoire.")
    if not period.start_year <= year <= period.end_year:
        return Problem(
            field,
            "year_outside_period",
            f"L'année {year} est hors de la période de la CTG ({period.label}).",
            {"year": year},
        )
    return None


def date_problems(start: datetime.date | None, end: datetime.date | None, period: Period) -> list[Problem]:
    """Start and end within the CTG's period, the end not before the start (an end before the start is
    reported as such, not as outside the period)."""
    problems = []
    before_start = start is not None and end is not None and end < start
    for name, value, what in (("start_date", start, "début"), ("end_date", end, "fin")):
        if name == "end_date" and before_start:
            continue
        if value is not None and not period.first <= value <= period.last:
            problems.append(
                Problem(
                    name,
                    "date_outside_period",
                    f"La date de {what} doit être comprise dans la période de la CTG ({period.dates_label}).",
                    {"date": value},
                )
            )
    if before_start:
        problems.append(
            Problem(
                "end_date",
                "end_before_start",
                "La date de fin ne peut pas précéder la date de début.",
                {"start": start, "end": end},
            )
        )
    return problems


def choice_problem(value, choices, *, field: str, label: str) -> Problem | None:
    if value not in choices.values:
        return Problem(field, "unknown_choice", f"{label} : valeur inconnue « {value} ».", {"value": value})
    return None


def fields_problem(values: Iterable[str]) -> Problem | None:
    unknown = [value for value in values if value not in Field.values]
    if unknown:
        return Problem(
            "fields",
            "unknown_field",
            f"Champ d'intervention inconnu : {', '.join(map(str, unknown))}.",
            {"values": unknown},
        )
    return None


def text_problem(value: str, *, field: str, label: str, required=False, max_length=None) -> Problem | None:
    """`label`: « L'intitulé »… (the subject of the sentence)."""
    if required and not value:
        return Problem(field, "required", f"{label} est obligatoire.")
    if max_length and len(value) > max_length:
        return Problem(
            field,
            "max_length",
            f"{label} ne doit pas dépasser {max_length} caractères.",
            {"length": len(value), "max_length": max_length},
        )
    return None


# --- a fiche -------------------------------------------------------------------------------------------


def fiche_problems(values: Mapping, period: Period) -> list[Problem]:
    """Every problem of a complete set of fiche values: title, pilot person, fields, status, priority, at
    least one operational objective, its communes (« toutes » or a list, not both), dates within the
    period."""
    problems = [
        text_problem(
            values.get("title") or "", field="title", label="L'intitulé", required=True, max_length=TITLE_MAX
        ),
        text_problem(
            values.get("pilot_person") or "",
            field="pilot_person",
            label="La personne pilote",
            max_length=PILOT_PERSON_MAX,
        ),
        fields_problem(values.get("fields") or []),
        choice_problem(values.get("status"), FicheAction.Status, field="status", label="Statut"),
        choice_problem(values.get("priority"), FicheAction.Priority, field="priority", label="Priorité"),
    ]
    if not values.get("objectives"):
        problems.append(Problem("objectives", "objectives_required", OBJECTIVES_REQUIRED))
    problems.append(communes_problem(values.get("all_communes"), values.get("communes")))
    problems += date_problems(values.get("start_date"), values.get("end_date"), period)
    return [problem for problem in problems if problem is not None]


def communes_problem(all_communes, communes) -> Problem | None:
    """A fiche concerns either every commune of the territory or a list of them, never both, never neither."""
    if all_communes and communes:
        return Problem("communes", "communes_ambiguous", COMMUNES_AMBIGUOUS, {"communes": list(communes)})
    if not all_communes and not communes:
        return Problem("communes", "communes_required", COMMUNES_REQUIRED)
    return None


def step_problems(year, description: str, period: Period) -> list[Problem]:
    """A yearly step of the fiche's calendar: a year of the CTG and a text."""
    problem = year_problem(year, period, field="steps")
    if problem is not None:
        return [problem]
    text = text_problem(description or "", field="steps", label=f"L'étape de {year}", required=True)
    return [text] if text is not None else []
