"""The services of the axes of a CAF's Schéma départemental des services aux familles (issue 14), called
directly: the rules hold whoever calls them (title required, number unique per CAF and département, only the
CAF's staff of its département, a cited axis is deactivated, never deleted, a reorder names every axis once).
Every refusal leaves the axes as they were. Two CAFs and two départements: the `world` fixture (Tarn, Aude),
plus a second CAF in the Tarn."""

import pytest
from django.core.exceptions import ValidationError

from ctg.organisations.models import Organisation, SchemaAxis
from ctg.organisations.schema_axes import axes_reorder, axis_create, axis_delete, axis_update
from tests.factories import OrganisationFactory, UserFactory
from tests.plans.factories import EnjeuFactory


def _snapshot():
    return list(
        SchemaAxis.objects.order_by("pk").values_list(
            "pk", "caf_id", "departement_id", "code", "title", "description", "position", "is_active"
        )
    )


@pytest.fixture
def tarn(world):
    caf = world.ctg.caf
    first = axis_create(
        actor=world.users["pilote_caf"], caf=caf, departement="81", code="1", title="Accueil du jeune enfant"
    )
    second = axis_create(
        actor=world.users["pilote_caf"], caf=caf, departement="81", code="2", title="Parentalité"
    )
    return caf, first, second


def test_the_caf_records_its_axes_in_order(world, tarn):
    caf, first, second = tarn
    third = axis_create(
        actor=world.users["pilote_caf"],
        caf=caf,
        departement=caf.departement,
        code=" 3 ",
        title="  Jeunesse ",
        description="Ligne 1\nLigne 2",
        schema_period="2020-2024",
    )
    assert [a.code for a in SchemaAxis.objects.filter(caf=caf)] == ["1", "2", "3"]
    assert (third.code, third.title, third.position, third.is_active) == ("3", "Jeunesse", 2, True)
    assert third.created_by == world.users["pilote_caf"]
    assert third.description == "Ligne 1\nLigne 2"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"code": "3", "title": "   "}, "title"),
        ({"code": "", "title": "Jeunesse"}, "code"),
        ({"code": "1", "title": "Doublon"}, "code"),  # the number of an existing axis of the CAF
        ({"code": "x" * 11, "title": "Trop long"}, "code"),
        ({"code": "3", "title": "t" * 301}, "title"),
    ],
)
def test_bad_values_are_refused_and_nothing_changes(world, tarn, values, field):
    before = _snapshot()
    with pytest.raises(ValidationError) as refused:
        axis_create(actor=world.users["pilote_caf"], caf=tarn[0], departement="81", **values)
    assert field in refused.value.message_dict
    assert _snapshot() == before


def test_the_same_number_is_free_for_another_caf(world, tarn):
    other_tarn_caf = OrganisationFactory(
        kind=Organisation.Kind.CAF, name="Autre CAF du Tarn", departement=tarn[0].departement
    )
    axis = axis_create(actor=None, caf=other_tarn_caf, departement="81", code="1", title="Autre schéma")
    assert axis.position == 0
    aude = axis_create(
        actor=world.users["other_caf"], caf=world.other_ctg.caf, departement="11", code="1", title="A"
    )
    assert aude.departement_id == "11"


def test_only_the_staff_of_the_caf_of_the_departement_write_its_axes(world, tarn):
    caf, first, _second = tarn
    reader = UserFactory(
        organisation=OrganisationFactory(
            kind=Organisation.Kind.SERVICE_DEPARTEMENT,
            name="Direction enfance famille",
            departement=caf.departement,
        )
    )
    other_tarn_caf = OrganisationFactory(
        kind=Organisation.Kind.CAF, name="Autre CAF", departement=caf.departement
    )
    other_tarn_adviser = UserFactory(organisation=other_tarn_caf)
    before = _snapshot()
    for actor in (world.users["other_caf"], world.users["coordination"], reader, other_tarn_adviser):
        with pytest.raises(ValidationError):
            axis_create(actor=actor, caf=caf, departement="81", code="9", title="Intrus")
        with pytest.raises(ValidationError):
            axis_update(axis=first, actor=actor, title="Intrus")
        with pytest.raises(ValidationError):
            axis_delete(axis=first, actor=actor)
        with pytest.raises(ValidationError):
            axes_reorder(caf=caf, departement="81", order=[_second.pk, first.pk], actor=actor)
    assert _snapshot() == before
    # A CAF records the axes of its own département only.
    with pytest.raises(ValidationError):
        axis_create(actor=None, caf=caf, departement="11", code="9", title="Dans l'Aude")
    with pytest.raises(ValidationError):
        axis_create(
            actor=None, caf=OrganisationFactory(name="Pas une CAF"), departement="81", code="9", title="x"
        )
    assert _snapshot() == before


def test_a_cited_axis_is_deactivated_not_deleted(world, tarn):
    caf, first, second = tarn
    enjeu = EnjeuFactory(ctg=world.ctg)
    enjeu.schema_axes.add(first)
    before = _snapshot()
    with pytest.raises(ValidationError, match="cité par 1 enjeu"):
        axis_delete(axis=first, actor=world.users["pilote_caf"])
    assert _snapshot() == before
    axis_update(axis=first, actor=world.users["pilote_caf"], is_active=False)
    first.refresh_from_db()
    assert first.is_active is False
    assert list(enjeu.schema_axes.all()) == [first]
    # An axis nothing cites is deleted; the others close the gap.
    enjeu.schema_axes.clear()
    axis_delete(axis=first, actor=world.users["pilote_caf"])
    assert list(SchemaAxis.objects.filter(caf=caf).values_list("code", "position")) == [("2", 0)]


def test_update_checks_the_number_and_keeps_the_rest(world, tarn):
    _caf, first, second = tarn
    before = _snapshot()
    with pytest.raises(ValidationError) as refused:
        axis_update(axis=second, actor=world.users["pilote_caf"], code="1")
    assert "code" in refused.value.message_dict
    with pytest.raises(ValidationError):
        axis_update(axis=second, actor=world.users["pilote_caf"], title="")
    assert _snapshot() == before
    axis_update(axis=second, actor=world.users["pilote_caf"], title="Soutenir la parentalité", code="2 bis")
    second.refresh_from_db()
    assert (second.code, second.title) == ("2 bis", "Soutenir la parentalité")
    with pytest.raises(TypeError):
        axis_update(axis=second, actor=None, caf=world.other_ctg.caf)


def test_reorder_names_every_axis_once(world, tarn):
    caf, first, second = tarn
    aude = axis_create(actor=None, caf=world.other_ctg.caf, departement="11", code="1", title="Aude")
    before = _snapshot()
    for order in (
        [first.pk],
        [first.pk, first.pk],
        [first.pk, second.pk, aude.pk],
        ["junk", first.pk],
        [0, 1],
    ):
        with pytest.raises(ValidationError):
            axes_reorder(caf=caf, departement="81", order=order, actor=world.users["pilote_caf"])
    assert _snapshot() == before
    axes_reorder(caf=caf, departement="81", order=[second.pk, str(first.pk)], actor=world.users["pilote_caf"])
    assert [a.code for a in SchemaAxis.objects.filter(caf=caf)] == ["2", "1"]
