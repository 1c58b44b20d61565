"""The tracked-edit core: `tracked_update`, `history_record`, `history_cause`, the labels shown."""

import datetime

import pytest

from ctg.conventions.models import Field, Milestone
from ctg.core.history import (
    as_action,
    history_cause,
    history_record,
    label_for,
    register_labels,
    same_value,
    tracked_update,
)
from ctg.core.models import Action, HistoryEntry
from ctg.organisations.permissions import Role
from tests.governance.factories import DecisionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def milestone(world):
    return Milestone.objects.create(
        ctg=world.ctg, kind=Milestone.Kind.ATELIER, title="Atelier", date=datetime.date(2026, 3, 10)
    )


def _update(milestone, actor, **values):
    return tracked_update(
        milestone,
        actor=actor,
        ctg=milestone.ctg,
        values=values,
        action=Action.MILESTONE,
        summary=lambda labels: "Jalon modifié : " + ", ".join(labels),
    )


def test_tracked_update_returns_the_changes_and_writes_one_line(world, milestone):
    actor = world.users[Role.COORDINATION]
    count = HistoryEntry.objects.count()
    changes = _update(milestone, actor, title="Atelier parents", date=datetime.date(2026, 4, 1), done=False)
    assert changes == {"title": ["Atelier", "Atelier parents"], "date": ["10/03/2026", "01/04/2026"]}
    assert HistoryEntry.objects.count() == count + 1
    entry = HistoryEntry.objects.latest("id")
    assert (entry.action, entry.actor, entry.item_type, entry.item_id) == (
        Action.MILESTONE,
        actor,
        "milestone",
        milestone.pk,
    )
    assert entry.changes == changes  # keyed by field name
    assert entry.labelled_changes == {
        "intitulé": ["Atelier", "Atelier parents"],
        "date": ["10/03/2026", "01/04/2026"],
    }
    assert entry.summary == "Jalon modifié : intitulé, date"
    milestone.refresh_from_db()
    assert (milestone.title, milestone.updated_by) == ("Atelier parents", actor)


def test_no_line_when_nothing_changed(world, milestone):
    count = HistoryEntry.objects.count()
    updated_at = milestone.updated_at
    assert _update(milestone, world.users[Role.COORDINATION], title="Atelier", done=False) == {}
    assert HistoryEntry.objects.count() == count
    milestone.refresh_from_db()
    assert milestone.updated_at == updated_at  # not saved either


def test_order_only_changes_of_multi_valued_fields_are_not_reported(world):
    ctg = world.ctg
    ctg.fields = [Field.PETITE_ENFANCE, Field.JEUNESSE]
    ctg.save()
    count = HistoryEntry.objects.count()
    changes = tracked_update(
        ctg,
        actor=None,
        ctg=ctg,
        item=None,
        values={
            "fields": [Field.JEUNESSE, Field.PETITE_ENFANCE],
            "communes": list(reversed(ctg.communes.all())),
        },
        action=Action.DOSSIER_UPDATE,
        summary="Modification",
    )
    assert changes == {} and HistoryEntry.objects.count() == count
    assert same_value([1, 2], (2, 1)) and not same_value([1, 2], [1, 2, 3])


def test_many_to_many_values_are_set_after_the_save(world):
    ctg = world.ctg
    kept = list(ctg.communes.all())[:2]
    changes = tracked_update(
        ctg,
        actor=None,
        ctg=ctg,
        item=None,
        values={"communes": kept},
        action=Action.DOSSIER_UPDATE,
        summary="M",
    )
    assert list(changes) == ["communes"] and set(ctg.communes.all()) == set(kept)


def test_the_cause_is_recorded_inside_history_cause(world, milestone):
    decision = DecisionFactory(meeting__ctg=world.ctg, meeting__body__ctg=world.ctg)
    with history_cause(decision):
        _update(milestone, None, title="Atelier décidé")
        inside = HistoryEntry.objects.latest("id")
    _update(milestone, None, title="Atelier après")
    outside = HistoryEntry.objects.latest("id")
    assert (inside.cause_type, inside.cause_id) == ("governance.decision", decision.pk)
    assert inside.cause == decision
    assert list(HistoryEntry.objects.caused_by(decision)) == [inside]
    assert (outside.cause_type, outside.cause_id, outside.cause) == ("", None, None)
    # Loaded in bulk for a page: one query for the lines, one for their decisions.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        causes = [e.cause for e in HistoryEntry.objects.filter(ctg=world.ctg).with_causes()]
    assert decision in causes and len(queries) == 2


def test_labels_are_resolved_when_shown(world):
    register_labels(Action.MILESTONE, {"done": "réalisé"})
    assert label_for(Action.MILESTONE, "milestone", "done") == "réalisé"  # declared
    assert label_for(Action.MILESTONE, "milestone", "notes") == "notes"  # the field's verbose name
    assert (
        label_for(Action.MILESTONE, "milestone", "intitulé") == "intitulé"
    )  # a label recorded before the core
    assert label_for(Action.DOSSIER_UPDATE, "", "start_year") == "année de début"  # the dossier's field


def test_actions_are_members_of_the_enum():
    assert as_action("reunion") == Action.MEETING and as_action(Action.FICHE) == Action.FICHE
    with pytest.raises(ValueError):
        as_action("réunion")  # a string of the lines written before the core: converted by the migration


def test_history_record_refuses_a_free_string(world, milestone):
    for action in ("quelque chose", "jalon"):
        with pytest.raises(ValueError):
            history_record(ctg=world.ctg, actor=None, action=action, summary="?")
        with pytest.raises(ValueError):
            tracked_update(
                milestone, actor=None, ctg=world.ctg, values={"done": True}, action=action, summary="?"
            )


def test_every_action_recorded_is_a_member(world, client):
    """A tour of the services of the dossier and the steering leaves only `Action` values in the table."""
    from ctg.conventions import services as conventions
    from ctg.governance import services as governance

    actor = world.users[Role.COORDINATION]
    conventions.ctg_update(ctg=world.ctg, actor=actor, title="Renommée")
    milestone = conventions.milestone_create(
        ctg=world.ctg, actor=actor, kind="atelier", title="Atelier", date=datetime.date(2026, 1, 1)
    )
    conventions.milestone_update(milestone=milestone, actor=actor, done=True)
    body = governance.body_create(ctg=world.ctg, actor=actor, kind="copil", name="COPIL")
    governance.body_update(body=body, actor=actor, name="COPIL de la CTG")
    stored = set(HistoryEntry.objects.values_list("action", flat=True))
    assert stored and stored <= set(Action.values)
