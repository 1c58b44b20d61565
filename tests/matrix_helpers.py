"""Building blocks of the permission matrix (tests/test_permission_matrix.py), shared with the modules that
declare the entries of an area (tests/plans/matrix_*.py)."""

from collections.abc import Callable
from dataclasses import dataclass, field

MEMBER_ROLES = ["pilote_caf", "coordination", "referent_communal", "partenaire", "lecture"]
OUTSIDERS = ["other_member", "other_caf"]
ALL_ROLES = ["anonymous", *MEMBER_ROLES, *OUTSIDERS]

LOGIN = "login"  # redirect to the login page
REDIRECT = "redirect"  # any other redirect (a successful POST, an authenticated user leaving the login page)


@dataclass
class Case:
    method: str = "GET"
    expected: dict = field(default_factory=dict)
    kwargs: Callable = lambda w: {}
    data: Callable = lambda w: {}
    query: str = ""
    headers: dict = field(default_factory=dict)


def public(method="GET", **kw):
    return Case(method=method, expected=dict.fromkeys(ALL_ROLES, 200), **kw)


def logged_in(ok=200, method="GET", **kw):
    return Case(method=method, expected={"anonymous": LOGIN, **dict.fromkeys(ALL_ROLES[1:], ok)}, **kw)


def dossier(allowed, ok=200, method="GET", **kw):
    expected = {"anonymous": LOGIN}
    expected.update({r: (ok if r in allowed else 403) for r in MEMBER_ROLES})
    expected.update(dict.fromkeys(OUTSIDERS, 404))
    return Case(method=method, expected=expected, kwargs=kw.pop("kwargs", lambda w: {"pk": w.ctg.pk}), **kw)


EDITORS = ["pilote_caf", "coordination"]
