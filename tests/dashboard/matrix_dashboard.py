"""Permission-matrix entries (issue 14), merged by tests/test_permission_matrix.py.

The départemental dashboard of the world's CAF (Tarn, 81): its CAF adviser reads it; the other CAF (Aude, 11)
does not find it (404, as another département's statistics imports); people with a role in a dossier only
(coordination, referent, partner, elected reader, another dossier's member) hold no platform operation (403).
`/caf/` sends each CAF adviser to their own département."""

from tests.matrix_helpers import LOGIN, REDIRECT, Case

NO_PLATFORM_ROLE = ["coordination", "referent_communal", "partenaire", "lecture", "other_member"]


def _tarn(w):
    return {"departement": w.ctg.caf.departement_id}


def _own_only(ok=200, **kw):
    return Case(
        kwargs=_tarn,
        expected={"anonymous": LOGIN, "pilote_caf": ok, "other_caf": 404}
        | dict.fromkeys(NO_PLATFORM_ROLE, 403),
        **kw,
    )


MATRIX: dict = {
    ("dashboard:home", "GET"): Case(
        expected={"anonymous": LOGIN, "pilote_caf": REDIRECT, "other_caf": REDIRECT}
        | dict.fromkeys(NO_PLATFORM_ROLE, 403)
    ),
    ("dashboard:departement", "GET"): _own_only(),
    ("dashboard:departement_csv", "GET"): _own_only(),
    ("dashboard:departement_xlsx", "GET"): _own_only(),
}
