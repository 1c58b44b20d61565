"""Entries of the permission matrix (tests/test_permission_matrix.py) for this area's URLs."""

from tests.matrix_helpers import MEMBER_ROLES, dossier

MATRIX: dict = {
    ("governance:index", "GET"): dossier(MEMBER_ROLES),
}
