"""Permission-matrix entries of the results of a questionnaire, merged by tests/test_permission_matrix.py.

Every member reads the results page and downloads the aggregate (masked outside the coordination:
tests/surveys/test_results_pages.py); the pilote CAF and the coordination (`Op.MANAGE_DIAGNOSTIC`) read the
free texts, tag them and download the raw answers; outsiders get 404."""

from ctg.surveys import services
from ctg.surveys.models import Answer
from tests.matrix_helpers import EDITORS, MEMBER_ROLES, REDIRECT, dossier
from tests.surveys.helpers import build, valid_data


def _answered(w):
    sample = build(w.ctg)
    w.__dict__["survey"] = sample
    services.response_submit(
        questionnaire=sample.questionnaire, link=sample.link, data=valid_data(sample, w.ctg)
    )
    return {"pk": w.ctg.pk, "questionnaire_pk": sample.questionnaire.pk}


def _text_answer(w):
    kwargs = _answered(w)
    answer = Answer.objects.get(question=w.survey.q["comment"])
    return {**kwargs, "answer_pk": answer.pk}


def manage(ok=200, method="GET", **kw):
    return dossier(EDITORS, ok, method, **kw)


def read(**kw):
    return dossier(MEMBER_ROLES, **kw)


MATRIX = {
    ("surveys:results", "GET"): read(kwargs=_answered),
    ("surveys:results_aggregate", "GET"): read(kwargs=_answered),
    ("surveys:results_texts", "GET"): manage(kwargs=_answered),
    ("surveys:results_csv", "GET"): manage(kwargs=_answered),
    ("surveys:results_xlsx", "GET"): manage(kwargs=_answered),
    ("surveys:answer_tags", "POST"): manage(
        REDIRECT, "POST", kwargs=_text_answer, data=lambda w: {"tags": "horaires, mercredi"}
    ),
}
