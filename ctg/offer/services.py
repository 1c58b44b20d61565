"""Every write to the inventory of the offer of services goes through this module (forms, imports, demo).

Each change of a structure is recorded in `StructureEvent` (who, when, which fields, before → after, with the
values written by `ctg.core.history.history_value` like the dossier history), and each import in
`OfferImport`. The dossier history of `ctg.core` (`history_record`) needs a dossier: the inventory of a
territory is shared by every CTG that covers it, so it keeps its own history, in the same shape.
"""

import contextlib
import fcntl
import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ctg.core.history import history_value, person, same_value
from ctg.offer import funding, opening_hours
from ctg.offer.models import OfferImport, Structure, StructureEvent

BATCH_SIZE = 500
# The source of the structures imported from the template of the offer (`ctg.offer.template_import`).
SOURCE_TEMPLATE = "modele"
# Fields an import writes; `status` stays what a person set (a source listing a site does not reopen it).
MISSING_FIELDS = ("missing_from_source", "missing_since")


@contextlib.contextmanager
def source_lock(source: str):
    """The exclusive lock of one source of the inventory, held for the plan-and-write of an import: a file
    lock (``fcntl.flock``) in ``DATA_DIR/locks``, like the statistics store's `vintage_lock`; it holds
    between the processes and threads of the server, whichever the database: a second import waits for the
    first, then plans against what it wrote."""
    if not re.fullmatch(r"[a-z0-9-]{1,50}", source):
        raise ValueError(f"source invalide : {source!r}")
    folder = Path(settings.DATA_DIR) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"offer-{source}.lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _display(value, name: str = "") -> str:
    """A value as the history shows it; the CAF funding and the accessibility by their French labels."""
    if name == "caf_funding":
        return history_value(funding.labels(value))
    if name == "accessibility":
        return str(Structure.Accessibility(value).label) if value in Structure.Accessibility else value
    return history_value(value)


def compare(structure: Structure, values: dict) -> dict:
    """{field name: [before, after]} (as text) of the `values` that differ from `structure`'s."""
    changes = {}
    for name, value in values.items():
        before = getattr(structure, name)
        if not same_value(before, value):
            changes[name] = [_display(before, name), _display(value, name)]
    return changes


def _check(values: dict) -> None:
    if values.get("opening_hours"):
        opening_hours.validate(values["opening_hours"])
    if "caf_funding" in values:
        codes = values["caf_funding"]
        if not isinstance(codes, list):
            codes = [codes]
        unknown = [str(code) for code in codes if code not in funding.LABELS]
        if unknown:
            raise ValidationError({"caf_funding": f"Financement de la CAF inconnu : {', '.join(unknown)}."})


def _summary(structure: Structure, kind: str, changes: dict, offer_import: OfferImport | None) -> str:
    origin = f" (import {offer_import.source} n° {offer_import.pk})" if offer_import is not None else ""
    if kind == StructureEvent.Kind.CREATED:
        text = f"Structure créée : {structure.name}{origin}"
    elif kind == StructureEvent.Kind.MISSING:
        text = f"Absente de la dernière liste de sa source : {structure.name}{origin}"
    elif kind == StructureEvent.Kind.BACK:
        text = f"De retour dans la liste de sa source : {structure.name}{origin}"
    else:
        labels = ", ".join(str(Structure._meta.get_field(name).verbose_name) for name in changes)
        text = f"Structure modifiée : {structure.name} ({labels}){origin}"
    return text[:500]


def _event(structure, kind, changes, *, actor, offer_import) -> StructureEvent:
    return StructureEvent(
        structure=structure,
        offer_import=offer_import,
        kind=kind,
        actor=person(actor),
        summary=_summary(structure, kind, changes, offer_import),
        changes=changes,
    )


@transaction.atomic
def structure_create(*, actor, values: dict, offer_import: OfferImport | None = None) -> Structure:
    """A new structure, checked (`full_clean`), with its « création » line."""
    _check(values)
    structure = Structure(**values)
    structure.last_update = structure.last_update or timezone.localdate()
    structure.created_by = structure.updated_by = person(actor)
    structure.full_clean()
    structure.save()
    changes = {name: ["", _display(getattr(structure, name), name)] for name in values}
    _event(structure, StructureEvent.Kind.CREATED, changes, actor=actor, offer_import=offer_import).save()
    return structure


@transaction.atomic
def structure_update(
    structure: Structure, *, actor, values: dict, offer_import: OfferImport | None = None
) -> dict:
    """Sets `values`; when something changed, saves the structure (checked) and records one line. Returns the
    changes, empty when nothing changed."""
    _check(values)
    changes = compare(structure, values)
    if not changes:
        return changes
    for name in changes:
        setattr(structure, name, values[name])
    structure.last_update = timezone.localdate()
    structure.updated_by = person(actor)
    structure.full_clean()
    structure.save()
    _event(structure, _update_kind(changes), changes, actor=actor, offer_import=offer_import).save()
    return changes


def _update_kind(changes: dict) -> str:
    if "missing_from_source" in changes and changes["missing_from_source"][1] == history_value(True):
        return StructureEvent.Kind.MISSING
    if "missing_from_source" in changes and len(changes) == len([n for n in changes if n in MISSING_FIELDS]):
        return StructureEvent.Kind.BACK
    return StructureEvent.Kind.UPDATED


@transaction.atomic
def apply_import(plan, *, actor=None, imported_as: str = "") -> OfferImport:
    """Writes an import plan (`ctg.offer.importers.ImportPlan`) in one transaction: creates, updates, marks
    missing; one `OfferImport` and one event per structure changed. Nothing is ever deleted."""
    today, now = timezone.localdate(), timezone.now()
    record = OfferImport.objects.create(
        source=plan.source,
        source_name=", ".join(plan.filenames)[:500],
        source_sha256=plan.sha256,
        rows_read=plan.rows_read,
        created=len(plan.create),
        updated=plan.updated_count,
        unchanged=len(plan.unchanged),
        marked_missing=len(plan.missing),
        back_in_source=plan.back_count,
        by_departement=plan.by_departement,
        imported_by=person(actor),
        imported_as=imported_as[:250],
    )
    author = person(actor)
    events: list[StructureEvent] = []

    new = []
    for row in plan.create:
        # The source's own date of last update when it gives one (data·inclusion `date_maj`), else today.
        structure = Structure(**{"last_update": today, **row.values}, created_by=author, updated_by=author)
        new.append(structure)
    Structure.objects.bulk_create(new, batch_size=BATCH_SIZE)
    if new and new[0].pk is None:  # a database that does not return keys: read them back
        keys = dict(
            Structure.objects.filter(
                source=plan.source, source_id__in=[s.source_id for s in new]
            ).values_list("source_id", "pk")
        )
        for structure in new:
            structure.pk = keys[structure.source_id]
    for structure, row in zip(new, plan.create, strict=True):
        changes = {
            name: ["", _display(value, name)]
            for name, value in row.values.items()
            if value not in ("", None, {}, [])
        }
        events.append(
            _event(structure, StructureEvent.Kind.CREATED, changes, actor=actor, offer_import=record)
        )

    changed_fields: set[str] = set()
    updated = []
    for structure, row, changes in plan.update:
        for name in changes:
            setattr(structure, name, row.values[name])
            changed_fields.add(name)
        structure.last_update = row.values.get("last_update") or today
        structure.updated_by = author
        structure.updated_at = now
        updated.append(structure)
        events.append(_event(structure, _update_kind(changes), changes, actor=actor, offer_import=record))
    if updated:
        Structure.objects.bulk_update(
            updated,
            [*sorted(changed_fields), "last_update", "updated_by", "updated_at"],
            batch_size=BATCH_SIZE,
        )

    missing = []
    for structure in plan.missing:
        changes = {
            "missing_from_source": [_display(False), _display(True)],
            "missing_since": ["", _display(today)],
        }
        structure.missing_from_source = True
        structure.missing_since = today
        structure.updated_by = author
        structure.updated_at = now
        missing.append(structure)
        events.append(
            _event(structure, StructureEvent.Kind.MISSING, changes, actor=actor, offer_import=record)
        )
    if missing:
        Structure.objects.bulk_update(
            missing,
            ["missing_from_source", "missing_since", "updated_by", "updated_at"],
            batch_size=BATCH_SIZE,
        )
    StructureEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
    return record


def version_of(structure: Structure) -> str:
    """The version of a structure a form was filled from (its last save), for the optimistic lock of
    `structure_edit`."""
    return structure.updated_at.isoformat() if structure.updated_at else ""


@transaction.atomic
def structure_edit(structure: Structure, *, actor, values: dict, expected_version: str) -> dict:
    """A person's change of a structure by form: refused (nothing saved) when the structure was saved since
    the form was filled (`expected_version`, from `version_of`), saying who changed it and when; otherwise
    `structure_update`."""
    from django.utils.formats import date_format

    current = Structure.objects.select_for_update().get(pk=structure.pk)
    if version_of(current) != expected_version:
        last = current.events.select_related("actor").first()
        who = str(last.actor) if last and last.actor else "un import ou une commande"
        when = date_format(timezone.localtime(current.updated_at), "j F Y à H:i")
        raise ValidationError(
            f"Cette structure a été modifiée par {who} le {when} depuis l'ouverture du formulaire : "
            "rien n'a été enregistré. Rechargez la page pour partir de sa version actuelle."
        )
    return structure_update(current, actor=actor, values=values)


@transaction.atomic
def template_apply(plan, *, actor) -> OfferImport:
    """Writes the plan of an import of the template (`ctg.offer.template_import.TemplatePlan`) in one
    transaction, structure by structure through `structure_create` / `structure_update` (one event each):
    all or nothing. Hold `source_lock("modele")` from the plan to here."""
    record = OfferImport.objects.create(
        source=SOURCE_TEMPLATE,
        source_name=plan.filename[:500],
        source_sha256=plan.sha256,
        rows_read=plan.rows_read,
        created=len(plan.create),
        updated=len(plan.update),
        unchanged=len(plan.unchanged),
        imported_by=person(actor),
    )
    for values in plan.create:
        structure_create(actor=actor, values=values, offer_import=record)
    for structure, values, _changes in plan.update:
        own = {name: value for name, value in values.items() if name not in ("source", "source_id")}
        structure_update(structure, actor=actor, values=own, offer_import=record)
    return record
