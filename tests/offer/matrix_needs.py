"""Permission matrix entries of the offer of services: needs (merged by tests/test_permission_matrix.py)."""

from tests.matrix_helpers import MEMBER_ROLES, dossier

MATRIX = {
    # « Besoins et offre » of the dossier's territory: read by every member (tests/offer/test_needs.py:
    # another dossier's id answers 404).
    ("offer:needs", "GET"): dossier(MEMBER_ROLES),
}
