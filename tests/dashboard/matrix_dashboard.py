"""Permission-matrix entries (issue 14), merged by tests/test_permission_matrix.py."""

MATRIX: dict = {}
