"""Entries of the permission matrix (tests/test_permission_matrix.py) for the exchange's URLs (still named in
the plan's namespace)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from ctg.exchange.export import export_xlsx
from tests.matrix_helpers import EDITORS, MEMBER_ROLES, REDIRECT, dossier


def _workbook(w):
    # The (empty) plan of the dossier, exported: importing it into the empty plan succeeds.
    return {"file": SimpleUploadedFile("plan.xlsx", export_xlsx(w.ctg))}


MATRIX: dict = {
    ("plans:export_xlsx", "GET"): dossier(MEMBER_ROLES),
    ("plans:export_json", "GET"): dossier(MEMBER_ROLES),
    ("plans:import_xlsx", "GET"): dossier(EDITORS),
    ("plans:import_xlsx", "POST"): dossier(EDITORS, ok=REDIRECT, method="POST", data=_workbook),
}
