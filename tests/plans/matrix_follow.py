"""Entries of the permission matrix (tests/test_permission_matrix.py) for this area's URLs."""

from tests.matrix_helpers import MEMBER_ROLES, dossier

MATRIX: dict = {
    ("plans:fiches", "GET"): dossier(MEMBER_ROLES),
    ("plans:fiches_csv", "GET"): dossier(MEMBER_ROLES),
    ("plans:gantt", "GET"): dossier(MEMBER_ROLES),
    ("plans:dashboard", "GET"): dossier(MEMBER_ROLES),
}
