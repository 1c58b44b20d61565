"""Permission matrix entries of the offer of services: needs (merged by tests/test_permission_matrix.py)."""

MATRIX = {}
