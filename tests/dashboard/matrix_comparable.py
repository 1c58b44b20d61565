"""Permission-matrix entries (issue 14), merged by tests/test_permission_matrix.py: the comparison of the EPCI
of a département and the comparable territories of an EPCI.

The world (tests/conftest.py): `pilote_caf` works at the CAF du Tarn (81), `other_caf` at the CAF de l'Aude
(11); the other people have no platform role. The comparison of the Tarn is for its CAF (another CAF: 404,
not revealed); the comparable territories are public statistics, searched by any CAF (any scope)."""

from tests.matrix_helpers import LOGIN, Case

NO_PLATFORM_ROLE = ["coordination", "referent_communal", "partenaire", "lecture", "other_member"]
OUTSIDE = dict.fromkeys(NO_PLATFORM_ROLE, 403)


def _tarn(w):
    return {"code": w.ctg.communes.first().departement_id}


def _own_departement(**kw) -> Case:
    return Case(
        kwargs=_tarn,
        expected={"anonymous": LOGIN, "pilote_caf": 200, "other_caf": 404} | OUTSIDE,
        **kw,
    )


def _any_caf(**kw) -> Case:
    return Case(
        expected={"anonymous": LOGIN, "pilote_caf": 200, "other_caf": 200} | OUTSIDE,
        **kw,
    )


MATRIX: dict = {
    ("dashboard:comparison", "GET"): _own_departement(),
    ("dashboard:comparison_csv", "GET"): _own_departement(),
    ("dashboard:comparison_xlsx", "GET"): _own_departement(),
    ("dashboard:comparable_search", "GET"): _any_caf(query="q=Test"),
    ("dashboard:comparable", "GET"): _any_caf(kwargs=lambda w: {"siren": w.ctg.epci_id}),
}
