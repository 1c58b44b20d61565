"""Writes on the plan d'action. Each function checks its business rules, writes atomically and records who did
what in the dossier's history, tied to the item it concerns (`HistoryEntry.item_type` / `item_id`): enjeux
and objectives are their own items; a fiche action and everything that belongs to it (steps, budget,
indicators and their values, comments) are recorded on the fiche, so that `selectors.fiche_history` shows
them all.

Permission checks (who may call what) happen in the views (`ctg.organisations.permissions`,
`selectors.can_edit_fiche`); these functions enforce what must hold whoever calls them.

Fiche actions use optimistic locking: `fiche_update` takes the version the person loaded and saves with a
compare-and-set on it, so that of two concurrent saves the second is refused whole (`FicheConflict`), with a
message naming what changed meanwhile and who changed it.
"""

import datetime
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Model, QuerySet
from django.utils import timezone

from ctg.conventions.history import decimal_text, history_value, same_value
from ctg.conventions.models import Ctg, Field, HistoryEntry
from ctg.conventions.services import history_record
from ctg.diagnostics import engine
from ctg.diagnostics.catalogue import BY_ID, Kind, source_label
from ctg.diagnostics.engine import OK, PARTIEL
from ctg.diagnostics.portrait import TerritoryNotFound, resolve_territory, territory_of_ctg
from ctg.organisations.models import Organisation
from ctg.plans import rules
from ctg.plans.models import (
    Attachment,
    BilanAnnuel,
    BudgetLine,
    Comment,
    Enjeu,
    FicheAction,
    FicheStep,
    Funder,
    IndicatorValue,
    OperationalObjective,
    PlanIndicator,
    StrategicObjective,
)
from ctg.territories.models import Commune
from ctg.text import clean_text
from ctg.uploads import check_upload, file_name

# --- history -------------------------------------------------------------------------------------------


def item_type(instance: Model) -> str:
    return instance._meta.model_name


def _person(actor):
    return actor if actor is not None and actor.is_authenticated else None


_display = history_value
_decimal_text = decimal_text


def _fields_display(values: Iterable[str]) -> list[str]:
    labels = dict(Field.choices)
    return [labels.get(v, v) for v in values]


# --- validation helpers --------------------------------------------------------------------------------


def _text(value, *, field: str, label: str, required: bool = False, max_length: int | None = None) -> str:
    # Control characters removed for the callers without a form too (imports, decisions); see ctg.text.
    value = clean_text(value or "", multiline=True).strip()
    if required and not value:
        raise ValidationError({field: f"{label} est obligatoire."})
    if max_length and len(value) > max_length:
        raise ValidationError({field: f"{label} ne doit pas dépasser {max_length} caractères."})
    return value


def _raise(problem: rules.Problem | None) -> None:
    if problem is not None:
        raise ValidationError({problem.field: problem.message})


def _check_fields(fields: Iterable[str] | None) -> list[str]:
    fields = list(dict.fromkeys(fields or []))
    _raise(rules.fields_problem(fields))
    return fields


def _check_attention_indicators(ids: Iterable[str] | None) -> list[str]:
    ids = list(dict.fromkeys(ids or []))
    unknown = [i for i in ids if i not in BY_ID]
    if unknown:
        raise ValidationError(
            {"attention_indicators": f"Indicateur du portrait inconnu : {', '.join(map(str, unknown))}."}
        )
    return ids


def _check_choice(value, choices, *, field: str, label: str) -> str:
    _raise(rules.choice_problem(value, choices, field=field, label=label))
    return value


def period_bounds(ctg: Ctg) -> tuple[datetime.date, datetime.date]:
    period = rules.Period.of(ctg)
    return period.first, period.last


def _check_year_in_period(ctg: Ctg, year, *, field: str = "year") -> int:
    _raise(rules.year_problem(year, rules.Period.of(ctg), field=field))
    return int(year)


def _amount(value, *, field: str, label: str) -> Decimal:
    if value is None or value == "":
        return Decimal("0")
    try:
        amount = Decimal(str(value).replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise ValidationError({field: f"{label} : « {value} » n'est pas un montant."}) from None
    if not amount.is_finite():
        raise ValidationError({field: f"{label} : « {value} » n'est pas un montant."})
    if amount < 0:
        raise ValidationError({field: f"{label} ne peut pas être négatif."})
    if amount.as_tuple().exponent < -2:
        raise ValidationError({field: f"{label} : deux décimales au plus."})
    if abs(amount) >= Decimal("1e10"):
        raise ValidationError({field: f"{label} : montant trop élevé."})
    return amount


def _number(value, *, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value).replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise ValidationError({field: f"{label} : « {value} » n'est pas un nombre."}) from None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise ValidationError({field: f"{label} : « {value} » n'est pas un nombre valide."})
    return number.quantize(Decimal("0.0001"))


# --- positions -----------------------------------------------------------------------------------------


def _renumber(queryset: QuerySet) -> None:
    """Positions 0..n-1 in the current order (position, id)."""
    for index, obj in enumerate(queryset.order_by("position", "id")):
        if obj.position != index:
            type(obj).objects.filter(pk=obj.pk).update(position=index)
            obj.position = index


def _move(instance, siblings: QuerySet, direction: str) -> bool:
    """Swaps the item with its neighbour; False when it is already first (up) or last (down)."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Sens de déplacement inconnu (« up » ou « down »)."})
    ordered = list(siblings.order_by("position", "id"))
    index = next(i for i, obj in enumerate(ordered) if obj.pk == instance.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, obj in enumerate(ordered):
        if obj.position != position:
            type(obj).objects.filter(pk=obj.pk).update(position=position)
    instance.position = other
    return True


def _next_position(queryset: QuerySet) -> int:
    return (queryset.aggregate(m=Max("position"))["m"] or 0) + 1 if queryset.exists() else 0


DIRECTION_LABELS = {"up": "vers le haut", "down": "vers le bas"}


# --- fiche positions (under their first objective) -----------------------------------------------------


def primary_objectives(ctg: Ctg) -> dict[int, int]:
    """Fiche id → its first objective in the plan's order (the one its numbering follows)."""
    through = FicheAction.objectives.through
    rows = (
        through.objects.filter(ficheaction__ctg=ctg)
        .order_by(
            "operationalobjective__strategic__enjeu__position",
            "operationalobjective__strategic__enjeu_id",
            "operationalobjective__strategic__position",
            "operationalobjective__strategic_id",
            "operationalobjective__position",
            "operationalobjective_id",
        )
        .values_list("ficheaction_id", "operationalobjective_id")
    )
    primary: dict[int, int] = {}
    for fiche_id, objective_id in rows:
        primary.setdefault(fiche_id, objective_id)
    return primary


def _fiche_groups(ctg: Ctg) -> dict[int | None, list[FicheAction]]:
    primary = primary_objectives(ctg)
    groups: dict[int | None, list[FicheAction]] = {}
    for fiche in FicheAction.objects.filter(ctg=ctg).order_by("position", "id").only("id", "position"):
        groups.setdefault(primary.get(fiche.pk), []).append(fiche)
    return groups


def _renumber_fiches(ctg: Ctg) -> None:
    """Positions 0..n-1 among the fiches that share a first objective (after any change of the tree)."""
    for fiches in _fiche_groups(ctg).values():
        _renumber_group(fiches)


def _renumber_group(fiches: list[FicheAction]) -> None:
    """Positions 0..n-1 for fiches given in their order, writing only those that change."""
    for index, fiche in enumerate(fiches):
        if fiche.position != index:
            FicheAction.objects.filter(pk=fiche.pk).update(position=index)
            fiche.position = index


def objectives_in_plan_order(ctg: Ctg) -> list[int]:
    """Ids of the dossier's operational objectives in the plan's order (one query, as many rows as
    objectives: the order `primary_objectives` follows)."""
    return list(
        OperationalObjective.objects.filter(strategic__enjeu__ctg=ctg)
        .order_by(
            "strategic__enjeu__position",
            "strategic__enjeu_id",
            "strategic__position",
            "strategic_id",
            "position",
            "id",
        )
        .values_list("id", flat=True)
    )


def _primary_of(objective_ids: Iterable[int], order: list[int]) -> int | None:
    """The first of `objective_ids` in the plan's `order` (None for a fiche attached to no objective)."""
    ids = set(objective_ids)
    return next((oid for oid in order if oid in ids), None)


def _group_queryset(ctg: Ctg, primary: int | None, order: list[int]) -> QuerySet:
    """The fiches whose first objective is `primary` (None: the fiches attached to no objective of the plan),
    without reading the others: attached to `primary` and to no objective before it in the plan."""
    fiches = FicheAction.objects.filter(ctg=ctg)
    through = FicheAction.objectives.through
    if primary is None:
        return fiches.exclude(
            pk__in=through.objects.filter(operationalobjective_id__in=order).values("ficheaction_id")
        )
    earlier = order[: order.index(primary)]
    fiches = fiches.filter(
        pk__in=through.objects.filter(operationalobjective_id=primary).values("ficheaction_id")
    )
    if earlier:
        fiches = fiches.exclude(
            pk__in=through.objects.filter(operationalobjective_id__in=earlier).values("ficheaction_id")
        )
    return fiches


def _fiche_group(ctg: Ctg, primary: int | None, order: list[int]) -> list[FicheAction]:
    """The fiches whose first objective is `primary`, in order (position, id)."""
    return list(_group_queryset(ctg, primary, order).order_by("position", "id").only("id", "position"))


def _end_of_group(ctg: Ctg, primary: int | None, order: list[int]) -> int:
    """The position after the last fiche whose first objective is `primary` (one aggregate query): a fiche
    put there is numbered last of its group, as a renumbering of the plan would place it."""
    last = _group_queryset(ctg, primary, order).aggregate(m=Max("position"))["m"]
    return 0 if last is None else last + 1


# --- enjeux --------------------------------------------------------------------------------------------


ENJEU_FIELDS = {
    "title": "intitulé",
    "description": "description",
    "fields": "champs d'intervention",
    "attention_indicators": "indicateurs du portrait liés",
    "findings": "constats qualitatifs",
}


def _clean_enjeu(values: dict) -> dict:
    if "title" in values:
        values["title"] = _text(
            values["title"], field="title", label="L'intitulé", required=True, max_length=300
        )
    for name in ("description", "findings"):
        if name in values:
            values[name] = _text(values[name], field=name, label=name)
    if "fields" in values:
        values["fields"] = _check_fields(values["fields"])
    if "attention_indicators" in values:
        values["attention_indicators"] = _check_attention_indicators(values["attention_indicators"])
    return values


def _enjeu_display(name, value):
    if name == "fields":
        return _display(_fields_display(value))
    if name == "attention_indicators":
        return _display([BY_ID[i].label if i in BY_ID else i for i in value])
    return _display(value)


@transaction.atomic
def enjeu_create(
    *,
    ctg: Ctg,
    actor,
    title: str,
    description: str = "",
    fields: Iterable[str] = (),
    attention_indicators: Iterable[str] = (),
    findings: str = "",
) -> Enjeu:
    values = _clean_enjeu(
        {
            "title": title,
            "description": description,
            "fields": fields,
            "attention_indicators": attention_indicators,
            "findings": findings,
        }
    )
    Ctg.objects.select_for_update().filter(pk=ctg.pk).first()
    enjeu = Enjeu.objects.create(
        ctg=ctg,
        position=_next_position(Enjeu.objects.filter(ctg=ctg)),
        created_by=_person(actor),
        updated_by=_person(actor),
        **values,
    )
    history_record(
        ctg=ctg,
        actor=actor,
        action="enjeu",
        summary=f"Enjeu ajouté : « {enjeu.title} »",
        changes={"intitulé": ["", enjeu.title]},
        item=enjeu,
    )
    return enjeu


def _update(instance, *, actor, values: dict, editable: dict, display=_display) -> dict:
    """Applies the values that differ; returns {label: [before, after]}."""
    unknown = set(values) - set(editable)
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    changes = {}
    for name, value in values.items():
        before = getattr(instance, name)
        if not same_value(before, value):
            changes[editable[name]] = [display(name, before), display(name, value)]
            setattr(instance, name, value)
    if changes:
        instance.updated_by = _person(actor)
        instance.save()
    return changes


@transaction.atomic
def enjeu_update(*, enjeu: Enjeu, actor, **values) -> Enjeu:
    unknown = set(values) - set(ENJEU_FIELDS)
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    values = _clean_enjeu(values)
    current = Enjeu.objects.select_for_update().get(pk=enjeu.pk)
    changes = _update(current, actor=actor, values=values, editable=ENJEU_FIELDS, display=_enjeu_display)
    if changes:
        history_record(
            ctg=current.ctg,
            actor=actor,
            action="enjeu",
            summary=f"Enjeu modifié : « {current.title} » ({', '.join(changes)})",
            changes=changes,
            item=current,
        )
    return current


def _orphan_fiches(objectives: QuerySet) -> list[FicheAction]:
    """Fiches that would have no objective left if these objectives were deleted."""
    doomed = set(objectives.values_list("pk", flat=True))
    orphans = []
    for fiche in FicheAction.objects.filter(objectives__in=doomed).distinct().prefetch_related("objectives"):
        if {o.pk for o in fiche.objectives.all()} <= doomed:
            orphans.append(fiche)
    return orphans


def _refuse_orphans(objectives: QuerySet, what: str) -> None:
    orphans = _orphan_fiches(objectives)
    if orphans:
        titles = ", ".join(f"« {f.title} »" for f in orphans[:5])
        more = f" et {len(orphans) - 5} autre(s)" if len(orphans) > 5 else ""
        raise ValidationError(
            f"Impossible de supprimer {what} : les fiches action {titles}{more} n'ont pas d'autre objectif. "
            "Rattachez-les à un autre objectif opérationnel ou supprimez-les d'abord."
        )


@transaction.atomic
def enjeu_delete(*, enjeu: Enjeu, actor) -> None:
    ctg = enjeu.ctg
    _refuse_orphans(OperationalObjective.objects.filter(strategic__enjeu=enjeu), "cet enjeu")
    title, pk = enjeu.title, enjeu.pk
    enjeu.delete()
    enjeu.pk = pk
    _renumber(Enjeu.objects.filter(ctg=ctg))
    _renumber_fiches(ctg)
    history_record(
        ctg=ctg,
        actor=actor,
        action="enjeu",
        summary=f"Enjeu supprimé : « {title} »",
        changes={"intitulé": [title, ""]},
        item=enjeu,
    )


@transaction.atomic
def enjeu_move(*, enjeu: Enjeu, actor, direction: str) -> Enjeu:
    before = enjeu.position
    if _move(enjeu, Enjeu.objects.select_for_update().filter(ctg=enjeu.ctg), direction):
        _renumber_fiches(enjeu.ctg)
        history_record(
            ctg=enjeu.ctg,
            actor=actor,
            action="enjeu",
            summary=f"Enjeu déplacé {DIRECTION_LABELS[direction]} : « {enjeu.title} »",
            changes={"ordre": [before + 1, enjeu.position + 1]},
            item=enjeu,
        )
    return enjeu


# --- objectives ----------------------------------------------------------------------------------------


OBJECTIVE_FIELDS = {"title": "intitulé", "description": "description"}


def _clean_objective(values: dict) -> dict:
    if "title" in values:
        values["title"] = _text(
            values["title"], field="title", label="L'intitulé", required=True, max_length=300
        )
    if "description" in values:
        values["description"] = _text(values["description"], field="description", label="La description")
    return values


def _objective_update(model, instance, ctg, actor, values, label):
    unknown = set(values) - set(OBJECTIVE_FIELDS)
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    values = _clean_objective(values)
    current = model.objects.select_for_update().get(pk=instance.pk)
    changes = _update(current, actor=actor, values=values, editable=OBJECTIVE_FIELDS, display=_enjeu_display)
    if changes:
        history_record(
            ctg=ctg,
            actor=actor,
            action="objectif",
            summary=f"{label} modifié : « {current.title} » ({', '.join(changes)})",
            changes=changes,
            item=current,
        )
    return current


@transaction.atomic
def strategic_objective_create(
    *, enjeu: Enjeu, actor, title: str, description: str = ""
) -> StrategicObjective:
    values = _clean_objective({"title": title, "description": description})
    Enjeu.objects.select_for_update().filter(pk=enjeu.pk).first()
    objective = StrategicObjective.objects.create(
        enjeu=enjeu,
        position=_next_position(StrategicObjective.objects.filter(enjeu=enjeu)),
        created_by=_person(actor),
        updated_by=_person(actor),
        **values,
    )
    history_record(
        ctg=enjeu.ctg,
        actor=actor,
        action="objectif",
        summary=f"Objectif stratégique ajouté à « {enjeu.title} » : « {objective.title} »",
        changes={"intitulé": ["", objective.title]},
        item=objective,
    )
    return objective


@transaction.atomic
def strategic_objective_update(*, objective: StrategicObjective, actor, **values) -> StrategicObjective:
    return _objective_update(
        StrategicObjective, objective, objective.enjeu.ctg, actor, values, "Objectif stratégique"
    )


@transaction.atomic
def strategic_objective_delete(*, objective: StrategicObjective, actor) -> None:
    enjeu = objective.enjeu
    _refuse_orphans(OperationalObjective.objects.filter(strategic=objective), "cet objectif stratégique")
    title, pk = objective.title, objective.pk
    objective.delete()
    objective.pk = pk
    _renumber(StrategicObjective.objects.filter(enjeu=enjeu))
    _renumber_fiches(enjeu.ctg)
    history_record(
        ctg=enjeu.ctg,
        actor=actor,
        action="objectif",
        summary=f"Objectif stratégique supprimé : « {title} »",
        changes={"intitulé": [title, ""]},
        item=objective,
    )


@transaction.atomic
def strategic_objective_move(*, objective: StrategicObjective, actor, direction: str) -> StrategicObjective:
    before = objective.position
    siblings = StrategicObjective.objects.select_for_update().filter(enjeu=objective.enjeu_id)
    if _move(objective, siblings, direction):
        ctg = objective.enjeu.ctg
        _renumber_fiches(ctg)
        history_record(
            ctg=ctg,
            actor=actor,
            action="objectif",
            summary=f"Objectif stratégique déplacé {DIRECTION_LABELS[direction]} : « {objective.title} »",
            changes={"ordre": [before + 1, objective.position + 1]},
            item=objective,
        )
    return objective


@transaction.atomic
def operational_objective_create(
    *, strategic: StrategicObjective, actor, title: str, description: str = ""
) -> OperationalObjective:
    values = _clean_objective({"title": title, "description": description})
    StrategicObjective.objects.select_for_update().filter(pk=strategic.pk).first()
    objective = OperationalObjective.objects.create(
        strategic=strategic,
        position=_next_position(OperationalObjective.objects.filter(strategic=strategic)),
        created_by=_person(actor),
        updated_by=_person(actor),
        **values,
    )
    history_record(
        ctg=strategic.enjeu.ctg,
        actor=actor,
        action="objectif",
        summary=f"Objectif opérationnel ajouté à « {strategic.title} » : « {objective.title} »",
        changes={"intitulé": ["", objective.title]},
        item=objective,
    )
    return objective


@transaction.atomic
def operational_objective_update(*, objective: OperationalObjective, actor, **values) -> OperationalObjective:
    return _objective_update(
        OperationalObjective, objective, objective.strategic.enjeu.ctg, actor, values, "Objectif opérationnel"
    )


@transaction.atomic
def operational_objective_delete(*, objective: OperationalObjective, actor) -> None:
    strategic = objective.strategic
    ctg = strategic.enjeu.ctg
    _refuse_orphans(OperationalObjective.objects.filter(pk=objective.pk), "cet objectif opérationnel")
    title, pk = objective.title, objective.pk
    objective.delete()
    objective.pk = pk
    _renumber(OperationalObjective.objects.filter(strategic=strategic))
    _renumber_fiches(ctg)
    history_record(
        ctg=ctg,
        actor=actor,
        action="objectif",
        summary=f"Objectif opérationnel supprimé : « {title} »",
        changes={"intitulé": [title, ""]},
        item=objective,
    )


@transaction.atomic
def operational_objective_move(
    *, objective: OperationalObjective, actor, direction: str
) -> OperationalObjective:
    before = objective.position
    siblings = OperationalObjective.objects.select_for_update().filter(strategic=objective.strategic_id)
    if _move(objective, siblings, direction):
        ctg = objective.strategic.enjeu.ctg
        _renumber_fiches(ctg)
        history_record(
            ctg=ctg,
            actor=actor,
            action="objectif",
            summary=f"Objectif opérationnel déplacé {DIRECTION_LABELS[direction]} : « {objective.title} »",
            changes={"ordre": [before + 1, objective.position + 1]},
            item=objective,
        )
    return objective


# --- fiches action -------------------------------------------------------------------------------------


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


def _clean_fiche(ctg: Ctg, values: dict) -> dict:
    """Validates a complete set of fiche values (the stored ones merged with the changed ones): the rules of
    `rules.fiche_problems`, then what the values refer to (objectives of this dossier, communes of its
    territory, organisations). Raises a `ValidationError` naming every field in error."""
    values["title"] = clean_text(values.get("title") or "", multiline=True).strip()
    for name in (*FICHE_TEXTS, "pilot_person"):
        values[name] = clean_text(values.get(name) or "", multiline=True).strip()
    values["fields"] = list(dict.fromkeys(values.get("fields") or []))
    values["objectives"] = list(dict.fromkeys(values.get("objectives") or []))
    values["all_communes"] = bool(values.get("all_communes"))
    values["communes"] = [] if values["all_communes"] else list(dict.fromkeys(values.get("communes") or []))
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
        action="fiche",
        summary=f"Fiche action créée : « {fiche.title} »",
        changes={"intitulé": ["", fiche.title], "version": [None, 1]},
        item=fiche,
    )
    return fiche


def _person_name(user) -> str:
    if user is None:
        return "une personne (compte supprimé)"
    return user.get_full_name() or user.email


def _quoted(value) -> str:
    return f"« {value} »" if value not in (None, "") else "vide"


def conflict_message(fiche_pk: int, expected_version: int) -> str:
    """What changed on the fiche since `expected_version`, who changed it and when, in French."""
    entries = [
        e
        for e in HistoryEntry.objects.filter(item_type=item_type(FicheAction()), item_id=fiche_pk)
        .select_related("actor")
        .order_by("at", "id")
        if isinstance(e.changes.get("version"), list)
        and e.changes["version"][0] is not None
        and e.changes["version"][0] >= expected_version
    ]
    reload = "Vos modifications n'ont pas été enregistrées ; rechargez la fiche."
    if not FicheAction.objects.filter(pk=fiche_pk).exists():
        return f"Cette fiche a été supprimée pendant que vous la modifiiez. {reload}"
    if not entries:
        return f"Cette fiche a été modifiée par une autre personne pendant que vous la modifiiez. {reload}"
    changed: dict[str, list] = {}
    for entry in entries:
        for label, pair in entry.changes.items():
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
    merged = _clean_fiche(ctg, {**stored, **values})
    changes = {}
    for name, label in FICHE_FIELDS.items():
        before, after = stored[name], merged[name]
        same = (
            {o.pk for o in before} == {o.pk for o in after}
            if name in FICHE_M2M
            else same_value(before, after)
        )
        if not same:
            changes[label] = [_fiche_display(name, before), _fiche_display(name, after)]
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
    if FICHE_FIELDS["objectives"] in changes:
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
    labels = ", ".join(changes)
    changes["version"] = [expected_version, current.version]
    history_record(
        ctg=ctg,
        actor=actor,
        action="fiche",
        summary=f"Fiche action modifiée : « {current.title} » ({labels})",
        changes=changes,
        item=current,
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
        action="fiche",
        summary=f"Fiche action supprimée : « {title} »",
        changes={"intitulé": [title, ""]},
        item=fiche,
    )


@transaction.atomic
def fiche_move(*, fiche: FicheAction, actor, direction: str) -> FicheAction:
    """Moves the fiche among the fiches that share its first objective."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Sens de déplacement inconnu (« up » ou « down »)."})
    ctg = fiche.ctg
    Ctg.objects.select_for_update().filter(pk=ctg.pk).first()
    order = objectives_in_plan_order(ctg)
    primary = _primary_of(fiche.objectives.values_list("pk", flat=True), order)
    group = _fiche_group(ctg, primary, order)
    _renumber_group(group)
    index = next(i for i, f in enumerate(group) if f.pk == fiche.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(group):
        return fiche
    FicheAction.objects.filter(pk=group[index].pk).update(position=other)
    FicheAction.objects.filter(pk=group[other].pk).update(position=index)
    fiche.position = other
    history_record(
        ctg=ctg,
        actor=actor,
        action="fiche",
        summary=f"Fiche action déplacée {DIRECTION_LABELS[direction]} : « {fiche.title} »",
        changes={"ordre": [index + 1, other + 1]},
        item=fiche,
    )
    return fiche


# --- calendar and budget -------------------------------------------------------------------------------


def _steps_text(steps) -> str:
    return " ; ".join(f"{year} : {description}" for year, description in steps)


@transaction.atomic
def fiche_steps_set(*, fiche: FicheAction, actor, steps: Iterable[tuple[int, str]]) -> list[FicheStep]:
    """Replaces the yearly steps of the fiche's calendar."""
    ctg = fiche.ctg
    cleaned = []
    period = rules.Period.of(ctg)
    for year, description in steps or []:
        description = clean_text(description or "", multiline=True).strip()
        problems = rules.step_problems(year, description, period)
        if problems:
            raise ValidationError(rules.as_errors(problems))
        cleaned.append((int(year), description))
    cleaned.sort(key=lambda step: step[0])
    before = [(s.year, s.description) for s in fiche.steps.order_by("year", "id")]
    if before == cleaned:
        return list(fiche.steps.order_by("year", "id"))
    fiche.steps.all().delete()
    created = [
        FicheStep.objects.create(
            fiche=fiche, year=year, description=text, created_by=_person(actor), updated_by=_person(actor)
        )
        for year, text in cleaned
    ]
    history_record(
        ctg=ctg,
        actor=actor,
        action="calendrier",
        summary=f"Calendrier modifié : « {fiche.title} »",
        changes={"étapes": [_steps_text(before), _steps_text(cleaned)]},
        item=fiche,
    )
    return created


@transaction.atomic
def budget_set(*, fiche: FicheAction, actor, year: int, funder: str, planned, spent) -> BudgetLine:
    """Creates or updates the budget line of one funder and one year (amounts in euros, ≥ 0)."""
    year = _check_year_in_period(fiche.ctg, year)
    funder = _check_choice(funder, Funder, field="funder", label="Financeur")
    planned = _amount(planned, field="planned", label="Le montant prévu")
    spent = _amount(spent, field="spent", label="Le montant réalisé")
    line = BudgetLine.objects.select_for_update().filter(fiche=fiche, year=year, funder=funder).first()
    label = f"budget {year} {Funder(funder).label}"
    if line is None:
        line = BudgetLine.objects.create(
            fiche=fiche,
            year=year,
            funder=funder,
            planned=planned,
            spent=spent,
            created_by=_person(actor),
            updated_by=_person(actor),
        )
        changes = {f"{label} prévu": ["", _display(planned)], f"{label} réalisé": ["", _display(spent)]}
    else:
        changes = {}
        if line.planned != planned:
            changes[f"{label} prévu"] = [_display(line.planned), _display(planned)]
        if line.spent != spent:
            changes[f"{label} réalisé"] = [_display(line.spent), _display(spent)]
        if not changes:
            return line
        line.planned, line.spent, line.updated_by = planned, spent, _person(actor)
        line.save()
    history_record(
        ctg=fiche.ctg,
        actor=actor,
        action="budget",
        summary=f"Budget de « {fiche.title} » : {Funder(funder).label} {year}",
        changes=changes,
        item=fiche,
    )
    return line


@transaction.atomic
def budget_delete(*, line: BudgetLine, actor) -> None:
    fiche = line.fiche
    label = f"budget {line.year} {line.get_funder_display()}"
    changes = {
        f"{label} prévu": [_display(line.planned), ""],
        f"{label} réalisé": [_display(line.spent), ""],
    }
    line.delete()
    history_record(
        ctg=fiche.ctg,
        actor=actor,
        action="budget",
        summary=f"Ligne de budget supprimée de « {fiche.title} » : {label}",
        changes=changes,
        item=fiche,
    )


# --- indicators ----------------------------------------------------------------------------------------


INDICATOR_FIELDS = {
    "label": "intitulé",
    "unit": "unité",
    "direction": "sens souhaité",
    "nature": "nature",
    "baseline_value": "valeur de référence",
    "baseline_year": "année de référence",
    "portrait_indicator": "indicateur du portrait",
    "territory_code": "territoire",
}


def _clean_indicator(values: dict) -> dict:
    if "label" in values:
        values["label"] = _text(
            values["label"], field="label", label="L'intitulé", required=True, max_length=300
        )
    if "unit" in values:
        values["unit"] = _text(values["unit"], field="unit", label="L'unité", max_length=60)
    if "direction" in values:
        values["direction"] = _check_choice(
            values["direction"], PlanIndicator.Direction, field="direction", label="Sens souhaité"
        )
    if "nature" in values:
        values["nature"] = _check_choice(
            values["nature"], PlanIndicator.Nature, field="nature", label="Nature"
        )
    if values.get("baseline_value") not in (None, ""):
        values["baseline_value"] = _number(
            values["baseline_value"], field="baseline_value", label="La valeur de référence"
        )
    elif "baseline_value" in values:
        values["baseline_value"] = None
    if values.get("baseline_year") not in (None, ""):
        try:
            year = int(values["baseline_year"])
        except (TypeError, ValueError):
            raise ValidationError({"baseline_year": "L'année de référence doit être un nombre."}) from None
        if not 1900 <= year <= 2100:
            raise ValidationError(
                {"baseline_year": "L'année de référence doit être comprise entre 1900 et 2100."}
            )
        values["baseline_year"] = year
    elif "baseline_year" in values:
        values["baseline_year"] = None
    if "portrait_indicator" in values:
        code = (values["portrait_indicator"] or "").strip()
        if code and code not in BY_ID:
            raise ValidationError({"portrait_indicator": f"Indicateur du portrait inconnu : « {code} »."})
        if code and BY_ID[code].kind == Kind.DERIVED:
            raise ValidationError(
                {
                    "portrait_indicator": "Cet indicateur du portrait est le rapport de deux autres : "
                    "choisissez l'un de ceux-ci."
                }
            )
        values["portrait_indicator"] = code
    if "territory_code" in values:
        code = (values["territory_code"] or "").strip().upper()
        if code:
            try:
                code = resolve_territory(code).code
            except TerritoryNotFound as error:
                raise ValidationError({"territory_code": str(error)}) from None
        values["territory_code"] = code
    return values


def _indicator_display(name, value) -> str:
    if name == "direction":
        return PlanIndicator.Direction(value).label
    if name == "nature":
        return PlanIndicator.Nature(value).label
    if name == "portrait_indicator":
        return BY_ID[value].label if value in BY_ID else _display(value)
    return _display(value)


@transaction.atomic
def indicator_create(
    *,
    fiche: FicheAction,
    actor,
    label: str,
    unit: str = "",
    direction: str = PlanIndicator.Direction.UP,
    nature: str = PlanIndicator.Nature.RESULT,
    baseline_value=None,
    baseline_year: int | None = None,
    portrait_indicator: str = "",
    territory_code: str = "",
) -> PlanIndicator:
    values = _clean_indicator(
        {
            "label": label,
            "unit": unit,
            "direction": direction,
            "nature": nature,
            "baseline_value": baseline_value,
            "baseline_year": baseline_year,
            "portrait_indicator": portrait_indicator,
            "territory_code": territory_code,
        }
    )
    if values["portrait_indicator"] and not values["unit"]:
        values["unit"] = BY_ID[values["portrait_indicator"]].unit
    indicator = PlanIndicator.objects.create(
        fiche=fiche,
        position=_next_position(PlanIndicator.objects.filter(fiche=fiche)),
        created_by=_person(actor),
        updated_by=_person(actor),
        **values,
    )
    history_record(
        ctg=fiche.ctg,
        actor=actor,
        action="indicateur",
        summary=f"Indicateur ajouté à « {fiche.title} » : « {indicator.label} »",
        changes={"indicateur": ["", indicator.label]},
        item=fiche,
    )
    return indicator


@transaction.atomic
def indicator_update(*, indicator: PlanIndicator, actor, **values) -> PlanIndicator:
    unknown = set(values) - set(INDICATOR_FIELDS)
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    values = _clean_indicator(values)
    current = PlanIndicator.objects.select_for_update().get(pk=indicator.pk)
    changes = _update(
        current, actor=actor, values=values, editable=INDICATOR_FIELDS, display=_indicator_display
    )
    if changes:
        fiche = current.fiche
        history_record(
            ctg=fiche.ctg,
            actor=actor,
            action="indicateur",
            summary=f"Indicateur modifié sur « {fiche.title} » : « {current.label} » ({', '.join(changes)})",
            changes={f"{current.label} — {k}": v for k, v in changes.items()},
            item=fiche,
        )
    return current


@transaction.atomic
def indicator_delete(*, indicator: PlanIndicator, actor) -> None:
    fiche = indicator.fiche
    label = indicator.label
    indicator.delete()
    _renumber(PlanIndicator.objects.filter(fiche=fiche))
    history_record(
        ctg=fiche.ctg,
        actor=actor,
        action="indicateur",
        summary=f"Indicateur supprimé de « {fiche.title} » : « {label} »",
        changes={"indicateur": [label, ""]},
        item=fiche,
    )


@transaction.atomic
def indicator_value_set(
    *, indicator: PlanIndicator, actor, year: int, kind: str, value
) -> IndicatorValue | None:
    """Types a target or a realised value for a year of the CTG; an empty value removes the typed value.
    Realised values that come from the open data are read-only: they follow the imported statistics."""
    fiche = indicator.fiche
    year = _check_year_in_period(fiche.ctg, year)
    kind = _check_choice(kind, IndicatorValue.Kind, field="kind", label="Type de valeur")
    number = None if value in (None, "") else _number(value, field="value", label="La valeur")
    existing = (
        IndicatorValue.objects.select_for_update().filter(indicator=indicator, year=year, kind=kind).first()
    )
    if existing is not None and existing.origin == IndicatorValue.Origin.OPEN_DATA:
        raise ValidationError(
            {
                "value": f"La valeur réalisée {year} vient des données ouvertes ({existing.source}) : "
                "elle ne peut pas être saisie à la main ; elle se met à jour à chaque import."
            }
        )
    label = f"{indicator.label} — {IndicatorValue.Kind(kind).label.lower()} {year}"
    if number is None:
        if existing is None:
            return None
        before = _display(existing.value)
        existing.delete()
        history_record(
            ctg=fiche.ctg,
            actor=actor,
            action="indicateur",
            summary=f"Valeur retirée sur « {fiche.title} » : {label}",
            changes={label: [before, ""]},
            item=fiche,
        )
        return None
    if existing is None:
        before = ""
        existing = IndicatorValue.objects.create(
            indicator=indicator,
            year=year,
            kind=kind,
            value=number,
            origin=IndicatorValue.Origin.TYPED,
            created_by=_person(actor),
            updated_by=_person(actor),
        )
    else:
        if existing.value == number:
            return existing
        before = _display(existing.value)
        existing.value, existing.updated_by = number, _person(actor)
        existing.save()
    history_record(
        ctg=fiche.ctg,
        actor=actor,
        action="indicateur",
        summary=f"Valeur saisie sur « {fiche.title} » : {label} = {_display(number)}",
        changes={label: [before, _display(number)]},
        item=fiche,
    )
    return existing


def _open_data_values(indicator: PlanIndicator) -> tuple[dict[int, tuple[Decimal, str]], set[int]]:
    """Year → (value, source) for every loaded vintage where the portrait has a figure (ok or partial);
    secret and unavailable figures are left out. Second item: the years of every vintage read."""
    ind = BY_ID[indicator.portrait_indicator]
    try:
        if indicator.territory_code:
            territory = resolve_territory(indicator.territory_code)
        else:
            territory = territory_of_ctg(indicator.fiche.ctg)
    except TerritoryNotFound:
        return {}, set()
    engine.refresh()
    dataset, years = ind.dataset, engine.available_vintages(ind.dataset)
    if not years and ind.fallback and engine.available_vintages(ind.fallback[0]):
        dataset = ind.fallback[0]
        years = engine.available_vintages(dataset)
        ind = replace(ind, dataset=dataset, numerator=ind.fallback[1])
    found: dict[int, tuple[Decimal, str]] = {}
    read: set[int] = set()
    for year in years:
        value = engine.aggregate_territory(dataset, year, [ind], territory.communes).get(ind.id)
        vintage = (value.year if value is not None else None) or year
        read.add(vintage)
        if value is None or value.value is None or value.status not in (OK, PARTIEL):
            continue
        declared = BY_ID[ind.id]
        if dataset != declared.dataset and declared.fallback_keeps_source:
            source = source_label(declared, vintage)
        else:
            source = source_label(ind, vintage, dataset)
        found[vintage] = (Decimal(str(round(value.value, 4))), source)
    return found, read


@transaction.atomic
def indicator_refresh_open_data(*, indicator: PlanIndicator, actor=None) -> dict:
    """Fills the baseline (when empty: the oldest loaded vintage that has a figure) and the realised values
    (one per loaded vintage, origin open data, with the source) of an indicator linked to the portrait.
    Values typed by hand for the same year are kept; an open-data value whose vintage, read again, no longer
    gives a figure (now secret or unavailable) is removed; those of vintages no longer in the store are kept.
    Returns {label: [before, after]} of what changed."""
    if not indicator.portrait_indicator or indicator.portrait_indicator not in BY_ID:
        return {}
    indicator = PlanIndicator.objects.select_for_update().select_related("fiche__ctg").get(pk=indicator.pk)
    found, read = _open_data_values(indicator)
    changes: dict[str, list] = {}
    if indicator.baseline_value is None and found:
        year = min(found)
        indicator.baseline_value, indicator.baseline_year = found[year][0], year
        indicator.save(update_fields=["baseline_value", "baseline_year", "updated_at"])
        changes[f"{indicator.label} — valeur de référence"] = ["", f"{_display(found[year][0])} ({year})"]
    existing = {v.year: v for v in indicator.values.filter(kind=IndicatorValue.Kind.REALISED)}
    for year, (number, source) in sorted(found.items()):
        current = existing.get(year)
        label = f"{indicator.label} — réalisé {year}"
        if current is None:
            IndicatorValue.objects.create(
                indicator=indicator,
                year=year,
                kind=IndicatorValue.Kind.REALISED,
                value=number,
                origin=IndicatorValue.Origin.OPEN_DATA,
                source=source,
            )
            changes[label] = ["", _display(number)]
        elif current.origin == IndicatorValue.Origin.OPEN_DATA and (current.value, current.source) != (
            number,
            source,
        ):
            changes[label] = [_display(current.value), _display(number)]
            current.value, current.source = number, source
            current.save(update_fields=["value", "source", "updated_at"])
    for year, current in existing.items():
        if year in read and year not in found and current.origin == IndicatorValue.Origin.OPEN_DATA:
            changes[f"{indicator.label} — réalisé {year}"] = [_display(current.value), ""]
            current.delete()
    if changes:
        fiche = indicator.fiche
        history_record(
            ctg=fiche.ctg,
            actor=actor,
            action="indicateur",
            summary=f"Données ouvertes mises à jour sur « {fiche.title} » : « {indicator.label} »",
            changes=changes,
            item=fiche,
        )
    return changes


def plan_refresh_open_data(*, ctg: Ctg, actor=None) -> int:
    """Refreshes every indicator of the plan linked to the portrait; returns how many changed."""
    changed = 0
    indicators = PlanIndicator.objects.filter(fiche__ctg=ctg).exclude(portrait_indicator="")
    for indicator in indicators.order_by("fiche_id", "position", "id"):
        if indicator_refresh_open_data(indicator=indicator, actor=actor):
            changed += 1
    return changed


# --- attachments ---------------------------------------------------------------------------------------

ATTACHMENT_EXTENSIONS = {
    ".pdf",
    ".odt",
    ".ods",
    ".odp",
    ".docx",
    ".xlsx",
    ".pptx",
    ".csv",
    ".txt",
    ".png",
    ".jpg",
    ".jpeg",
}
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


@transaction.atomic
def attachment_add(*, fiche: FicheAction, actor, file, title: str = "") -> Attachment:
    """A document attached to a fiche (convention of a partner, photo, report…)."""
    name = file_name(file)
    check_upload(file, field="file", allowed=ATTACHMENT_EXTENSIONS, max_bytes=ATTACHMENT_MAX_BYTES)
    title = _text(title, field="title", label="L'intitulé", max_length=250) or name
    attachment = Attachment.objects.create(
        fiche=fiche, file=file, title=title, created_by=_person(actor), updated_by=_person(actor)
    )
    history_record(
        ctg=fiche.ctg,
        actor=actor,
        action="piece_jointe",
        summary=f"Pièce jointe ajoutée à « {fiche.title} » : {title}",
        changes={"pièce jointe": ["", title]},
        item=fiche,
    )
    return attachment


# --- comments and bilans -------------------------------------------------------------------------------


@transaction.atomic
def comment_add(*, fiche: FicheAction, actor, text: str) -> Comment:
    """A comment on a fiche (partners and référents may comment: `Op.CONTRIBUTE`, checked by the view)."""
    text = _text(text, field="text", label="Le commentaire", required=True, max_length=5000)
    comment = Comment.objects.create(
        fiche=fiche, text=text, created_by=_person(actor), updated_by=_person(actor)
    )
    history_record(
        ctg=fiche.ctg,
        actor=actor,
        action="commentaire",
        summary=f"Commentaire sur « {fiche.title} » : {text[:200]}",
        changes={"commentaire": ["", text]},
        item=fiche,
    )
    return comment


@transaction.atomic
def bilan_create(*, ctg: Ctg, actor, year: int, highlights: str = "") -> BilanAnnuel:
    year = _check_year_in_period(ctg, year)
    if BilanAnnuel.objects.filter(ctg=ctg, year=year).exists():
        raise ValidationError({"year": f"Le bilan {year} existe déjà."})
    bilan = BilanAnnuel.objects.create(
        ctg=ctg,
        year=year,
        highlights=_text(highlights, field="highlights", label="Les faits marquants"),
        created_by=_person(actor),
        updated_by=_person(actor),
    )
    history_record(
        ctg=ctg,
        actor=actor,
        action="bilan",
        summary=f"Bilan {year} ouvert",
        changes={"bilan": ["", str(year)]},
        item=bilan,
    )
    return bilan


@transaction.atomic
def bilan_set_highlights(*, bilan: BilanAnnuel, actor, highlights: str) -> BilanAnnuel:
    current = BilanAnnuel.objects.select_for_update().get(pk=bilan.pk)
    if current.status == BilanAnnuel.Status.VALIDATED:
        raise ValidationError(f"Le bilan {current.year} est validé : ses faits marquants ne changent plus.")
    highlights = _text(highlights, field="highlights", label="Les faits marquants")
    if highlights == current.highlights:
        return current
    before = current.highlights
    current.highlights, current.updated_by = highlights, _person(actor)
    current.save()
    history_record(
        ctg=current.ctg,
        actor=actor,
        action="bilan",
        summary=f"Bilan {current.year} : faits marquants modifiés",
        changes={"faits marquants": [before, highlights]},
        item=current,
    )
    bilan.highlights = highlights
    return current


@transaction.atomic
def bilan_validate(*, bilan: BilanAnnuel, actor) -> BilanAnnuel:
    current = (
        BilanAnnuel.objects.select_for_update(of=("self",)).select_related("validated_by").get(pk=bilan.pk)
    )
    if current.status == BilanAnnuel.Status.VALIDATED:
        when = timezone.localtime(current.validated_at)
        raise ValidationError(
            f"Le bilan {current.year} a déjà été validé par {_person_name(current.validated_by)} "
            f"le {when:%d/%m/%Y}."
        )
    current.status = BilanAnnuel.Status.VALIDATED
    current.validated_at = timezone.now()
    current.validated_by = _person(actor)
    current.updated_by = _person(actor)
    current.save()
    history_record(
        ctg=current.ctg,
        actor=actor,
        action="bilan",
        summary=f"Bilan {current.year} validé",
        changes={"statut": [BilanAnnuel.Status.DRAFT.label, BilanAnnuel.Status.VALIDATED.label]},
        item=current,
    )
    bilan.status, bilan.validated_at, bilan.validated_by = (
        current.status,
        current.validated_at,
        current.validated_by,
    )
    return current


# --- import of a whole plan ----------------------------------------------------------------------------


def _chunks(items: list, size: int = 500):
    """`items` in slices of `size` (an IN list stays under the databases' parameter limits)."""
    for index in range(0, len(items), size):
        yield items[index : index + size]


def _import_tree(ctg: Ctg, enjeux: list[dict], tracked: dict) -> dict:
    """The enjeux, then their strategic objectives, then the operational ones, each in one insert; returns the
    operational objectives by their key."""
    enjeu_objects = Enjeu.objects.bulk_create(
        [
            Enjeu(ctg=ctg, position=position, **{k: v for k, v in e.items() if k != "objectives"}, **tracked)
            for position, e in enumerate(enjeux, start=1)
        ]
    )
    strategic_items = []  # (strategic object, its operational values in order)
    for enjeu, e in zip(enjeu_objects, enjeux, strict=True):
        for position, s in enumerate(e["objectives"], start=1):
            strategic = StrategicObjective(
                enjeu=enjeu, title=s["title"], description=s["description"], position=position, **tracked
            )
            strategic_items.append((strategic, s["operational"]))
    StrategicObjective.objects.bulk_create([strategic for strategic, _ in strategic_items])
    objectives = {}
    for strategic, operational in strategic_items:
        for position, o in enumerate(operational, start=1):
            objectives[o["key"]] = OperationalObjective(
                strategic=strategic,
                title=o["title"],
                description=o["description"],
                position=position,
                **tracked,
            )
    OperationalObjective.objects.bulk_create(list(objectives.values()))
    return objectives


def _import_organisations(fiches: list[dict]) -> dict[str, Organisation]:
    """Organisations by exact name: the oldest one of that name, else created (in the order of the fiches)."""
    names = list(
        dict.fromkeys(
            name
            for f in fiches
            for name in ([f["pilot_organisation"]] if f["pilot_organisation"] else []) + f["partners"]
        )
    )
    organisations: dict[str, Organisation] = {}
    for chunk in _chunks(names):
        for found in Organisation.objects.filter(name__in=chunk).order_by("-pk"):
            organisations[found.name] = found  # the last one written is the oldest
    missing = [
        Organisation(name=name, kind=Organisation.Kind.AUTRE) for name in names if name not in organisations
    ]
    for created in Organisation.objects.bulk_create(missing):
        organisations[created.name] = created
    return organisations


def _import_fiche_details(fiches, values: list[dict], objectives, communes, organisations, tracked) -> None:
    """The fiches' links, calendar, budget and indicators: one insert per table for the whole plan."""
    objective_links, commune_links, partner_links = [], [], []
    steps, budget, indicators, indicator_values = [], [], [], []
    for fiche, f in zip(fiches, values, strict=True):
        objective_links += [
            FicheAction.objectives.through(ficheaction_id=fiche.pk, operationalobjective_id=pk)
            for pk in dict.fromkeys(objectives[key].pk for key in f["objectives"])
        ]
        commune_links += [
            FicheAction.communes.through(ficheaction_id=fiche.pk, commune_id=pk)
            for pk in dict.fromkeys(communes[code].pk for code in f["communes"])
        ]
        partner_links += [
            FicheAction.partners.through(ficheaction_id=fiche.pk, organisation_id=pk)
            for pk in dict.fromkeys(organisations[name].pk for name in f["partners"])
        ]
        steps += [
            FicheStep(fiche=fiche, year=s["year"], description=s["description"], **tracked)
            for s in f["steps"]
        ]
        budget += [BudgetLine(fiche=fiche, **line, **tracked) for line in f["budget"]]
        for position, i in enumerate(f["indicators"], start=1):
            fields = {name: value for name, value in i.items() if name != "values"}
            indicator = PlanIndicator(fiche=fiche, position=position, **fields, **tracked)
            indicators.append(indicator)
            indicator_values.append((indicator, i["values"]))
    FicheAction.objectives.through.objects.bulk_create(objective_links)
    FicheAction.communes.through.objects.bulk_create(commune_links)
    FicheAction.partners.through.objects.bulk_create(partner_links)
    FicheStep.objects.bulk_create(steps)
    BudgetLine.objects.bulk_create(budget)
    PlanIndicator.objects.bulk_create(indicators)
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(indicator=indicator, **value, **tracked)
            for indicator, values in indicator_values
            for value in values
        ]
    )


IMPORTED_FICHE_FIELDS = (
    "title",
    "fields",
    "context",
    "description",
    "target_public",
    "all_communes",
    "pilot_person",
    "start_date",
    "end_date",
    "status",
    "priority",
    "notes",
)


@transaction.atomic
def plan_import_create(*, ctg: Ctg, actor, enjeux: list[dict], fiches: list[dict]) -> tuple[int, int]:
    """Writes a whole checked plan into the empty plan of `ctg`, in bulk (one insert per table, in batches,
    whatever the number of fiches), and records the import in the dossier's history; returns (enjeux, fiches).

    `enjeux`: in order, each with its "objectives" (strategic, in order) and theirs "operational" (in order,
    each with a "key"); `fiches`: each with its "position", the keys of its "objectives", the INSEE codes of
    its "communes", the names of its "pilot_organisation" and "partners", its "steps", "budget" lines and
    "indicators" (with their "values"). Every fiche must pass `rules.fiche_problems` and its steps, budget
    lines and typed values be of years of the CTG (the import checks them first, sheet by sheet)."""
    period = rules.Period.of(ctg)
    for f in fiches:
        problems = rules.fiche_problems(f, period)
        years = [s["year"] for s in f["steps"]] + [line["year"] for line in f["budget"]]
        years += [
            v["year"]
            for i in f["indicators"]
            for v in i["values"]
            if v["origin"] == IndicatorValue.Origin.TYPED
        ]
        problems += [p for year in years if (p := rules.year_problem(year, period)) is not None]
        if problems:
            raise ValidationError([f"« {f['title']} » : {p.message}" for p in problems])
    user = _person(actor)
    tracked = {"created_by": user, "updated_by": user}
    objectives = _import_tree(ctg, enjeux, tracked)
    organisations = _import_organisations(fiches)
    objects = [
        FicheAction(
            ctg=ctg,
            position=f["position"],
            pilot_organisation=organisations[f["pilot_organisation"]] if f["pilot_organisation"] else None,
            **{name: f[name] for name in IMPORTED_FICHE_FIELDS},
            **tracked,
        )
        for f in fiches
    ]
    FicheAction.objects.bulk_create(objects)
    communes = {c.code: c for c in ctg.communes.all()}
    _import_fiche_details(objects, fiches, objectives, communes, organisations, tracked)
    history_record(
        ctg=ctg,
        actor=actor,
        action="import_plan",
        summary=(
            f"Import du plan d'action ({_counted(len(enjeux), 'enjeu', 'enjeux')}, "
            f"{_counted(len(fiches), 'fiche', 'fiches')})"
        ),
        changes={"enjeux": len(enjeux), "fiches": len(fiches)},
    )
    return len(enjeux), len(fiches)


def _counted(n: int, singular: str, plural: str) -> str:
    return f"{n} {plural if n > 1 else singular}"
