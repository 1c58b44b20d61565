"""Permission matrix entries of the offer of services: map (merged by tests/test_permission_matrix.py)."""

from tests.matrix_helpers import MEMBER_ROLES, dossier

MATRIX = {
    # The map, the table per commune and the data·inclusion exports of the dossier's territory: read by every
    # member (tests/offer/test_map.py: another dossier's id answers 404).
    ("offer:map", "GET"): dossier(MEMBER_ROLES),
    ("offer:communes", "GET"): dossier(MEMBER_ROLES),
    ("offer:datainclusion_json", "GET"): dossier(MEMBER_ROLES),
    ("offer:datainclusion_csv", "GET"): dossier(MEMBER_ROLES),
}
