"""Permission-matrix entries of `ctg.findings`, merged by tests/test_permission_matrix.py."""

MATRIX: dict = {}
