"""Permission matrix entries of the offer of services: map (merged by tests/test_permission_matrix.py)."""

MATRIX = {}
