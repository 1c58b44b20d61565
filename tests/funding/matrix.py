"""Permission-matrix entries (issue 14), merged by tests/test_permission_matrix.py.

The funding parameters and the simulator are for CAF staff only (`PlatformOp.EDIT_FUNDING_PARAMETERS`): the
dossier's CAF (pilote_caf) reads and edits its table; the Aude CAF's staff (other_caf) do not find the Tarn
CAF's pages (404; tests/funding/test_pages.py checks nothing changed); the people of the dossier who are not
CAF staff are refused (403)."""

from tests.matrix_helpers import LOGIN, REDIRECT, Case

NOT_CAF = ["coordination", "referent_communal", "partenaire", "lecture", "other_member"]


def _caf(w):
    return {"caf_pk": w.ctg.caf_id}


def _value(w):
    return {"caf_pk": w.ctg.caf_id, "year": 2026, "key": "eaje_new_place_tranche_2"}


def _expected(ok, other_caf=404):
    return {"anonymous": LOGIN, "pilote_caf": ok, "other_caf": other_caf} | dict.fromkeys(NOT_CAF, 403)


MATRIX = {
    # The person's own CAF's table (a data manager: the list of CAFs).
    ("funding:index", "GET"): Case(expected=_expected(REDIRECT, other_caf=REDIRECT)),
    ("funding:parameters", "GET"): Case(kwargs=_caf, expected=_expected(200)),
    ("funding:parameter", "GET"): Case(kwargs=_value, expected=_expected(200)),
    ("funding:parameter", "POST"): Case(
        method="POST",
        kwargs=_value,
        data=lambda w: {"value": "3100", "comment": "Délibération du conseil d'administration"},
        expected=_expected(REDIRECT),
    ),
    ("funding:simulator", "GET"): Case(
        kwargs=_caf,
        query="annee=2026&eaje_new_places__places=20&eaje_new_places__tranche=1",
        expected=_expected(200),
    ),
}
