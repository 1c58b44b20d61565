"""Permission matrix entries of the offer of services: edit (merged by tests/test_permission_matrix.py).

The dossier's editors (`Op.EDIT`: pilote CAF, coordination) add and change the structures of its territory;
the other members get 403, the people outside the dossier 404 (tests/offer/test_edit.py also checks a
structure of another territory from this dossier: 404)."""

from ctg.offer.models import Structure
from ctg.offer.services import structure_create, version_of
from tests.matrix_helpers import EDITORS, REDIRECT, dossier


def _structure(w):
    values = {"type": "centre_social", "name": "Centre social du Test", "commune": w.ctg.communes.first()}
    return {"pk": w.ctg.pk, "structure_pk": structure_create(actor=None, values={**values, "source": "t"}).pk}


def _values(w, **extra):
    return {
        "type": "centre_social",
        "name": "Centre social des Tilleuls",
        "commune": w.ctg.communes.first().pk,
        "status": "ouvert",
        **extra,
    }


def _edit_data(w):
    structure = Structure.objects.filter(commune__in=w.ctg.communes.all()).latest("pk")
    return _values(w, name="Centre social renommé", version=version_of(structure))


MATRIX = {
    ("offer:structure_add", "GET"): dossier(EDITORS),
    ("offer:structure_add", "POST"): dossier(EDITORS, ok=REDIRECT, method="POST", data=_values),
    ("offer:structure_edit", "GET"): dossier(EDITORS, kwargs=_structure),
    ("offer:structure_edit", "POST"): dossier(
        EDITORS, ok=REDIRECT, method="POST", kwargs=_structure, data=_edit_data
    ),
}

MATRIX.update(
    {
        # The template of the offer: downloaded and imported by the editors; an empty POST is refused (400).
        ("offer:template_import", "GET"): dossier(EDITORS),
        ("offer:template_import", "POST"): dossier(EDITORS, ok=400, method="POST"),
        ("offer:template_csv", "GET"): dossier(EDITORS),
        ("offer:template_xlsx", "GET"): dossier(EDITORS),
    }
)
