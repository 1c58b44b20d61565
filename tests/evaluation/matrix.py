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
    ("evaluation:bilan_highlights", "POST"): dossier(
        EDITORS, ok=REDIRECT, method="POST", kwargs=_year, data=lambda w: {"highlights": "Ouverture du RPE."}
    ),
    ("evaluation:bilan_validate", "POST"): dossier(VALIDATORS, ok=REDIRECT, method="POST", kwargs=_year),
}
