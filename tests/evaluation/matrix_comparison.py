"""Entries of the permission matrix for the comparison of a CTG with the one it renews (issue 16); its
other-dossier cases (a member of the new CTG who may not read the previous one): tests/plans/
test_renewal_comparison.py."""

from tests.matrix_helpers import MEMBER_ROLES, dossier

MATRIX: dict = {
    ("evaluation:comparison", "GET"): dossier(MEMBER_ROLES),
}
