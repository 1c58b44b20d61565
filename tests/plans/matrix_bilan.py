"""Entries of the permission matrix (tests/test_permission_matrix.py) for this area's URLs."""

MATRIX: dict = {}
