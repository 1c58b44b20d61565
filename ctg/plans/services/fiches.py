"""The fiche action: create, update under optimistic locking (`fiche_update` takes the version the person
loaded and saves with a compare-and-set on it, so that of two concurrent saves the second is refused whole,
`FicheConflict`, with a message naming what changed meanwhile and who changed it), delete, move. The fiche's
business rules are those of `ctg.plans.rules`, shared with the form and the plan import."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ctg.conventions.models import Ctg
from ctg.conventions.selectors import organisation_scope
from ctg.core.history import history_record, register_labels, same_value
from ctg.core.models import Action, HistoryEntry
from ctg.organisations import choices
from ctg.organisations.models import Organisation
from ctg.plans import numbering, rules
from ctg.plans.models import (
    FicheAction,
    OperationalObjective,
)
from ctg.plans.services.common import (
    DIRECTION_LABELS,
    _display,
    _fields_display,
    _person,
    _person_name,
    item_type,
)
from ctg.plans.services.positions import (
    _end_of_group,
    _fiche_group,
    _primary_of,
    _renumber_group,
    objectives_in_plan_order,
)
from ctg.territories.models import Commune
from ctg.text import clean_text


class FicheConflict(ValidationError):
    """The fiche changed since the version the person loaded: their save is refused whole."""


FICHE_FIELDS = {
    "title": "intitulé",
    "objectives": "objectifs opérationnels",
    "fields": "champs d'intervention",
    "context": "contexte",
    "description": "description",
    "target_public": "public visé",
    "all_communes": "toutes les communes",
    "communes": "communes concernées",
    "pilot_organisation": "organisation pilote",
    "pilot_person": "personne pilote",
    "partners": "partenaires",
    "start_date": "début",
    "end_date": "fin",
    "status": "statut",
    "priority": "priorité",
    "notes": "notes internes",
}


# The history's changes are keyed by field name; their French labels, declared once.
register_labels(Action.FICHE, {**FICHE_FIELDS, "position": "ordre"})
FICHE_M2M = ("objectives", "communes", "partners")


FICHE_TEXTS = {
    "context": "Le contexte",
    "description": "La description",
    "target_public": "Le public visé",
    "notes": "Les notes",
}


def _fiche_display(name, value) -> str:
    if name == "fields":
        return _display(_fields_display(value))
    if name == "status":
        return FicheAction.Status(value).label
    if name == "priority":
        return FicheAction.Priority(value).label
    if name in FICHE_M2M:
        return ", ".join(sorted(str(v) for v in value))
    return _display(value)


def _fiche_state(fiche: FicheAction) -> dict:
    state = {name: getattr(fiche, name) for name in FICHE_FIELDS if name not in FICHE_M2M}
    for name in FICHE_M2M:
        state[name] = list(getattr(fiche, name).all()) if fiche.pk else []
    return state


def _clean_fiche(ctg: Ctg, values: dict, *, keep=()) -> dict:
    """Validates a complete set of fiche values (the stored ones merged with the changed ones): the rules of
    `rules.fiche_problems`, then what the values refer to (objectives of this dossier, communes of its
    territory, organisations the dossier may name: `selectors.check_dossier_organisations`, `keep` being
    those the fiche already names). Raises a `ValidationError` naming every field in error."""
    values["title"] = clean_text(values.get("title") or "", multiline=True).strip()
    for name in (*FICHE_TEXTS, "pilot_person"):
        values[name] = clean_text(values.get(name) or "", multiline=True).strip()
    values["fields"] = list(dict.fromkeys(values.get("fields") or []))
    values["objectives"] = list(dict.fromkeys(values.get("objectives") or []))
    values["all_communes"] = bool(values.get("all_communes"))
    # « Toutes » and a list together are refused (`rules.communes_problem`), never silently resolved.
    values["communes"] = list(dict.fromkeys(values.get("communes") or []))
    values["partners"] = list(dict.fromkeys(values.get("partners") or []))
    errors = {}
    for name in ("start_date", "end_date"):
        value = values.get(name)
        if isinstance(value, datetime.datetime):
            values[name] = value.date()
        elif value is not None and not isinstance(value, datetime.date):
            errors[name] = ["Date invalide."]
            values[name] = None
    problems = rules.fiche_problems(values, rules.Period.of(ctg))
    for name, messages in rules.as_errors(problems).items():
        errors.setdefault(name, []).extend(messages)
    if values["objectives"] and "objectives" not in errors:
        ids = {o.pk for o in values["objectives"]}
        if OperationalObjective.objects.filter(pk__in=ids, strategic__enjeu__ctg=ctg).count() != len(ids):
            errors["objectives"] = ["Les objectifs opérationnels doivent appartenir à ce dossier."]
    if values["communes"]:
        allowed = set(ctg.communes.values_list("pk", flat=True))
        outside = [c for c in values["communes"] if c.pk not in allowed]
        if outside:
            errors["communes"] = [
                "Ces communes ne font pas partie du territoire de la CTG : "
                + ", ".join(c.name for c in outside)
                + "."
            ]
    for org in [values.get("pilot_organisation"), *values["partners"]]:
        if org is not None and not isinstance(org, Organisation):
            errors["partners"] = ["Organisation inconnue."]
    if "partners" not in errors and (values.get("pilot_organisation") or values["partners"]):
        # The one rule of the organisations a dossier names; what the fiche already names stays.
        scope = organisation_scope(ctg, keep=keep)
        for name, organisations in (
            ("pilot_organisation", [values.get("pilot_organisation")]),
            ("partners", values["partners"]),
        ):
            if problems := choices.scope_problems(scope, organisations):
                errors.setdefault(name, []).extend(problems)
    if errors:
        raise ValidationError(errors)
    return values


def _set_m2m(fiche: FicheAction, values: dict) -> None:
    for name in FICHE_M2M:
        getattr(fiche, name).set(values[name])


@transaction.atomic
def fiche_create(
    *,
    ctg: Ctg,
    actor,
    title: str,
    objectives: Iterable[OperationalObjective],
    fields: Iterable[str] = (),
    context: str = "",
    description: str = "",
    target_public: str = "",
    all_communes: bool = True,
    communes: Iterable[Commune] = (),
    pilot_organisation: Organisation | None = None,
    pilot_person: str = "",
    partners: Iterable[Organisation] = (),
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    status: str = FicheAction.Status.A_VENIR,
    priority: str = FicheAction.Priority.MOYENNE,
    notes: str = "",
) -> FicheAction:
    values = _clean_fiche(
        ctg,
        {
            "title": title,
            "objectives": list(objectives or []),
            "fields": fields,
            "context": context,
            "description": description,
            "target_public": target_public,
            "all_communes": all_communes,
            "communes": list(communes or []),
            "pilot_organisation": pilot_organisation,
            "pilot_person": pilot_person,
            "partners": list(partners or []),
            "start_date": start_date,
            "end_date": end_date,
            "status": status,
            "priority": priority,
            "notes": notes,
        },
    )
    Ctg.objects.select_for_update().filter(pk=ctg.pk).first()
    scalars = {k: v for k, v in values.items() if k not in FICHE_M2M}
    # Last under its first objective: after the fiches of that group, the others untouched.
    order = objectives_in_plan_order(ctg)
    position = _end_of_group(ctg, _primary_of((o.pk for o in values["objectives"]), order), order)
    fiche = FicheAction.objects.create(
        ctg=ctg, position=position, version=1, created_by=_person(actor), updated_by=_person(actor), **scalars
    )
    _set_m2m(fiche, values)
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.FICHE,
        summary=f"Fiche action créée : « {fiche.title} »",
        changes={"title": ["", fiche.title]},
        item=fiche,
        item_version=fiche.version,
    )
    return fiche


def _quoted(value) -> str:
    return f"« {value} »" if value not in (None, "") else "vide"


def conflict_message(fiche_pk: int, expected_version: int) -> str:
    """What changed on the fiche since `expected_version`, who changed it and when, in French."""
    entries = list(
        HistoryEntry.objects.filter(
            item_type=item_type(FicheAction()), item_id=fiche_pk, item_version__gt=expected_version
        )
        .select_related("actor")
        .order_by("at", "id")
    )
    reload = "Vos modifications n'ont pas été enregistrées ; rechargez la fiche."
    if not FicheAction.objects.filter(pk=fiche_pk).exists():
        return f"Cette fiche a été supprimée pendant que vous la modifiiez. {reload}"
    if not entries:
        return f"Cette fiche a été modifiée par une autre personne pendant que vous la modifiiez. {reload}"
    changed: dict[str, list] = {}
    for entry in entries:
        for label, pair in entry.labelled_changes.items():
            if label == "version" or not isinstance(pair, list) or len(pair) != 2:
                continue
            if label in changed:
                changed[label][1] = pair[1]
            else:
                changed[label] = list(pair)
    names = list(dict.fromkeys(_person_name(e.actor) for e in entries))
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]
    last = timezone.localtime(entries[-1].at)
    details = ", ".join(
        f"{label} ({_quoted(before)} → {_quoted(after)})" for label, (before, after) in changed.items()
    )
    return (
        f"Cette fiche a été modifiée par {who} le {last:%d/%m/%Y} à {last:%H:%M} pendant que vous la "
        f"modifiiez : {details or 'sans détail'}. {reload}"
    )


def _before_compare_and_set(fiche: FicheAction) -> None:
    """Hook between the read and the compare-and-set (tests simulate a concurrent save here)."""


@transaction.atomic
def fiche_update(*, fiche: FicheAction, actor, expected_version: int, **values) -> FicheAction:
    """Saves the values the person changed, provided nobody saved the fiche since the version they loaded
    (`expected_version`); otherwise raises `FicheConflict` and saves nothing."""
    unknown = set(values) - set(FICHE_FIELDS)
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    try:
        expected_version = int(expected_version)
    except (TypeError, ValueError):
        raise ValidationError("Version de la fiche manquante : rechargez la fiche.") from None
    current = FicheAction.objects.filter(pk=fiche.pk).first()
    if current is None or current.version != expected_version:
        raise FicheConflict(conflict_message(fiche.pk, expected_version), code="conflict")
    ctg = current.ctg
    stored = _fiche_state(current)
    if values.get("all_communes") and "communes" not in values:
        # Switching to « toutes » without naming the communes: the stored list goes.
        values["communes"] = []
    named = [stored["pilot_organisation"], *stored["partners"]]
    merged = _clean_fiche(ctg, {**stored, **values}, keep=[o for o in named if o is not None])
    changes = {}
    for name in FICHE_FIELDS:
        before, after = stored[name], merged[name]
        same = (
            {o.pk for o in before} == {o.pk for o in after}
            if name in FICHE_M2M
            else same_value(before, after)
        )
        if not same:
            changes[name] = [_fiche_display(name, before), _fiche_display(name, after)]
    if not changes:
        return current
    _before_compare_and_set(current)
    scalars = {k: merged[k] for k in FICHE_FIELDS if k not in FICHE_M2M}
    saved = FicheAction.objects.filter(pk=current.pk, version=expected_version).update(
        **scalars, updated_by=_person(actor), updated_at=timezone.now(), version=F("version") + 1
    )
    if saved != 1:
        raise FicheConflict(conflict_message(current.pk, expected_version), code="conflict")
    current.refresh_from_db()
    _set_m2m(current, merged)
    if "objectives" in changes:
        # Only the groups of its first objective, before and after, change.
        order = objectives_in_plan_order(ctg)
        primary_before = _primary_of((o.pk for o in stored["objectives"]), order)
        primary_after = _primary_of((o.pk for o in merged["objectives"]), order)
        if primary_after != primary_before:
            # Under a new first objective: last of its new group.
            FicheAction.objects.filter(pk=current.pk).update(position=10**6)
            _renumber_group(_fiche_group(ctg, primary_before, order))
        _renumber_group(_fiche_group(ctg, primary_after, order))
        current.refresh_from_db(fields=["position"])
    labels = ", ".join(FICHE_FIELDS[name] for name in changes)
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.FICHE,
        summary=f"Fiche action modifiée : « {current.title} » ({labels})",
        changes=changes,
        item=current,
        item_version=current.version,
    )
    for name in ("version", "position", *scalars):
        setattr(fiche, name, getattr(current, name))
    return current


@transaction.atomic
def fiche_delete(*, fiche: FicheAction, actor) -> None:
    ctg = fiche.ctg
    title, pk = fiche.title, fiche.pk
    order = objectives_in_plan_order(ctg)
    primary = _primary_of(fiche.objectives.values_list("pk", flat=True), order)
    fiche.delete()
    fiche.pk = pk
    _renumber_group(_fiche_group(ctg, primary, order))  # the gap it leaves in its group
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.FICHE,
        summary=f"Fiche action supprimée : « {title} »",
        changes={"title": [title, ""]},
        item=fiche,
    )


@transaction.atomic
def fiche_move(*, fiche: FicheAction, actor, direction: str) -> FicheAction:
    """Moves the fiche among the fiches that share its first objective."""
    if direction not in (numbering.UP, numbering.DOWN):
        raise ValidationError({"direction": "Sens de déplacement inconnu (« up » ou « down »)."})
    ctg = fiche.ctg
    Ctg.objects.select_for_update().filter(pk=ctg.pk).first()
    order = objectives_in_plan_order(ctg)
    primary = _primary_of(fiche.objectives.values_list("pk", flat=True), order)
    group = _fiche_group(ctg, primary, order)
    _renumber_group(group)
    index = next(i for i, f in enumerate(group) if f.pk == fiche.pk)
    other = index - 1 if direction == numbering.UP else index + 1
    if not 0 <= other < len(group):
        return fiche
    positions = {f.pk: f.position for f in group}
    for pk, position in numbering.move(positions.items(), fiche.pk, direction):
        if positions[pk] != position:
            FicheAction.objects.filter(pk=pk).update(position=position)
    fiche.position = other
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.FICHE,
        summary=f"Fiche action déplacée {DIRECTION_LABELS[direction]} : « {fiche.title} »",
        changes={"position": [index + 1, other + 1]},
        item=fiche,
    )
    return fiche
