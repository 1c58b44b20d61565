"""Entries of the permission matrix (tests/test_permission_matrix.py) for the yearly bilan's URLs."""

from tests.matrix_helpers import EDITORS, MEMBER_ROLES, REDIRECT, dossier

VALIDATORS = ["pilote_caf", "coordination"]  # roles with Op.VALIDATE_BILAN


def _year(w):
    return {"pk": w.ctg.pk, "year": w.ctg.start_year}


MATRIX: dict = {
    ("evaluation:bilan_current", "GET"): dossier(MEMBER_ROLES, ok=REDIRECT),
    ("evaluation:bilan", "GET"): dossier(MEMBER_ROLES, kwargs=_year),
    ("evaluation:bilan_pdf", "GET"): dossier(MEMBER_ROLES, kwargs=_year),
    ("evaluation:bilan_docx", "GET"): dossier(MEMBER_ROLES, kwargs=_year),
    # The PDF or DOCX prepared by the worker: a job, then its page (other-dossier id: the dossier's 404).
    ("evaluation:bilan_prepare", "POST"): dossier(
        MEMBER_ROLES, ok=REDIRECT, method="POST", kwargs=lambda w: {**_year(w), "fmt": "pdf"}
    ),
    ("evaluation:bilan_highlights", "POST"): dossier(
        EDITORS, ok=REDIRECT, method="POST", kwargs=_year, data=lambda w: {"highlights": "Ouverture du RPE."}
    ),
    ("evaluation:bilan_validate", "POST"): dossier(VALIDATORS, ok=REDIRECT, method="POST", kwargs=_year),
}


# --- the final evaluation (issue 16): every member reads, the coordination and the CAF's pilot write, the
# COPIL's validation is recorded by the roles that validate a bilan. Other-dossier ids: tests/evaluation/
# test_final_views.py (a decision, a questionnaire, a version of another dossier).


def _in_evaluation(w):
    from ctg.conventions.models import Ctg, Phase

    Ctg.objects.filter(pk=w.ctg.pk).update(phase=Phase.EVALUATION)
    return {"pk": w.ctg.pk}


def _opened(w):
    from ctg.evaluation.models import FinalEvaluation

    _in_evaluation(w)
    FinalEvaluation.objects.get_or_create(ctg_id=w.ctg.pk)
    return {"pk": w.ctg.pk}


def _with_copil_decision(w):
    from tests.evaluation.final_helpers import copil_decision

    _opened(w)
    copil_decision(w.ctg)
    return {"pk": w.ctg.pk}


def _decision(w):
    from ctg.governance.models import Decision

    return {"decision": Decision.objects.filter(meeting__ctg=w.ctg).values_list("pk", flat=True).first()}


def _version(w):
    from django.core.files.base import ContentFile

    from ctg.evaluation.models import FinalEvaluation, FinalEvaluationVersion

    _in_evaluation(w)
    evaluation, _ = FinalEvaluation.objects.get_or_create(ctg_id=w.ctg.pk)
    version = FinalEvaluationVersion.objects.create(evaluation=evaluation, number=1)
    version.pdf.save("v1.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    version.docx.save("v1.docx", ContentFile(b"PK\x03\x04"), save=True)
    return {"pk": w.ctg.pk, "number": 1}


MATRIX.update(
    {
        ("evaluation:final", "GET"): dossier(MEMBER_ROLES, kwargs=_opened),
        ("evaluation:final_create", "POST"): dossier(
            EDITORS, ok=REDIRECT, method="POST", kwargs=_in_evaluation
        ),
        ("evaluation:final_conclusion", "POST"): dossier(
            EDITORS,
            ok=REDIRECT,
            method="POST",
            kwargs=_opened,
            data=lambda w: {"question": "coherence", "text": "Les actions ont répondu aux besoins."},
        ),
        ("evaluation:final_commitments", "POST"): dossier(
            EDITORS, ok=REDIRECT, method="POST", kwargs=_opened
        ),
        ("evaluation:final_questionnaire", "POST"): dossier(
            EDITORS, ok=REDIRECT, method="POST", kwargs=_opened, data=lambda w: {"questionnaire": ""}
        ),
        ("evaluation:final_validate", "POST"): dossier(
            VALIDATORS, ok=REDIRECT, method="POST", kwargs=_with_copil_decision, data=_decision
        ),
        ("evaluation:final_generate", "POST"): dossier(EDITORS, ok=REDIRECT, method="POST", kwargs=_opened),
        ("evaluation:final_version_pdf", "GET"): dossier(MEMBER_ROLES, kwargs=_version),
        ("evaluation:final_version_docx", "GET"): dossier(MEMBER_ROLES, kwargs=_version),
    }
)


# The comparison of a CTG with the one it renews (issue 16).
from tests.evaluation.matrix_comparison import MATRIX as _COMPARISON  # noqa: E402

MATRIX.update(_COMPARISON)
