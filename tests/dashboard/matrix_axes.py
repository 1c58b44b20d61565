"""Permission-matrix entries of the axes of the Schéma départemental des services aux familles (issue 14),
merged by tests/test_permission_matrix.py. The pages are those of the département of the dossier's CAF (the
Tarn, 81), whose adviser is `pilote_caf`; `other_caf` is the Aude's CAF: another département, 404. The
people of the dossier without a platform role (coordination, référent, partenaire, lecture, other member)
get 403. The Département's services (read only) are tested in tests/dashboard/test_axes_pages.py."""

from ctg.organisations.schema_axes import axis_create
from tests.matrix_helpers import LOGIN, REDIRECT, Case

NO_PLATFORM_ROLE = ["coordination", "referent_communal", "partenaire", "lecture", "other_member"]


def _caf_only(ok=200, method="GET", **kw):
    expected = {"anonymous": LOGIN, "pilote_caf": ok, "other_caf": 404} | dict.fromkeys(NO_PLATFORM_ROLE, 403)
    kwargs = kw.pop("kwargs", lambda w: {"departement": w.ctg.caf.departement_id})
    return Case(method=method, expected=expected, kwargs=kwargs, **kw)


def _axis(w):
    """An axis of the dossier's CAF (the Tarn's), in its département (tests/security/test_idor.py runs it on
    the Aude's dossier: its CAF's axis, at /caf/11/)."""
    caf, departement = w.ctg.caf, w.ctg.caf.departement_id
    axis = axis_create(
        actor=None, caf=caf, departement=departement, code="1", title="Développer l'accueil du jeune enfant"
    )
    axis_create(actor=None, caf=caf, departement=departement, code="2", title="Soutenir la parentalité")
    return {"departement": departement, "axis_pk": axis.pk}


AXIS_DATA = {"code": "7", "title": "Accompagner les jeunes", "is_active": "on"}

MATRIX: dict = {
    ("dashboard:axes", "GET"): _caf_only(),
    ("dashboard:axes_csv", "GET"): _caf_only(),
    ("dashboard:axis_create", "GET"): _caf_only(),
    ("dashboard:axis_create", "POST"): _caf_only(REDIRECT, "POST", data=lambda w: AXIS_DATA),
    ("dashboard:axis_edit", "GET"): _caf_only(kwargs=_axis),
    ("dashboard:axis_edit", "POST"): _caf_only(REDIRECT, "POST", kwargs=_axis, data=lambda w: AXIS_DATA),
    ("dashboard:axis_active", "POST"): _caf_only(
        REDIRECT, "POST", kwargs=_axis, data=lambda w: {"is_active": "0"}
    ),
    ("dashboard:axis_move", "POST"): _caf_only(
        REDIRECT, "POST", kwargs=_axis, data=lambda w: {"direction": "down"}
    ),
    ("dashboard:axis_delete", "GET"): _caf_only(kwargs=_axis),
    ("dashboard:axis_delete", "POST"): _caf_only(REDIRECT, "POST", kwargs=_axis),
}
