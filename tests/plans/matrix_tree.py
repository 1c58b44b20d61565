"""Entries of the permission matrix (tests/test_permission_matrix.py) for this area's URLs."""

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from ctg.plans.models import Attachment, FicheAction, PlanIndicator
from tests.matrix_helpers import EDITORS, MEMBER_ROLES, REDIRECT, dossier
from tests.plans.factories import (
    BudgetLineFactory,
    EnjeuFactory,
    FicheFactory,
    OperationalObjectiveFactory,
    PlanIndicatorFactory,
    StrategicObjectiveFactory,
)

CONTRIBUTORS = ["pilote_caf", "coordination", "referent_communal", "partenaire"]


def _enjeu(w):
    return {"pk": w.ctg.pk, "enjeu_pk": EnjeuFactory(ctg=w.ctg).pk}


def _strategic(w):
    return {"pk": w.ctg.pk, "objective_pk": StrategicObjectiveFactory(enjeu__ctg=w.ctg).pk}


def _operational(w):
    return {"pk": w.ctg.pk, "objective_pk": OperationalObjectiveFactory(strategic__enjeu__ctg=w.ctg).pk}


def _fiche(w):
    return {"pk": w.ctg.pk, "fiche_pk": FicheFactory(ctg=w.ctg).pk}


def _indicator(w):
    fiche = FicheFactory(ctg=w.ctg)
    PlanIndicatorFactory(fiche=fiche)
    return {"pk": w.ctg.pk, "fiche_pk": fiche.pk}


def _budget_line(w):
    fiche = FicheFactory(ctg=w.ctg)
    return {"pk": w.ctg.pk, "fiche_pk": fiche.pk, "line_pk": BudgetLineFactory(fiche=fiche).pk}


def _plan_indicator(w):
    fiche = FicheFactory(ctg=w.ctg)
    return {"pk": w.ctg.pk, "fiche_pk": fiche.pk, "indicator_pk": PlanIndicatorFactory(fiche=fiche).pk}


def _value_data(w):
    indicator = PlanIndicator.objects.filter(fiche__ctg=w.ctg).latest("pk")
    return {
        "valeur-indicator": indicator.pk,
        "valeur-year": 2026,
        "valeur-kind": "target",
        "valeur-value": "12",
    }


def _fiche_edit_data(w):
    objective = OperationalObjectiveFactory(strategic__enjeu__ctg=w.ctg)
    return {
        "title": "Fiche modifiée",
        "objectives": [objective.pk],
        "all_communes": "toutes",
        "status": "en_cours",
        "priority": "haute",
        "version": 1,
    }


def _attachment(w):
    kwargs = _fiche(w)
    fiche = FicheAction.objects.get(pk=kwargs["fiche_pk"])
    attachment = Attachment.objects.create(
        fiche=fiche, title="Compte rendu", file=ContentFile(b"%PDF-1.4", "cr.pdf")
    )
    return {**kwargs, "attachment_pk": attachment.pk}


def _upload(w):
    return {"piece-file": SimpleUploadedFile("convention.pdf", b"%PDF-1.4 test"), "piece-title": "Convention"}


def _post(kwargs, data=lambda w: {}):
    return dossier(EDITORS, ok=REDIRECT, method="POST", kwargs=kwargs, data=data)


TITLE = lambda w: {"title": "Intitulé de test"}  # noqa: E731
UP = lambda w: {"direction": "up"}  # noqa: E731

MATRIX: dict = {
    ("plans:tree", "GET"): dossier(MEMBER_ROLES),
    ("plans:enjeu_create", "GET"): dossier(EDITORS),
    ("plans:enjeu_create", "POST"): _post(lambda w: {"pk": w.ctg.pk}, TITLE),
    ("plans:enjeu_edit", "GET"): dossier(EDITORS, kwargs=_enjeu),
    ("plans:enjeu_edit", "POST"): _post(_enjeu, TITLE),
    ("plans:enjeu_move", "POST"): _post(_enjeu, UP),
    ("plans:enjeu_delete", "POST"): _post(_enjeu),
    ("plans:strategic_create", "GET"): dossier(EDITORS, kwargs=_enjeu),
    ("plans:strategic_create", "POST"): _post(_enjeu, TITLE),
    ("plans:strategic_edit", "GET"): dossier(EDITORS, kwargs=_strategic),
    ("plans:strategic_edit", "POST"): _post(_strategic, TITLE),
    ("plans:strategic_move", "POST"): _post(_strategic, UP),
    ("plans:strategic_delete", "POST"): _post(_strategic),
    ("plans:operational_create", "GET"): dossier(EDITORS, kwargs=_strategic),
    ("plans:operational_create", "POST"): _post(_strategic, TITLE),
    ("plans:operational_edit", "GET"): dossier(EDITORS, kwargs=_operational),
    ("plans:operational_edit", "POST"): _post(_operational, TITLE),
    ("plans:operational_move", "POST"): _post(_operational, UP),
    ("plans:operational_delete", "POST"): _post(_operational),
    ("plans:fiche_create", "GET"): dossier(EDITORS),
    ("plans:fiche_create", "POST"): _post(
        lambda w: {"pk": w.ctg.pk},
        lambda w: {
            "title": "Nouvelle fiche",
            "objectives": [OperationalObjectiveFactory(strategic__enjeu__ctg=w.ctg).pk],
            "all_communes": "toutes",
            "status": "a_venir",
            "priority": "moyenne",
        },
    ),
    ("plans:fiche_detail", "GET"): dossier(MEMBER_ROLES, kwargs=_fiche),
    ("plans:fiche_attachment", "POST"): _post(_fiche, _upload),
    ("plans:fiche_steps", "POST"): _post(_fiche, lambda w: {"etapes-steps": "2025 : lancement"}),
    ("plans:fiche_attachment_download", "GET"): dossier(MEMBER_ROLES, kwargs=_attachment),
    # The référent communal edits only the fiches of his communes: not this one (all communes).
    ("plans:fiche_edit", "GET"): dossier(EDITORS, kwargs=_fiche),
    ("plans:fiche_edit", "POST"): _post(_fiche, _fiche_edit_data),
    ("plans:fiche_comment", "POST"): dossier(
        CONTRIBUTORS, ok=REDIRECT, method="POST", kwargs=_fiche, data=lambda w: {"text": "Un avis"}
    ),
    ("plans:fiche_budget", "POST"): _post(
        _fiche,
        lambda w: {
            "budget-year": 2025,
            "budget-funder": "caf",
            "budget-planned": "1000",
            "budget-spent": "0",
        },
    ),
    ("plans:fiche_indicator_create", "POST"): _post(
        _fiche,
        lambda w: {"indicateur-label": "Places", "indicateur-direction": "up", "indicateur-nature": "result"},
    ),
    ("plans:fiche_indicator_value", "POST"): _post(_indicator, _value_data),
    ("plans:fiche_budget_delete", "GET"): dossier(EDITORS, kwargs=_budget_line),
    ("plans:fiche_budget_delete", "POST"): _post(_budget_line),
    ("plans:fiche_indicator_edit", "GET"): dossier(EDITORS, kwargs=_plan_indicator),
    ("plans:fiche_indicator_edit", "POST"): _post(
        _plan_indicator,
        lambda w: {
            "indicateur-label": "Places",
            "indicateur-direction": "down",
            "indicateur-nature": "means",
        },
    ),
    ("plans:fiche_indicator_delete", "GET"): dossier(EDITORS, kwargs=_plan_indicator),
    ("plans:fiche_indicator_delete", "POST"): _post(_plan_indicator),
    ("plans:fiche_move", "POST"): _post(_fiche, UP),
    ("plans:fiche_delete", "POST"): _post(_fiche),
}
