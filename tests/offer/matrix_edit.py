"""Permission matrix entries of the offer of services: edit (merged by tests/test_permission_matrix.py)."""

MATRIX = {}
