"""Permission-matrix entries of this area, merged by tests/test_permission_matrix.py."""

MATRIX: dict = {}
