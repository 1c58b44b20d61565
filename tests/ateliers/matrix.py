"""Permission-matrix entries of `ctg.ateliers`, merged by tests/test_permission_matrix.py."""

MATRIX: dict = {}
