"""Permission-matrix entries of `ctg.public`, merged by tests/test_permission_matrix.py."""

MATRIX: dict = {}
