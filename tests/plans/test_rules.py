"""The fiche's business rules (`ctg.plans.rules`): pure functions, no database."""

import datetime

from ctg.plans import rules
from ctg.plans.forms import FicheForm
from ctg.plans.models import FicheAction

from .factories import OperationalObjectiveFactory

PERIOD = rules.Period(2025, 2028)


def _fiche(**values) -> dict:
    return {
        "title": "Micro-crèche",
        "objectives": [1],
        "fields": [],
        "all_communes": True,
        "communes": [],
        "pilot_person": "",
        "status": FicheAction.Status.A_VENIR,
        "priority": FicheAction.Priority.MOYENNE,
        "start_date": None,
        "end_date": None,
        **values,
    }


def _codes(problems) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in problems]


def test_period():
    assert (PERIOD.first, PERIOD.last) == (datetime.date(2025, 1, 1), datetime.date(2028, 12, 31))
    assert PERIOD.label == "2025-2028"
    assert PERIOD.dates_label == "du 01/01/2025 au 31/12/2028"


def test_a_complete_fiche_has_no_problem():
    assert rules.fiche_problems(_fiche(), PERIOD) == []
    communes = _fiche(all_communes=False, communes=["81004"], start_date=datetime.date(2025, 1, 1))
    assert rules.fiche_problems(communes, PERIOD) == []


def test_every_problem_of_a_fiche_at_once():
    values = _fiche(
        title="",
        objectives=[],
        all_communes=False,
        communes=[],
        status="fini",
        fields=["cuisine"],
        start_date=datetime.date(2024, 12, 31),
    )
    assert _codes(rules.fiche_problems(values, PERIOD)) == [
        ("title", "required"),
        ("fields", "unknown_field"),
        ("status", "unknown_choice"),
        ("objectives", "objectives_required"),
        ("communes", "communes_required"),
        ("start_date", "date_outside_period"),
    ]


def test_an_end_before_the_start_is_reported_as_such_not_as_outside_the_period():
    problems = rules.date_problems(datetime.date(2025, 3, 1), datetime.date(2024, 12, 31), PERIOD)
    assert _codes(problems) == [("end_date", "end_before_start")]
    assert problems[0].message == "La date de fin ne peut pas précéder la date de début."
    assert problems[0].params == {"start": datetime.date(2025, 3, 1), "end": datetime.date(2024, 12, 31)}
    outside = rules.date_problems(datetime.date(2025, 3, 1), datetime.date(2029, 1, 1), PERIOD)
    assert outside[0].message == (
        "La date de fin doit être comprise dans la période de la CTG (du 01/01/2025 au 31/12/2028)."
    )


def test_years_and_steps():
    assert rules.year_problem(2025, PERIOD) is None
    assert rules.year_problem("2028", PERIOD) is None
    assert (
        rules.year_problem(2029, PERIOD).message
        == "L'année 2029 est hors de la période de la CTG (2025-2028)."
    )
    assert rules.year_problem(None, PERIOD).message == "L'année est obligatoire."
    assert rules.step_problems(2026, "Ouverture", PERIOD) == []
    assert rules.step_problems(2026, "", PERIOD)[0].message == "L'étape de 2026 est obligatoire."
    assert rules.as_errors(rules.step_problems(2030, "x", PERIOD)) == {
        "steps": ["L'année 2030 est hors de la période de la CTG (2025-2028)."]
    }


def test_the_fiche_form_applies_the_same_rules(world):
    """The form shows the rules' problems on their fields before any service is called."""
    objective = OperationalObjectiveFactory(strategic__enjeu__ctg=world.ctg)
    data = {
        "title": "Micro-crèche",
        "objectives": [objective.pk],
        "status": FicheAction.Status.A_VENIR,
        "priority": FicheAction.Priority.MOYENNE,
        "start_date": "2024-12-31",
        "end_date": "2025-06-30",
    }
    form = FicheForm(data, ctg=world.ctg)
    assert not form.is_valid()
    assert form.errors == {
        "communes": ["Choisissez au moins une commune, ou « toutes les communes du territoire »."],
        "start_date": [
            "La date de début doit être comprise dans la période de la CTG (du 01/01/2025 au 31/12/2028)."
        ],
    }
    form = FicheForm({**data, "all_communes": "toutes", "start_date": "2025-01-01"}, ctg=world.ctg)
    assert form.is_valid(), form.errors
