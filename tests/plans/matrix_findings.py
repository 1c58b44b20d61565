"""Permission-matrix entries of the findings in the plan (issue 13), merged by test_permission_matrix.py:
the dossier's editors (`Op.EDIT_PLAN`) cite a finding on an enjeu's page, remove one, and create an enjeu from
findings. Another dossier's enjeu or finding changes nothing (tests/findings/test_plan.py,
tests/security/test_idor.py)."""

from ctg.findings.models import Finding
from tests.matrix_helpers import EDITORS, REDIRECT, dossier
from tests.plans.factories import EnjeuFactory


def _new_finding(w) -> Finding:
    return Finding.objects.create(ctg=w.ctg, kind=Finding.Kind.BESOIN, title="Peu de places en crèche")


def _enjeu(w):
    return {"pk": w.ctg.pk, "enjeu_pk": EnjeuFactory(ctg=w.ctg).pk}


def _cited(w):
    enjeu = EnjeuFactory(ctg=w.ctg)
    enjeu.findings.add(_new_finding(w))
    return {"pk": w.ctg.pk, "enjeu_pk": enjeu.pk}


def _cite(w):
    return {"citer-finding": str(_new_finding(w).pk)}


def _remove(w):
    return {"finding": str(Finding.objects.filter(ctg=w.ctg, enjeux__isnull=False).latest("pk").pk)}


def _from_findings(w):
    return {
        "title": "Accueil du jeune enfant",
        "fields": ["petite_enfance"],
        "findings": [str(_new_finding(w).pk)],
    }


MATRIX: dict = {
    ("plans:enjeu_finding_cite", "POST"): dossier(
        EDITORS, ok=REDIRECT, method="POST", kwargs=_enjeu, data=_cite
    ),
    ("plans:enjeu_finding_remove", "POST"): dossier(
        EDITORS, ok=REDIRECT, method="POST", kwargs=_cited, data=_remove
    ),
    ("plans:enjeu_from_findings", "GET"): dossier(EDITORS),
    ("plans:enjeu_from_findings", "POST"): dossier(EDITORS, ok=REDIRECT, method="POST", data=_from_findings),
}
