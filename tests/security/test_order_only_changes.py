"""A multi-valued field saved with the same items in another order is no change: no history line, no new
version of the fiche, and so no conflict for the person saving after (the audit saw « champs d'intervention »
reported as changed when only their order differed)."""

from ctg.conventions import services as ctg_services
from ctg.conventions.models import Ctg
from ctg.core.history import same_value
from ctg.core.models import HistoryEntry
from ctg.organisations.permissions import Role
from ctg.plans import services
from ctg.plans.models import FicheAction
from tests.plans.factories import OperationalObjectiveFactory


def test_same_value_ignores_the_order_of_items_only():
    assert same_value(["jeunesse", "enfance"], ["enfance", "jeunesse"])
    assert not same_value(["jeunesse"], ["jeunesse", "enfance"])
    assert not same_value(["jeunesse", "jeunesse"], ["jeunesse"])
    assert same_value("abc", "abc") and not same_value("abc", "acb")


def test_reordering_the_fields_of_a_dossier_writes_no_history(world):
    pilot = world.users[Role.PILOTE_CAF]
    ctg_services.ctg_update(ctg=world.ctg, actor=pilot, fields=["jeunesse", "parentalite"])
    entries = HistoryEntry.objects.filter(ctg=world.ctg).count()
    ctg_services.ctg_update(ctg=world.ctg, actor=pilot, fields=["parentalite", "jeunesse"])
    assert HistoryEntry.objects.filter(ctg=world.ctg).count() == entries
    assert sorted(Ctg.objects.get(pk=world.ctg.pk).fields) == ["jeunesse", "parentalite"]


def test_reordering_the_fields_of_a_fiche_makes_no_version_and_no_conflict(world):
    coordination, pilot = world.users[Role.COORDINATION], world.users[Role.PILOTE_CAF]
    objective = OperationalObjectiveFactory(strategic__enjeu__ctg=world.ctg)
    fiche = services.fiche_create(
        ctg=world.ctg,
        actor=coordination,
        title="Accueil de loisirs",
        objectives=[objective],
        fields=["enfance", "jeunesse"],
    )
    version = fiche.version
    entries = HistoryEntry.objects.count()
    # The coordinator saves the fiche with the same fields in another order…
    services.fiche_update(
        fiche=FicheAction.objects.get(pk=fiche.pk),
        actor=coordination,
        expected_version=version,
        fields=["jeunesse", "enfance"],
    )
    assert FicheAction.objects.get(pk=fiche.pk).version == version
    assert HistoryEntry.objects.count() == entries
    # … so the CAF, who loaded the same version, saves without a conflict.
    services.fiche_update(
        fiche=FicheAction.objects.get(pk=fiche.pk),
        actor=pilot,
        expected_version=version,
        notes="Vu en COTECH",
    )
    stored = FicheAction.objects.get(pk=fiche.pk)
    assert stored.version == version + 1 and stored.notes == "Vu en COTECH"
    (entry,) = HistoryEntry.objects.all()[entries:]
    assert "champs d'intervention" not in " ".join(entry.labelled_changes)
