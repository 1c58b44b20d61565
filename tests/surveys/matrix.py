"""Permission-matrix entries of `ctg.surveys`, merged by tests/test_permission_matrix.py.

Every member reads the list, a questionnaire and its preview; the pilote CAF and the coordination
(`Op.MANAGE_DIAGNOSTIC`) build, distribute, type paper answers and export a respondent's answers; outsiders
get 404. The public answering pages (`answer:*`) take no account: anyone may answer an OPEN questionnaire
through its link, and nothing else (tests/surveys/test_public_flow.py: a draft, a closed questionnaire, a
used or inactive link answer 410)."""

from ctg.surveys import services
from tests.matrix_helpers import ALL_ROLES, EDITORS, MEMBER_ROLES, REDIRECT, Case, dossier, public
from tests.surveys.helpers import build, valid_data


def _q(w, **options):
    sample = build(w.ctg, **options)
    w.__dict__["survey"] = sample
    return {"pk": w.ctg.pk, "questionnaire_pk": sample.questionnaire.pk}


def _draft(w):
    return _q(w, open_it=False)


def _section(w):
    kwargs = _draft(w)
    return {**kwargs, "section_pk": w.survey.q["job"].section_id}


def _question(w):
    kwargs = _draft(w)
    return {**kwargs, "question_pk": w.survey.q["job"].pk}


def _opened_question(w):
    kwargs = _q(w)
    return {**kwargs, "question_pk": w.survey.q["satisfaction"].pk}


def _choice_question(w):
    kwargs = _draft(w)
    return {**kwargs, "question_pk": w.survey.q["priorities"].pk}


def _option(w):
    kwargs = _draft(w)
    return {**kwargs, "option_pk": w.survey.q["priorities"].options.order_by("order").last().pk}


def _link(w):
    kwargs = _q(w)
    return {**kwargs, "link_pk": w.survey.link.pk}


def _with_respondent(w):
    kwargs = _q(w, anonymous=False)
    services.response_submit(
        questionnaire=w.survey.questionnaire,
        link=w.survey.link,
        data=valid_data(w.survey, w.ctg),
        respondent_key="alice@exemple.fr",
    )
    return kwargs


def _token(w):
    _q(w)
    return {"token": w.survey.link.token}


def _question_data(w):
    job = w.survey.q["job"]
    return {
        "section": str(job.section_id),
        "kind": "texte_court",
        "label": "Votre profession",
        "schedule_days": "lun-ven",
        "schedule_slots": "demi_journees",
    }


def manage(ok=200, method="GET", **kw):
    return dossier(EDITORS, ok, method, **kw)


def read(**kw):
    return dossier(MEMBER_ROLES, **kw)


SETTINGS = {
    "title": "Questionnaire du matrix",
    "audience": "habitants",
    "retention_months": "12",
    "anonymous": "on",
}

MATRIX = {
    ("surveys:list", "GET"): read(),
    ("surveys:create", "GET"): manage(),
    ("surveys:create", "POST"): manage(REDIRECT, "POST", data=lambda w: SETTINGS),
    ("surveys:detail", "GET"): read(kwargs=_q),
    ("surveys:edit", "GET"): manage(kwargs=_q),
    ("surveys:edit", "POST"): manage(
        REDIRECT,
        "POST",
        kwargs=_q,
        data=lambda w: {**SETTINGS, "privacy_notice": "Mentions.", "anonymous": "on"},
    ),
    ("surveys:delete", "POST"): manage(REDIRECT, "POST", kwargs=_draft),
    ("surveys:open", "POST"): manage(REDIRECT, "POST", kwargs=_draft),
    ("surveys:close", "POST"): manage(REDIRECT, "POST", kwargs=_q),
    ("surveys:preview", "GET"): read(kwargs=_q),
    ("surveys:paper", "GET"): manage(kwargs=_q),
    ("surveys:paper", "POST"): manage(
        REDIRECT, "POST", kwargs=_q, data=lambda w: valid_data(w.survey, w.ctg)
    ),
    ("surveys:access", "GET"): manage(kwargs=_with_respondent),
    ("surveys:access", "POST"): manage(
        kwargs=_with_respondent,
        method="POST",
        data=lambda w: {"respondent_key": "alice@exemple.fr", "format": "csv"},
    ),
    ("surveys:section_add", "GET"): manage(kwargs=_draft),
    ("surveys:section_add", "POST"): manage(REDIRECT, "POST", kwargs=_draft, data=lambda w: {"title": "Fin"}),
    ("surveys:section_edit", "GET"): manage(kwargs=_section),
    ("surveys:section_edit", "POST"): manage(
        REDIRECT, "POST", kwargs=_section, data=lambda w: {"title": "Besoins"}
    ),
    ("surveys:section_delete", "POST"): manage(REDIRECT, "POST", kwargs=_section),
    ("surveys:section_move", "POST"): manage(
        REDIRECT, "POST", kwargs=_section, data=lambda w: {"sens": "up"}
    ),
    ("surveys:question_add", "GET"): manage(kwargs=_draft),
    ("surveys:question_add", "POST"): manage(REDIRECT, "POST", kwargs=_draft, data=_question_data),
    ("surveys:question_edit", "GET"): manage(kwargs=_question),
    ("surveys:question_edit", "POST"): manage(REDIRECT, "POST", kwargs=_question, data=_question_data),
    ("surveys:question_delete", "POST"): manage(REDIRECT, "POST", kwargs=_question),
    ("surveys:question_move", "POST"): manage(
        REDIRECT, "POST", kwargs=_question, data=lambda w: {"sens": "up"}
    ),
    ("surveys:question_field", "POST"): manage(
        REDIRECT, "POST", kwargs=_opened_question, data=lambda w: {"field": "jeunesse"}
    ),
    ("surveys:option_add", "POST"): manage(
        REDIRECT, "POST", kwargs=_choice_question, data=lambda w: {"label": "Accueil d'urgence"}
    ),
    ("surveys:option_edit", "GET"): manage(kwargs=_option),
    ("surveys:option_edit", "POST"): manage(
        REDIRECT, "POST", kwargs=_option, data=lambda w: {"label": "Prix"}
    ),
    ("surveys:option_delete", "POST"): manage(REDIRECT, "POST", kwargs=_option),
    ("surveys:option_move", "POST"): manage(REDIRECT, "POST", kwargs=_option, data=lambda w: {"sens": "up"}),
    ("surveys:links", "GET"): manage(kwargs=_q),
    ("surveys:link_add", "POST"): manage(REDIRECT, "POST", kwargs=_q, data=lambda w: {"channel": "mairie"}),
    ("surveys:links_generate", "POST"): manage(
        REDIRECT, "POST", kwargs=_q, data=lambda w: {"channel": "Mission locale", "count": "3"}
    ),
    ("surveys:link_deactivate", "POST"): manage(REDIRECT, "POST", kwargs=_link),
    # Public answering: an open questionnaire, through its link.
    ("answer:notice", "GET"): public(kwargs=_token),
    ("answer:form", "GET"): public(kwargs=_token),
    ("answer:form", "POST"): Case(
        method="POST",
        expected=dict.fromkeys(ALL_ROLES, REDIRECT),
        kwargs=_token,
        data=lambda w: valid_data(w.survey, w.ctg),
    ),
    ("answer:thanks", "GET"): public(kwargs=_token),
}
