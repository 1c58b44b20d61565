"""Permission-matrix entries (issue 15), merged by tests/test_permission_matrix.py."""

MATRIX: dict = {}
