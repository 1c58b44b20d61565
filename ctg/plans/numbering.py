"""Numbering and ordering of the plan d'action: pure computations, no ORM.

Numbers are never stored; they follow the positions: Enjeu 1 › Objectif 1.2 › Objectif opérationnel 1.2.1,
and Fiche 1.2.3 for the third fiche of strategic objective 1.2. Positions may have gaps and ties: items are
ordered by (position, id) and numbered 1, 2, 3… without gaps.

A fiche may serve several operational objectives; it is numbered once, under the first of them in the order
of the plan, and the fiches of a strategic objective are numbered in the order of their operational objective,
then of their own position.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

ENJEU = "enjeu"
STRATEGIC = "strategic"
OPERATIONAL = "operational"
FICHE = "fiche"

LABELS = {
    ENJEU: "Enjeu",
    STRATEGIC: "Objectif",
    OPERATIONAL: "Objectif opérationnel",
    FICHE: "Fiche",
}

UP = "up"
DOWN = "down"


@dataclass(frozen=True)
class Node:
    """An enjeu (children: its strategic objectives), a strategic objective (children: its operational
    objectives) or an operational objective (no children)."""

    id: Hashable
    position: int
    children: Sequence[Node] = ()


@dataclass(frozen=True)
class FicheNode:
    """A fiche with the ids of its operational objectives, in any order."""

    id: Hashable
    position: int
    objective_ids: Sequence[Hashable] = field(default_factory=tuple)


def ordered(items: Iterable):
    """Items (with `.position` and `.id`) in plan order: by position, ties broken by id."""
    return sorted(items, key=lambda item: (item.position, item.id))


def number_plan(enjeux: Iterable[Node], fiches: Iterable[FicheNode] = ()) -> dict[tuple[str, Hashable], str]:
    """{(kind, id): "1.2.3"} for every enjeu, objective and fiche of the plan.

    A fiche none of whose objectives is in the plan gets no number.
    """
    numbers: dict[tuple[str, Hashable], str] = {}
    # Operational objective id → (its rank in the whole plan, number of its strategic objective).
    operational_rank: dict[Hashable, tuple[int, str]] = {}
    for e, enjeu in enumerate(ordered(enjeux), start=1):
        numbers[(ENJEU, enjeu.id)] = f"{e}"
        for s, strategic in enumerate(ordered(enjeu.children), start=1):
            strategic_number = f"{e}.{s}"
            numbers[(STRATEGIC, strategic.id)] = strategic_number
            for o, operational in enumerate(ordered(strategic.children), start=1):
                numbers[(OPERATIONAL, operational.id)] = f"{strategic_number}.{o}"
                operational_rank[operational.id] = (len(operational_rank), strategic_number)

    # Strategic number → [(rank of the fiche's first objective, position, id)].
    by_strategic: dict[str, list[tuple[int, int, Hashable]]] = {}
    for fiche in fiches:
        ranks = [operational_rank[oid] for oid in fiche.objective_ids if oid in operational_rank]
        if not ranks:
            continue
        rank, strategic_number = min(ranks)
        by_strategic.setdefault(strategic_number, []).append((rank, fiche.position, fiche.id))
    for strategic_number, entries in by_strategic.items():
        for f, (_rank, _position, fiche_id) in enumerate(sorted(entries), start=1):
            numbers[(FICHE, fiche_id)] = f"{strategic_number}.{f}"
    return numbers


def sort_key(number: str) -> tuple[int, tuple[int, ...]]:
    """« 1.10.2 » → (0, (1, 10, 2)): numbers in the plan's order (1.10 after 1.9), no number ("") last."""
    return (0, tuple(int(part) for part in number.split("."))) if number else (1, ())


def label(kind: str, number: str) -> str:
    """« Objectif opérationnel 1.2.1 » for ("operational", "1.2.1")."""
    return f"{LABELS[kind]} {number}"


def labels(numbers: dict[tuple[str, Hashable], str]) -> dict[tuple[str, Hashable], str]:
    """The full labels of a `number_plan` result."""
    return {key: label(key[0], number) for key, number in numbers.items()}


def move(
    items: Iterable[tuple[Hashable, int]], item_id: Hashable, direction: str
) -> list[tuple[Hashable, int]]:
    """[(id, position)] in the new order, positions 0..n-1, after moving `item_id` one place up or down.

    Moving the first item up or the last one down changes nothing but the positions' gaps and ties.
    """
    if direction not in (UP, DOWN):
        raise ValueError(f"Sens de déplacement inconnu : {direction!r} (attendu : up ou down).")
    ids = [item_id_ for item_id_, _position in sorted(items, key=lambda item: (item[1], item[0]))]
    if len(set(ids)) != len(ids):
        raise ValueError("Un même élément apparaît plusieurs fois.")
    if item_id not in ids:
        raise ValueError(f"Élément introuvable : {item_id!r}.")
    index = ids.index(item_id)
    other = index - 1 if direction == UP else index + 1
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
    return [(id_, position) for position, id_ in enumerate(ids)]


def reorder(ids_in_new_order: Iterable[Hashable]) -> dict[Hashable, int]:
    """{id: position}, positions 0..n-1 following the given order (as after a drag and drop)."""
    ids = list(ids_in_new_order)
    if len(set(ids)) != len(ids):
        raise ValueError("Un même élément apparaît plusieurs fois.")
    return {id_: position for position, id_ in enumerate(ids)}
