"""Permission-matrix entries (issue 15), merged by tests/test_permission_matrix.py: the whole-dossier archive
holds the members' emails and every document, so only those who manage the dossier's parties
(`Op.MANAGE_MEMBERS`: the CAF pilot, the coordination) download it; another dossier's id is a 404."""

from tests.matrix_helpers import EDITORS, dossier

MATRIX: dict = {
    ("transfer:archive", "GET"): dossier(EDITORS),
}
