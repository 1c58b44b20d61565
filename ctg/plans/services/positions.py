"""Positions in the plan: a node's siblings renumbered 0..n-1, and the fiches' positions among the fiches
that share their first objective (the one their numbering follows, see `ctg.plans.numbering`)."""

from collections.abc import Iterable

from django.db.models import Max, QuerySet

from ctg.conventions.models import Ctg
from ctg.plans.models import (
    FicheAction,
    OperationalObjective,
)


def _renumber(queryset: QuerySet) -> None:
    """Positions 0..n-1 in the current order (position, id)."""
    for index, obj in enumerate(queryset.order_by("position", "id")):
        if obj.position != index:
            type(obj).objects.filter(pk=obj.pk).update(position=index)
            obj.position = index


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
