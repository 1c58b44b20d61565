"""Permission-matrix entries of `ctg.api` (issue 15), merged by tests/test_permission_matrix.py.

The matrix calls the API with a browser's session (the API's session authentication; the test client skips
the CSRF check); tests/api/test_permissions.py calls the same endpoints with tokens. Anonymous: 401 (the API
answers, it does not redirect to the login page). Inside the dossier, the same operation as the page: 200 (or
201 for a creation) when the role holds it, 403 otherwise; outside the dossier, 404. The writes post
form-encoded bodies (the API reads them as JSON ones)."""

from tests.api.seed import seed_plan
from tests.matrix_helpers import (
    ALL_ROLES,
    EDITORS,
    MEMBER_ROLES,
    OUTSIDERS,
    REDIRECT,
    Case,
    logged_in,
    public,
)

READERS = MEMBER_ROLES
# Op.EDIT_FICHE over the seeded fiche (« toutes les communes »): the référent communal's scope does not cover
# it, so only the editors.
FICHE_EDITORS = EDITORS


def api(allowed, ok=200, method="GET", **kw):
    expected = {"anonymous": 401}
    expected.update({r: (ok if r in allowed else 403) for r in MEMBER_ROLES})
    expected.update(dict.fromkeys(OUTSIDERS, 404))
    return Case(method=method, expected=expected, kwargs=kw.pop("kwargs", lambda w: {"pk": w.ctg.pk}), **kw)


def _plan(w):
    if not hasattr(w, "api_plan"):
        w.api_plan = seed_plan(w.ctg, w.users["pilote_caf"])
    return w.api_plan


def _fiche(w):
    return {"pk": w.ctg.pk, "fiche_pk": _plan(w).fiche.pk}


def _enjeu(w):
    return {"pk": w.ctg.pk, "enjeu_pk": _plan(w).enjeu.pk}


def _strategic(w):
    return {"pk": w.ctg.pk, "objective_pk": _plan(w).strategic.pk}


def _operational(w):
    return {"pk": w.ctg.pk, "objective_pk": _plan(w).operational.pk}


def _indicator(w):
    plan = _plan(w)
    return {"pk": w.ctg.pk, "fiche_pk": plan.fiche.pk, "indicator_pk": plan.indicator.pk}


def _fiche_data(w):
    operational = _plan(w).operational.pk
    return {"title": "Fiche de l'API", "objectives": [operational, operational]}


def _fiche_update(w):
    return {"version": _plan(w).fiche.version, "title": "Fiche renommée"}


def _token(w):
    from ctg.api.services import token_create

    token, _raw = token_create(user=w.users["pilote_caf"], name="Jeton de la matrice")
    return {"token_pk": token.pk}


def _own_token_only():
    """Revoking a token: its owner (the CAF pilot) is sent back to the list; anyone else does not find it."""
    expected = {"anonymous": "login", **dict.fromkeys(ALL_ROLES[1:], 404), "pilote_caf": REDIRECT}
    return Case(method="POST", expected=expected, kwargs=_token)


MATRIX: dict = {
    # The pages: the tokens of the person logged in; the documentation and the schema, public.
    ("api:tokens", "GET"): logged_in(),
    ("api:tokens", "POST"): logged_in(data=lambda w: {"name": "Tableur"}),
    ("api:token_revoke", "POST"): _own_token_only(),
    ("api:docs", "GET"): public(),
    ("api:v1:openapi-json", "GET"): public(),
    # The root of the API sends to its documentation page.
    ("api:v1:api-root", "GET"): Case(expected=dict.fromkeys(ALL_ROLES, REDIRECT)),
    # Public endpoints.
    ("api:v1:territories", "GET"): public(query="q=test"),
    ("api:v1:portrait", "GET"): public(kwargs=lambda w: {"code": w.ctg.communes.first().code}),
    # The dossiers a person may open: an empty list for whoever has none.
    ("api:v1:dossiers", "GET"): Case(expected={"anonymous": 401, **dict.fromkeys(ALL_ROLES[1:], 200)}),
    ("api:v1:dossier", "GET"): api(READERS),
    ("api:v1:parties", "GET"): api(READERS),
    ("api:v1:milestones", "GET"): api(READERS),
    ("api:v1:structures", "GET"): api(READERS),
    ("api:v1:meetings", "GET"): api(READERS),
    ("api:v1:plan", "GET"): api(READERS),
    ("api:v1:fiches", "GET"): api(READERS),
    ("api:v1:fiches", "POST"): api(EDITORS, ok=201, method="POST", data=_fiche_data),
    ("api:v1:fiche", "GET"): api(READERS, kwargs=_fiche),
    ("api:v1:fiche", "POST"): api(FICHE_EDITORS, method="POST", kwargs=_fiche, data=_fiche_update),
    ("api:v1:enjeu_create", "POST"): api(
        EDITORS, ok=201, method="POST", data=lambda w: {"title": "Enjeu API"}
    ),
    ("api:v1:enjeu_update", "POST"): api(
        EDITORS, method="POST", kwargs=_enjeu, data=lambda w: {"title": "Enjeu renommé"}
    ),
    ("api:v1:strategic_create", "POST"): api(
        EDITORS, ok=201, method="POST", kwargs=_enjeu, data=lambda w: {"title": "Objectif API"}
    ),
    ("api:v1:strategic_update", "POST"): api(
        EDITORS, method="POST", kwargs=_strategic, data=lambda w: {"title": "Objectif renommé"}
    ),
    ("api:v1:operational_create", "POST"): api(
        EDITORS, ok=201, method="POST", kwargs=_strategic, data=lambda w: {"title": "Objectif op. API"}
    ),
    ("api:v1:operational_update", "POST"): api(
        EDITORS, method="POST", kwargs=_operational, data=lambda w: {"description": "Précisé"}
    ),
    ("api:v1:budget_set", "POST"): api(
        FICHE_EDITORS,
        method="POST",
        kwargs=_fiche,
        data=lambda w: {"year": w.ctg.start_year, "funder": "epci", "planned": "500", "spent": "0"},
    ),
    ("api:v1:indicator_value_set", "POST"): api(
        FICHE_EDITORS,
        method="POST",
        kwargs=_indicator,
        data=lambda w: {"year": w.ctg.start_year, "kind": "realised", "value": "3"},
    ),
}
