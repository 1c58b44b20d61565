"""Migrations of the parties: the partners of a dossier written before `Partner` existed are still there after
0008_parties (same table, empty role); a fiche that had « toutes » and a list keeps the list after
plans.0003_fiche_communes."""

import pytest

from ctg.conventions.models import Partner
from ctg.plans.models import FicheAction
from tests.factories import OrganisationFactory
from tests.migrations import migrate_to, migrate_to_latest


@pytest.mark.django_db(transaction=True)
def test_partners_are_kept_with_an_empty_role(world):
    association = OrganisationFactory(name="Familles rurales")
    try:
        old_apps = migrate_to([("conventions", "0007_territory")])
        OldCtg = old_apps.get_model("conventions", "Ctg")
        OldCtg.objects.get(pk=world.ctg.pk).partners.add(association.pk)
        migrate_to([("conventions", "0008_parties")])
    finally:
        migrate_to_latest()
    partner = Partner.objects.get(ctg=world.ctg)
    assert (partner.organisation, partner.role) == (association, "")
    assert list(world.ctg.partners.all()) == [association]


@pytest.mark.django_db(transaction=True)
def test_a_fiche_with_both_keeps_its_list(world):
    commune = world.ctg.communes.order_by("code").first()
    try:
        old_apps = migrate_to([("plans", "0002_bilan_to_evaluation")])
        Enjeu = old_apps.get_model("plans", "Enjeu")
        Strategic = old_apps.get_model("plans", "StrategicObjective")
        Operational = old_apps.get_model("plans", "OperationalObjective")
        OldFiche = old_apps.get_model("plans", "FicheAction")
        enjeu = Enjeu.objects.create(ctg_id=world.ctg.pk, title="Enjeu", position=0)
        strategic = Strategic.objects.create(enjeu=enjeu, title="OS", position=0)
        operational = Operational.objects.create(strategic=strategic, title="OO", position=0)
        both = OldFiche.objects.create(ctg_id=world.ctg.pk, title="Les deux", all_communes=True)
        both.objectives.add(operational)
        both.communes.add(commune.pk)
        everywhere = OldFiche.objects.create(ctg_id=world.ctg.pk, title="Partout", all_communes=True)
        migrate_to([("plans", "0003_fiche_communes")])
    finally:
        migrate_to_latest()
    both = FicheAction.objects.get(pk=both.pk)
    assert (both.all_communes, list(both.communes.all())) == (False, [commune])
    assert FicheAction.objects.get(pk=everywhere.pk).all_communes is True
