"""Entries of the permission matrix (tests/test_permission_matrix.py) for this area's URLs."""

from tests.matrix_helpers import logged_in

MATRIX: dict = {
    ("notifications:list", "GET"): logged_in(),
}
