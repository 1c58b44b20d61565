"""The tree of the plan d'action: enjeux › objectifs stratégiques › objectifs opérationnels. One generic node
service for the three levels (`node_create`, `node_update`, `node_delete`, `node_move`, the move built on
`ctg.plans.numbering.move`), described by a `Level` each; the named functions (`enjeu_create`,
`strategic_objective_move`…) are its entry points for the views, the demo and the other apps.

Enjeux and objectives are their own items in the dossier's history. Deleting a node whose operational
objectives are the only ones of some fiches is refused (the fiches would be left without objective); after a
deletion or a move, the fiches are renumbered under their first objective.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet

from ctg.conventions.models import Ctg
from ctg.core.history import history_record, register_labels, tracked_update
from ctg.core.models import Action
from ctg.findings.models import Finding
from ctg.plans import numbering
from ctg.plans.models import Enjeu, FicheAction, OperationalObjective, StrategicObjective
from ctg.plans.services.common import (
    DIRECTION_LABELS,
    _check_attention_indicators,
    _check_fields,
    _labels_display,
    _next_position,
    _person,
    _text,
)
from ctg.plans.services.positions import _renumber, _renumber_fiches

ENJEU_FIELDS = {
    "title": "intitulé",
    "description": "description",
    "fields": "champs d'intervention",
    "attention_indicators": "indicateurs du portrait liés",
    "findings": "constats qualitatifs",
}
OBJECTIVE_FIELDS = {"title": "intitulé", "description": "description"}
# The history's changes are keyed by field name; their French labels, declared once.
register_labels(Action.ENJEU, {**ENJEU_FIELDS, "position": "ordre"})
register_labels(Action.OBJECTIVE, {**OBJECTIVE_FIELDS, "position": "ordre"})
DEFAULTS = {"description": "", "fields": [], "attention_indicators": [], "findings": []}
# Fields of the levels that are many-to-many: set after the node is created.
MANY = ("findings",)


def check_findings(ctg: Ctg, findings) -> list[Finding]:
    """The findings given (instances or ids), each of the dossier `ctg`; another dossier's is refused."""
    items = list(findings or [])
    ids = []
    for item in items:
        pk = getattr(item, "pk", item)
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            raise ValidationError({"findings": f"Constat inconnu : « {pk} »."}) from None
        if pk not in ids:
            ids.append(pk)
    found = {f.pk: f for f in Finding.objects.filter(ctg=ctg, pk__in=ids)}
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise ValidationError({"findings": "Constat inconnu de ce dossier : choisissez-en un de la liste."})
    return [found[pk] for pk in ids]


def _clean(values: dict, ctg: Ctg | None = None) -> dict:
    """The values of an enjeu or an objective, each checked when given (the findings: of `ctg`)."""
    if "title" in values:
        values["title"] = _text(
            values["title"], field="title", label="L'intitulé", required=True, max_length=300
        )
    if "description" in values:
        values["description"] = _text(values["description"], field="description", label="La description")
    if "fields" in values:
        values["fields"] = _check_fields(values["fields"])
    if "attention_indicators" in values:
        values["attention_indicators"] = _check_attention_indicators(values["attention_indicators"])
    if "findings" in values:
        values["findings"] = check_findings(ctg, values["findings"])
    return values


@dataclass(frozen=True)
class Level:
    """A level of the tree: its model, the field naming its parent (the dossier for an enjeu), the path from a
    node to its dossier, the lookup of the operational objectives under a node, its editable fields and how
    the history names it."""

    model: type[Model]
    parent_field: str
    ctg_path: tuple[str, ...]
    operational_lookup: str
    fields: dict[str, str]
    action: Action
    label: str  # « Objectif stratégique »
    this: str  # « cet objectif stratégique »


ENJEU = Level(Enjeu, "ctg", ("ctg",), "strategic__enjeu", ENJEU_FIELDS, Action.ENJEU, "Enjeu", "cet enjeu")
STRATEGIC = Level(
    StrategicObjective,
    "enjeu",
    ("enjeu", "ctg"),
    "strategic",
    OBJECTIVE_FIELDS,
    Action.OBJECTIVE,
    "Objectif stratégique",
    "cet objectif stratégique",
)
OPERATIONAL = Level(
    OperationalObjective,
    "strategic",
    ("strategic", "enjeu", "ctg"),
    "pk",
    OBJECTIVE_FIELDS,
    Action.OBJECTIVE,
    "Objectif opérationnel",
    "cet objectif opérationnel",
)
LEVELS = {level.model: level for level in (ENJEU, STRATEGIC, OPERATIONAL)}


def level_of(node: Model) -> Level:
    return LEVELS[type(node)]


def ctg_of(node: Model) -> Ctg:
    ctg = node
    for name in level_of(node).ctg_path:
        ctg = getattr(ctg, name)
    return ctg


def _siblings(level: Level, node: Model) -> QuerySet:
    parent_id = f"{level.parent_field}_id"
    return level.model.objects.filter(**{parent_id: getattr(node, parent_id)})


# --- the generic node service --------------------------------------------------------------------------


@transaction.atomic
def node_create(level: Level, *, parent: Model, actor, **values) -> Model:
    """A new node last under `parent` (the dossier for an enjeu)."""
    unknown = set(values) - set(level.fields)
    if unknown:
        raise TypeError(f"Champs inconnus : {sorted(unknown)}")
    ctg = parent if isinstance(parent, Ctg) else ctg_of(parent)
    values = _clean({**{name: DEFAULTS.get(name, "") for name in level.fields}, **values}, ctg)
    many = {name: values.pop(name) for name in MANY if name in values}
    type(parent).objects.select_for_update().filter(pk=parent.pk).first()
    node = level.model.objects.create(
        **{level.parent_field: parent},
        position=_next_position(level.model.objects.filter(**{level.parent_field: parent})),
        created_by=_person(actor),
        updated_by=_person(actor),
        **values,
    )
    changes = {"title": ["", node.title]}
    for name, items in many.items():
        if items:
            getattr(node, name).set(items)
            changes[name] = ["", _labels_display(items)]
    under = "" if isinstance(parent, Ctg) else f" à « {parent.title} »"
    history_record(
        ctg=ctg,
        actor=actor,
        action=level.action,
        summary=f"{level.label} ajouté{under} : « {node.title} »",
        changes=changes,
        item=node,
    )
    return node


@transaction.atomic
def node_update(node: Model, *, actor, **values) -> Model:
    """Saves the values that changed; returns the node as saved."""
    level = level_of(node)
    unknown = set(values) - set(level.fields)
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    ctg = ctg_of(node)
    values = _clean(values, ctg)
    current = level.model.objects.select_for_update().get(pk=node.pk)
    tracked_update(
        current,
        actor=actor,
        values=values,
        ctg=ctg,
        action=level.action,
        summary=lambda labels: f"{level.label} modifié : « {current.title} » ({', '.join(labels)})",
        display=_labels_display,
    )
    return current


def _refuse_orphans(level: Level, node: Model) -> None:
    """Refuses to delete `node` when fiches would have no objective left."""
    lookup = {level.operational_lookup: node.pk if level.operational_lookup == "pk" else node}
    doomed = set(OperationalObjective.objects.filter(**lookup).values_list("pk", flat=True))
    orphans = [
        fiche
        for fiche in FicheAction.objects.filter(objectives__in=doomed)
        .distinct()
        .prefetch_related("objectives")
        if {o.pk for o in fiche.objectives.all()} <= doomed
    ]
    if orphans:
        titles = ", ".join(f"« {f.title} »" for f in orphans[:5])
        more = f" et {len(orphans) - 5} autre(s)" if len(orphans) > 5 else ""
        raise ValidationError(
            f"Impossible de supprimer {level.this} : les fiches action {titles}{more} n'ont pas d'autre "
            "objectif. Rattachez-les à un autre objectif opérationnel ou supprimez-les d'abord."
        )


@transaction.atomic
def node_delete(node: Model, *, actor) -> None:
    level = level_of(node)
    ctg = ctg_of(node)
    _refuse_orphans(level, node)
    siblings = _siblings(level, node)
    title, pk = node.title, node.pk
    node.delete()
    node.pk = pk
    _renumber(siblings)
    _renumber_fiches(ctg)
    history_record(
        ctg=ctg,
        actor=actor,
        action=level.action,
        summary=f"{level.label} supprimé : « {title} »",
        changes={"title": [title, ""]},
        item=node,
    )


def _move(node: Model, siblings: QuerySet, direction: str) -> bool:
    """Swaps the node with its neighbour (`numbering.move`); False when it is already first (up) or last
    (down), nothing written then."""
    if direction not in (numbering.UP, numbering.DOWN):
        raise ValidationError({"direction": "Sens de déplacement inconnu (« up » ou « down »)."})
    positions = dict(siblings.values_list("pk", "position"))
    order = [pk for pk, _position in sorted(positions.items(), key=lambda item: (item[1], item[0]))]
    index = order.index(node.pk)
    other = index - 1 if direction == numbering.UP else index + 1
    if not 0 <= other < len(order):
        return False
    for pk, position in numbering.move(positions.items(), node.pk, direction):
        if positions[pk] != position:
            siblings.model.objects.filter(pk=pk).update(position=position)
    node.position = other
    return True


@transaction.atomic
def node_move(node: Model, *, actor, direction: str) -> Model:
    """Moves the node one place up or down among its siblings."""
    level = level_of(node)
    before = node.position
    if _move(node, _siblings(level, node).select_for_update(), direction):
        ctg = ctg_of(node)
        _renumber_fiches(ctg)
        history_record(
            ctg=ctg,
            actor=actor,
            action=level.action,
            summary=f"{level.label} déplacé {DIRECTION_LABELS[direction]} : « {node.title} »",
            changes={"position": [before + 1, node.position + 1]},
            item=node,
        )
    return node


# --- entry points --------------------------------------------------------------------------------------


def enjeu_create(*, ctg: Ctg, actor, **values) -> Enjeu:
    return node_create(ENJEU, parent=ctg, actor=actor, **values)


def enjeu_update(*, enjeu: Enjeu, actor, **values) -> Enjeu:
    return node_update(enjeu, actor=actor, **values)


def enjeu_delete(*, enjeu: Enjeu, actor) -> None:
    node_delete(enjeu, actor=actor)


def enjeu_move(*, enjeu: Enjeu, actor, direction: str) -> Enjeu:
    return node_move(enjeu, actor=actor, direction=direction)


def strategic_objective_create(*, enjeu: Enjeu, actor, **values) -> StrategicObjective:
    return node_create(STRATEGIC, parent=enjeu, actor=actor, **values)


def strategic_objective_update(*, objective: StrategicObjective, actor, **values) -> StrategicObjective:
    return node_update(objective, actor=actor, **values)


def strategic_objective_delete(*, objective: StrategicObjective, actor) -> None:
    node_delete(objective, actor=actor)


def strategic_objective_move(*, objective: StrategicObjective, actor, direction: str) -> StrategicObjective:
    return node_move(objective, actor=actor, direction=direction)


def operational_objective_create(*, strategic: StrategicObjective, actor, **values) -> OperationalObjective:
    return node_create(OPERATIONAL, parent=strategic, actor=actor, **values)


def operational_objective_update(*, objective: OperationalObjective, actor, **values) -> OperationalObjective:
    return node_update(objective, actor=actor, **values)


def operational_objective_delete(*, objective: OperationalObjective, actor) -> None:
    node_delete(objective, actor=actor)


def operational_objective_move(
    *, objective: OperationalObjective, actor, direction: str
) -> OperationalObjective:
    return node_move(objective, actor=actor, direction=direction)
