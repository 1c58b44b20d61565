"""The dossier's history: how every service records a change (issue 10, item 1).

Usage guide
-----------
A service that edits a tracked object validates its input, then hands the new values to `tracked_update`,
which compares them with the object, saves it when something changed (with `updated_by`) and writes one
history line; it returns what changed, `{field name: [before, after]}` (values as text), empty when nothing
did (then nothing is saved nor recorded)::

    from ctg.core.history import register_labels, tracked_update
    from ctg.core.models import Action

    MILESTONE_LABELS = register_labels(Action.MILESTONE, {"kind": "type", "done": "réalisé"})

    @transaction.atomic
    def milestone_update(*, milestone, actor, **values):
        tracked_update(
            milestone,
            actor=actor,
            ctg=milestone.ctg,
            values=values,
            action=Action.MILESTONE,
            summary=f"Jalon modifié : {milestone}",  # or a function of the changed fields' labels
            full_clean=True,
        )
        return milestone

Options of `tracked_update`: `item` (the element the line is tied to, the object itself by default; None
for the dossier), `display` (how a value is written, `history_value` by default), `full_clean`,
`before_save(changes)` (runs once something changed, before saving; may change the object further and
return more changes, e.g. a meeting's participants when its body changes), `item_version` (a number or a
function of the saved object: the version of an item under optimistic locking), `only_changed` (saves
the changed fields only, for an object that was not read under a lock). Multi-valued fields (lists,
many-to-many) are compared as sets: the same items in another order are no change. Many-to-many fields are
set after the save.

Creations, deletions and other changes call `history_record(ctg=…, actor=…, action=Action.X, summary=…,
changes={field name: [before, after]}, item=…)` directly.

- `changes` is keyed by field name (or, for what is not a field, by a stable key such as `period` or
  `recipients`); the French labels are declared once per action with `register_labels(Action.X, {key:
  label})` (returned, so the services keep using the mapping) and resolved when the history is shown
  (`HistoryEntry.labelled_changes`, `labelled_changes(entry)`): the declared label, else the verbose name of
  the item's field, else the key itself (lines recorded before the core kept their French labels as keys, and
  changes keyed by data, such as a participant's name, show as they are). Labels are declared when the
  services module is imported: an app whose services record history imports them in its `AppConfig.ready`.
- `action` is a member of `ctg.core.models.Action`, never a free string: DOSSIER_CREATE, DOSSIER_UPDATE,
  STATUS, RENEWAL, SIGNATORY, SIGNATURE, PARTNER, MEMBER, MILESTONE (the dossier); ENJEU, OBJECTIVE, FICHE,
  STEPS, BUDGET, INDICATOR, INDICATOR_VALUE, ATTACHMENT, COMMENT, BILAN, PLAN_IMPORT (the plan); BODY,
  MEETING, DECISION, POST, POST_FUNDING, ACTIVITY_REPORT (the steering); CONVENTION (the documents).
  `history_record` and `tracked_update` refuse anything else (the strings of the lines written before the
  core were mapped by the migration `conventions.0005_history_to_core`). A new kind of change is a new member
  (and a migration of the field's choices).
- A change made because something decided it (a committee decision) runs inside `with history_cause(obj):`;
  every line written in the block records `cause_type` ("app_label.model_name") and `cause_id`;
  `entry.cause` gives the object back (`HistoryEntry.objects.with_causes()` loads them in bulk). A cause
  model may define `history_cause_label` and `get_absolute_url` for the history pages and
  `history_cause_select` (relations to select with it).
- An item under optimistic locking (the fiche action) records its new version in `item_version`, a typed
  column, never in `changes`.
- `person(actor)` is the author to store on a row (`created_by`, `updated_by`): None for an anonymous actor.
- Values are written by `history_value` (dates dd/mm/yyyy, decimals with a comma, oui/non, lists joined
  by commas), the same whatever app records them.
"""

import contextvars
import datetime
import re
from collections.abc import Callable
from contextlib import contextmanager
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils import timezone

from ctg.core.models import Action, HistoryEntry

# --- values --------------------------------------------------------------------------------------------


def decimal_text(value: Decimal, decimals: int | None = None) -> str:
    """A decimal with a comma and no grouping, as typed (« 3,5 », « 12000 »); with `decimals`, a fixed number
    of decimals (amounts of the coordinator post: « 22500,00 »)."""
    if decimals is not None:
        return f"{value:.{decimals}f}".replace(".", ",")
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f").rstrip("0")
    return text.replace(".", ",")


def history_value(value, *, decimals: int | None = None) -> str:
    """None → empty; booleans → oui/non; date-times in local time « 10/03/2026 15:00 »; dates « 10/03/2026 »;
    decimals with a comma; model instances by their name; lists joined by commas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return decimal_text(value, decimals)
    if isinstance(value, list | tuple):
        return ", ".join(history_value(v, decimals=decimals) for v in value)
    if isinstance(value, Model):
        return str(value)
    return str(value)


def _comparable(value):
    if isinstance(value, Model):
        return (value._meta.label_lower, value.pk)
    return value


def same_value(before, after) -> bool:
    """Whether a field keeps its value. A multi-valued field (champs d'intervention, communes…) is a set: the
    same items in another order are no change. Model instances compare by identity (model and key)."""
    collections = list | tuple | set | frozenset
    if isinstance(before, collections) and isinstance(after, collections):
        return sorted(repr(_comparable(v)) for v in before) == sorted(repr(_comparable(v)) for v in after)
    return _comparable(before) == _comparable(after)


def person(actor):
    """The user to record as author: None for an anonymous or missing actor (a command, the demo)."""
    return actor if actor is not None and actor.is_authenticated else None


# --- actions -------------------------------------------------------------------------------------------


def as_action(action) -> Action:
    """The member for `action` (a member, or the value a line stores)."""
    if isinstance(action, Action):
        return action
    if action in Action.values:
        return Action(action)
    raise ValueError(f"Action d'historique inconnue : {action!r} (utilisez ctg.core.models.Action).")


# --- labels --------------------------------------------------------------------------------------------

_LABELS: dict[str, dict[str, str]] = {}
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")


def register_labels(action: Action, labels: dict[str, str]) -> dict[str, str]:
    """Declares the French labels of the keys of `changes` for `action`; returns `labels`."""
    _LABELS.setdefault(as_action(action).value, {}).update(labels)
    return labels


def _item_model(item_type: str):
    if not item_type:
        return apps.get_model(settings.CTG_DOSSIER_MODEL)
    for model in apps.get_models():
        if model._meta.model_name == item_type:
            return model
    return None


def label_for(action, item_type: str, key: str) -> str:
    """The label of a key of `changes`: declared for the action, else the verbose name of the item's field,
    else the key itself (labels recorded before the core, or keys that are data)."""
    declared = _LABELS.get(str(action), {})
    if key in declared:
        return declared[key]
    if _IDENTIFIER.fullmatch(key):
        model = _item_model(item_type)
        if model is not None:
            try:
                return str(model._meta.get_field(key).verbose_name)
            except (FieldDoesNotExist, AttributeError):
                pass
    return key


def labelled_changes(entry: HistoryEntry) -> dict:
    """`entry.changes` keyed by their French labels, in the recorded order; then, for an item under optimistic
    locking, its version as the history page has always shown it (« version : « 3 » → « 4 » », « 1 » at its
    creation), although it is stored in `item_version`, not among the changes."""
    labelled = {
        label_for(entry.action, entry.item_type, key): pair for key, pair in (entry.changes or {}).items()
    }
    if entry.item_version is not None:
        labelled["version"] = [entry.item_version - 1 if entry.item_version > 1 else None, entry.item_version]
    return labelled


# --- causes --------------------------------------------------------------------------------------------

_history_cause: contextvars.ContextVar = contextvars.ContextVar("history_cause", default=None)


@contextmanager
def history_cause(cause):
    """Every history line recorded inside the block is tied to `cause` (a model instance, e.g. a committee
    decision): the fiche a decision changed shows that decision in its history."""
    token = _history_cause.set(cause)
    try:
        yield
    finally:
        _history_cause.reset(token)


# --- recording -----------------------------------------------------------------------------------------


def history_record(
    *,
    ctg,
    actor,
    action,
    summary: str,
    changes: dict | None = None,
    item=None,
    item_version: int | None = None,
) -> HistoryEntry:
    """One line of the dossier's history; `item` (a model instance) ties it to the element it concerns."""
    if not isinstance(action, Action):
        raise ValueError(f"Action d'historique à prendre dans ctg.core.models.Action, pas {action!r}.")
    cause = _history_cause.get()
    return HistoryEntry.objects.create(
        ctg=ctg,
        actor=person(actor),
        action=action.value,
        item_type=item._meta.model_name if item is not None else "",
        item_id=item.pk if item is not None else None,
        item_version=item_version,
        summary=summary[:500],
        changes=dict(changes or {}),
        cause_type=cause._meta.label_lower if cause is not None else "",
        cause_id=cause.pk if cause is not None else None,
    )


_SELF = object()


def _field(instance, name):
    try:
        return instance._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def tracked_update(
    instance,
    *,
    actor,
    values: dict,
    ctg,
    action,
    summary: str | Callable[[list[str]], str],
    item=_SELF,
    display: Callable = history_value,
    full_clean: bool = False,
    before_save: Callable[[dict], dict | None] | None = None,
    item_version: int | Callable | None = None,
    only_changed: bool = False,
) -> dict:
    """Sets `values` on `instance`; when something changed, saves it (with `updated_by`) and writes one
    history line. Returns the changes, `{field name: [before, after]}`, empty when nothing changed."""
    if not isinstance(action, Action):
        raise ValueError(f"Action d'historique à prendre dans ctg.core.models.Action, pas {action!r}.")
    item = instance if item is _SELF else item
    changes: dict = {}
    many: dict = {}
    for name, value in values.items():
        field = _field(instance, name)
        if field is not None and field.many_to_many:
            before = list(getattr(instance, name).all()) if instance.pk else []
            if not same_value(before, list(value)):
                changes[name] = [display(before), display(list(value))]
                many[name] = list(value)
            continue
        before = getattr(instance, name)
        if not same_value(before, value):
            changes[name] = [display(before), display(value)]
            setattr(instance, name, value)
    if not changes:
        return changes
    if before_save is not None:
        changes.update(before_save(changes) or {})
    if _field(instance, "updated_by") is not None:
        instance.updated_by = person(actor)
    if full_clean:
        instance.full_clean()
    if only_changed:
        written = [name for name in changes if name not in many and _field(instance, name) is not None]
        tracked = [name for name in ("updated_by", "updated_at") if _field(instance, name) is not None]
        instance.save(update_fields=written + tracked)
    else:
        instance.save()
    for name, value in many.items():
        getattr(instance, name).set(value)
    if callable(summary):
        item_type = item._meta.model_name if item is not None else ""
        summary = summary([label_for(action, item_type, key) for key in changes])
    history_record(
        ctg=ctg,
        actor=actor,
        action=action,
        summary=summary,
        changes=changes,
        item=item,
        item_version=item_version(instance) if callable(item_version) else item_version,
    )
    return changes
