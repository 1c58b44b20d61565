"""The demo's axes of the schéma départemental (ctg.demo.schema_axes): fictitious and labelled so, written by
the services, the enjeux tagged, one axis left uncovered, loaded once, never beside a CAF's own axes."""

from ctg.demo.schema_axes import load_demo_schema_axes
from ctg.organisations.models import SchemaAxis
from ctg.organisations.schema_axes import axis_create
from tests.plans.factories import EnjeuFactory


def test_the_demo_axes(world):
    ctg = world.ctg
    accueil = EnjeuFactory(ctg=ctg, title="Développer et rééquilibrer l'offre d'accueil du jeune enfant")
    parents = EnjeuFactory(ctg=ctg, title="Accompagner les parents dans leur rôle éducatif")
    assert load_demo_schema_axes(ctg, world.users["pilote_caf"], world.users["coordination"]) is True
    axes = list(SchemaAxis.objects.filter(caf=ctg.caf, departement="81"))
    assert len(axes) == 5
    assert all(a.title.endswith("(fictif)") and "fictif" in a.description for a in axes)
    assert [a.code for a in accueil.schema_axes.all()] == ["1"]
    assert [a.code for a in parents.schema_axes.all()] == ["2"]
    assert not SchemaAxis.objects.get(caf=ctg.caf, code="5").enjeux.exists()
    assert load_demo_schema_axes(ctg, world.users["pilote_caf"], world.users["coordination"]) is False
    assert SchemaAxis.objects.count() == 5


def test_never_beside_a_cafs_own_axes(world):
    axis_create(actor=None, caf=world.ctg.caf, departement="81", code="1", title="Axe réel")
    assert load_demo_schema_axes(world.ctg, None, None) is False
    assert SchemaAxis.objects.count() == 1
