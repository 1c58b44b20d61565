"""Optimistic locking of fiches action: of two saves based on one version, the second is refused whole."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from ctg.core.models import Action, HistoryEntry
from ctg.organisations.permissions import Role
from ctg.plans import services
from ctg.plans.models import FicheAction
from ctg.plans.services import fiches

from .factories import OperationalObjectiveFactory


@pytest.fixture
def fiche(world):
    objective = OperationalObjectiveFactory(strategic__enjeu__ctg=world.ctg)
    return services.fiche_create(
        ctg=world.ctg,
        actor=world.users[Role.COORDINATION],
        title="Micro-crèche",
        objectives=[objective],
    )


def test_second_save_on_the_same_version_is_refused_with_what_changed(world, fiche):
    first, second = world.users[Role.COORDINATION], world.users[Role.PILOTE_CAF]
    first.first_name, first.last_name = "Camille", "Test"
    first.save()
    # Both load version 1.
    loaded_by_first = FicheAction.objects.get(pk=fiche.pk)
    loaded_by_second = FicheAction.objects.get(pk=fiche.pk)
    assert loaded_by_first.version == loaded_by_second.version == 1

    services.fiche_update(
        fiche=loaded_by_first,
        actor=first,
        expected_version=1,
        status=FicheAction.Status.EN_COURS,
        title="Micro-crèche de Test",
    )
    assert FicheAction.objects.get(pk=fiche.pk).version == 2
    entries = HistoryEntry.objects.count()

    with pytest.raises(services.FicheConflict) as error:
        services.fiche_update(
            fiche=loaded_by_second,
            actor=second,
            expected_version=1,
            status=FicheAction.Status.EN_PAUSE,
            notes="Reporté",
        )
    message = error.value.messages[0]
    now = timezone.localtime()
    assert message.startswith(f"Cette fiche a été modifiée par Camille Test le {now:%d/%m/%Y} à "), message
    assert "pendant que vous la modifiiez : " in message
    assert "statut (« À venir » → « En cours »)" in message
    assert "intitulé (« Micro-crèche » → « Micro-crèche de Test »)" in message
    assert "version" not in message
    assert message.endswith("Vos modifications n'ont pas été enregistrées ; rechargez la fiche.")
    assert error.value.code == "conflict"

    stored = FicheAction.objects.get(pk=fiche.pk)
    assert (stored.title, stored.status, stored.notes, stored.version) == (
        "Micro-crèche de Test",
        FicheAction.Status.EN_COURS,
        "",
        2,
    )
    assert stored.updated_by == first
    assert HistoryEntry.objects.count() == entries  # the refused save left no trace

    # After reloading (version 2), the second person's save passes.
    services.fiche_update(fiche=stored, actor=second, expected_version=2, notes="Reporté")
    assert FicheAction.objects.get(pk=fiche.pk).version == 3


def test_conflict_lists_every_change_since_the_loaded_version(world, fiche):
    coordination, pilote = world.users[Role.COORDINATION], world.users[Role.PILOTE_CAF]
    services.fiche_update(fiche=fiche, actor=coordination, expected_version=1, priority="haute")
    services.fiche_update(fiche=fiche, actor=pilote, expected_version=2, priority="basse", pilot_person="Lou")
    with pytest.raises(services.FicheConflict) as error:
        services.fiche_update(fiche=fiche, actor=coordination, expected_version=1, notes="x")
    message = error.value.messages[0]
    assert f"par {coordination.get_full_name()} et {pilote.get_full_name()} le " in message
    assert "priorité (« Moyenne » → « Basse »)" in message
    assert "personne pilote (vide → « Lou »)" in message
    # Loaded at version 2: only the pilote's change is news.
    with pytest.raises(services.FicheConflict) as error:
        services.fiche_update(fiche=fiche, actor=coordination, expected_version=2, notes="x")
    message = error.value.messages[0]
    assert f"par {pilote.get_full_name()} le " in message
    assert "priorité (« Haute » → « Basse »)" in message


def test_compare_and_set_refuses_a_save_overtaken_between_read_and_write(world, fiche, monkeypatch):
    """Another save lands after this one read version 1 and before it writes: the version check in the
    UPDATE … WHERE version = 1 finds no row, and nothing of this save is written."""
    other = world.users[Role.PILOTE_CAF]
    concurrent = {"done": False}

    def other_save_lands(current):
        assert current.version == 1  # this save read version 1 and passed the first check
        FicheAction.objects.filter(pk=current.pk).update(
            status=FicheAction.Status.REALISEE, version=F("version") + 1
        )
        fiches.history_record(
            ctg=current.ctg,
            actor=other,
            action=Action.FICHE,
            summary="Fiche action modifiée",
            changes={"status": ["À venir", "Réalisée"]},
            item=current,
            item_version=2,
        )
        concurrent["done"] = True

    seen = {}
    message_of = services.conflict_message

    def state_when_refused(pk, expected_version):
        # Inside the transaction, right after the refused UPDATE: the concurrent save is what is stored.
        stored = FicheAction.objects.get(pk=pk)
        seen.update(
            status=stored.status,
            version=stored.version,
            title=stored.title,
            start_date=stored.start_date,
            communes=stored.communes.count(),
        )
        return message_of(pk, expected_version)

    monkeypatch.setattr(fiches, "_before_compare_and_set", other_save_lands)
    monkeypatch.setattr(fiches, "conflict_message", state_when_refused)
    commune = world.ctg.communes.first()
    with pytest.raises(services.FicheConflict) as error:
        services.fiche_update(
            fiche=fiche,
            actor=world.users[Role.COORDINATION],
            expected_version=1,
            title="Écrasé ?",
            all_communes=False,
            communes=[commune],
            start_date=datetime.date(2025, 1, 1),
        )
    assert concurrent["done"]
    assert "statut (« À venir » → « Réalisée »)" in error.value.messages[0]
    assert f"par {other.get_full_name()}" in error.value.messages[0]
    # The compare-and-set found version 2, not 1: the concurrent save stayed whole and nothing of the
    # overtaken save landed (neither its fields nor its communes).
    assert seen == {
        "status": "realisee",
        "version": 2,
        "title": "Micro-crèche",
        "start_date": None,
        "communes": 0,
    }
    # (The simulated concurrent save ran in this test's transaction, so the refusal rolled it back too.)
    stored = FicheAction.objects.get(pk=fiche.pk)
    assert (stored.title, stored.version, stored.start_date) == ("Micro-crèche", 1, None)


def test_saving_a_deleted_fiche_tells_it_was_deleted(world, fiche):
    services.fiche_delete(fiche=FicheAction.objects.get(pk=fiche.pk), actor=world.users[Role.PILOTE_CAF])
    with pytest.raises(
        services.FicheConflict, match="Cette fiche a été supprimée pendant que vous la modifiiez"
    ):
        services.fiche_update(
            fiche=fiche, actor=world.users[Role.COORDINATION], expected_version=1, notes="x"
        )


def test_a_save_without_change_keeps_the_version(world, fiche):
    services.fiche_update(
        fiche=fiche, actor=world.users[Role.COORDINATION], expected_version=1, title="Micro-crèche"
    )
    assert FicheAction.objects.get(pk=fiche.pk).version == 1


def test_the_version_from_a_form_is_read_as_a_number(world, fiche):
    coordination = world.users[Role.COORDINATION]
    services.fiche_update(fiche=fiche, actor=coordination, expected_version="1", notes="Saisie")
    assert FicheAction.objects.get(pk=fiche.pk).version == 2
    with pytest.raises(ValidationError, match="Version de la fiche manquante"):
        services.fiche_update(fiche=fiche, actor=coordination, expected_version=None, notes="x")
