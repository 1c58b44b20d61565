"""Permission-matrix entries of this area, merged by tests/test_permission_matrix.py: the enjeu's page
and its « constats chiffrés de l'offre » (issue 12, item 6). Every member reads the enjeu's page; the
dossier's editors cite and remove a needs row. Another dossier's enjeu answers 404
(tests/plans/test_enjeu_needs_evidence.py)."""

from ctg.diagnostics.portrait import territory_of_ctg
from ctg.plans.services.evidence import evidence_cite
from tests.matrix_helpers import EDITORS, MEMBER_ROLES, REDIRECT, dossier
from tests.plans.factories import EnjeuFactory


def _enjeu(w):
    return {"pk": w.ctg.pk, "enjeu_pk": EnjeuFactory(ctg=w.ctg).pk}


def _cited(w):
    """An enjeu citing the petite enfance row of the dossier's territory."""
    enjeu = EnjeuFactory(ctg=w.ctg)
    evidence_cite(enjeu=enjeu, actor=None, field="petite_enfance", territory=territory_of_ctg(w.ctg).code)
    return {"pk": w.ctg.pk, "enjeu_pk": enjeu.pk}


def _row(w):
    return {"constat-field": "petite_enfance", "constat-territory": territory_of_ctg(w.ctg).code}


def _citation(w):
    return {"field": "petite_enfance", "territory": territory_of_ctg(w.ctg).code}


MATRIX: dict = {
    ("plans:enjeu_detail", "GET"): dossier(MEMBER_ROLES, kwargs=_cited),
    ("plans:enjeu_evidence_cite", "POST"): dossier(
        EDITORS, ok=REDIRECT, method="POST", kwargs=_enjeu, data=_row
    ),
    ("plans:enjeu_evidence_remove", "POST"): dossier(
        EDITORS, ok=REDIRECT, method="POST", kwargs=_cited, data=_citation
    ),
}
