"""Permission-matrix entries of `ctg.findings`, merged by tests/test_permission_matrix.py: every member reads
the findings (list, CSV, a finding's page); the pilote CAF and the coordination (`Op.MANAGE_DIAGNOSTIC`)
create, change and delete them. Another dossier's finding answers 404 (tests/security/test_idor.py)."""

from ctg.findings.models import Finding
from tests.matrix_helpers import EDITORS, MEMBER_ROLES, REDIRECT, dossier


def _finding(w):
    finding = Finding.objects.create(ctg=w.ctg, kind=Finding.Kind.BESOIN, title="Peu de places en crèche")
    return {"pk": w.ctg.pk, "finding_pk": finding.pk}


def _values(w):
    return {"kind": "atout", "title": "Un réseau associatif actif", "weight": "2", "source_kind": "saisie"}


MATRIX: dict = {
    ("findings:list", "GET"): dossier(MEMBER_ROLES),
    ("findings:csv", "GET"): dossier(MEMBER_ROLES),
    ("findings:detail", "GET"): dossier(MEMBER_ROLES, kwargs=_finding),
    ("findings:create", "GET"): dossier(EDITORS),
    ("findings:create", "POST"): dossier(EDITORS, ok=REDIRECT, method="POST", data=_values),
    ("findings:edit", "GET"): dossier(EDITORS, kwargs=_finding),
    ("findings:edit", "POST"): dossier(EDITORS, ok=REDIRECT, method="POST", kwargs=_finding, data=_values),
    ("findings:delete", "GET"): dossier(EDITORS, kwargs=_finding),
    ("findings:delete", "POST"): dossier(EDITORS, ok=REDIRECT, method="POST", kwargs=_finding),
}
