"""Permission-matrix entries of this area, merged by tests/test_permission_matrix.py.

Scenarios of the offer of services: every member reads them, the dossier's editors (`Op.EDIT`) write them,
those who edit the plan (`Op.EDIT_PLAN`) turn one into a fiche action; outsiders get 404
(tests/offer/test_scenarios_pages.py: a scenario or a line of another dossier is 404 from this one)."""

from ctg.offer.models import ScenarioLine
from ctg.offer.scenarios import scenario_create
from ctg.offer.services import structure_create
from tests.matrix_helpers import EDITORS, MEMBER_ROLES, REDIRECT, dossier
from tests.plans.factories import OperationalObjectiveFactory


def _scenario(w):
    scenario = scenario_create(
        ctg=w.ctg,
        actor=None,
        name="Micro-crèche du Test",
        lines=[{"type": "eaje_micro_creche", "places": 12, "commune": w.ctg.communes.first(), "year": 2026}],
    )
    return {"pk": w.ctg.pk, "scenario_pk": scenario.pk}


def _line(w):
    kwargs = _scenario(w)
    kwargs["line_pk"] = ScenarioLine.objects.get(scenario_id=kwargs["scenario_pk"]).pk
    return kwargs


def _with_objective(w):
    OperationalObjectiveFactory(strategic__enjeu__ctg=w.ctg)
    return _scenario(w)


def _line_data(w):
    return {"type": "mam", "places": "8", "commune": w.ctg.communes.first().code, "year": "2027"}


def _closure_data(w):
    values = {"type": "centre_social", "name": "Centre social du Test", "commune": w.ctg.communes.first()}
    structure = structure_create(actor=None, values={**values, "source": "t"})
    return {"structure": structure.pk, "year": "2027"}


def _create_data(w):
    return {"name": "MAM du Test", "description": "", **_line_data(w)}


MATRIX = {
    ("offer:scenarios", "GET"): dossier(MEMBER_ROLES, kwargs=lambda w: {"pk": _scenario(w)["pk"]}),
    ("offer:scenario_add", "GET"): dossier(EDITORS),
    ("offer:scenario_add", "POST"): dossier(EDITORS, ok=REDIRECT, method="POST", data=_create_data),
    ("offer:scenario", "GET"): dossier(MEMBER_ROLES, kwargs=_scenario),
    ("offer:scenario_edit", "GET"): dossier(EDITORS, kwargs=_scenario),
    ("offer:scenario_edit", "POST"): dossier(
        EDITORS, ok=REDIRECT, method="POST", kwargs=_scenario, data=lambda w: {"name": "Renommé"}
    ),
    ("offer:scenario_delete", "POST"): dossier(EDITORS, ok=REDIRECT, method="POST", kwargs=_scenario),
    # « Transformer en fiche action »: those who edit the plan (the plan has one operational objective).
    # (its page and URL are the plan's: /plan/ctg/<pk>/scenarios/<scenario_pk>/fiche-action/).
    ("plans:scenario_fiche", "GET"): dossier(EDITORS, kwargs=_with_objective),
    ("plans:scenario_fiche", "POST"): dossier(EDITORS, ok=REDIRECT, method="POST", kwargs=_with_objective),
    ("offer:scenario_line_add", "GET"): dossier(EDITORS, kwargs=_scenario),
    ("offer:scenario_line_add", "POST"): dossier(
        EDITORS, ok=REDIRECT, method="POST", kwargs=_scenario, data=_line_data
    ),
    ("offer:scenario_closure_add", "GET"): dossier(EDITORS, kwargs=_scenario),
    ("offer:scenario_closure_add", "POST"): dossier(
        EDITORS, ok=REDIRECT, method="POST", kwargs=_scenario, data=_closure_data
    ),
    ("offer:scenario_line_edit", "GET"): dossier(EDITORS, kwargs=_line),
    ("offer:scenario_line_edit", "POST"): dossier(
        EDITORS, ok=REDIRECT, method="POST", kwargs=_line, data=_line_data
    ),
    ("offer:scenario_line_delete", "POST"): dossier(EDITORS, ok=REDIRECT, method="POST", kwargs=_line),
    # The funding side (issue 14): the inputs of a line's funding rules (the dossier's editors), the
    # comparison of 2 to 4 scenarios and its exports (every member; tests/offer/test_scenario_funding_pages.py
    # shows another dossier's scenario in the list is 404).
    ("offer:scenario_line_funding", "GET"): dossier(EDITORS, kwargs=_line),
    ("offer:scenario_line_funding", "POST"): dossier(
        EDITORS, ok=REDIRECT, method="POST", kwargs=_line, data=lambda w: {"bonus_tranche": "1"}
    ),
    ("offer:scenario_compare", "GET"): dossier(MEMBER_ROLES, kwargs=lambda w: {"pk": _scenario(w)["pk"]}),
    ("offer:scenario_compare_csv", "GET"): dossier(
        MEMBER_ROLES, ok=REDIRECT, kwargs=lambda w: {"pk": _scenario(w)["pk"]}
    ),
    ("offer:scenario_compare_xlsx", "GET"): dossier(
        MEMBER_ROLES, ok=REDIRECT, kwargs=lambda w: {"pk": _scenario(w)["pk"]}
    ),
}
