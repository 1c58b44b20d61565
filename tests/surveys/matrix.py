"""Permission-matrix entries of `ctg.surveys`, merged by tests/test_permission_matrix.py."""

MATRIX: dict = {}
