"""Numbering and ordering of the plan d'action: pure computations, no database."""

import subprocess
import sys
from pathlib import Path

import pytest

from ctg.plans.numbering import FicheNode, Node, label, labels, move, number_plan, ordered, reorder, sort_key

ROOT = Path(__file__).resolve().parents[2]


def plan():
    """Two enjeux given out of order, with gaps and ties in the positions.

    Enjeu 10 (position 5) comes second; enjeu 20 (position 1) first.
    """
    return [
        Node(
            10,
            5,
            [
                Node(102, 3, [Node(1021, 0)]),
                Node(101, 3, [Node(1012, 7), Node(1011, 7), Node(1013, 2)]),
            ],
        ),
        Node(20, 1, [Node(201, 40, [Node(2011, 0)])]),
    ]


def test_enjeux_numbered_by_position():
    numbers = number_plan(plan())
    assert numbers[("enjeu", 20)] == "1"
    assert numbers[("enjeu", 10)] == "2"


def test_ties_broken_by_id_and_gaps_closed():
    numbers = number_plan(plan())
    assert numbers[("strategic", 201)] == "1.1"
    # 101 and 102 share position 3: the smaller id first.
    assert numbers[("strategic", 101)] == "2.1"
    assert numbers[("strategic", 102)] == "2.2"
    # Positions 2, 7, 7 become 1, 2, 3.
    assert numbers[("operational", 1013)] == "2.1.1"
    assert numbers[("operational", 1011)] == "2.1.2"
    assert numbers[("operational", 1012)] == "2.1.3"
    assert numbers[("operational", 1021)] == "2.2.1"
    assert numbers[("operational", 2011)] == "1.1.1"


def test_every_node_numbered_once():
    numbers = number_plan(plan())
    assert len(numbers) == 2 + 3 + 5
    assert len(set(numbers.values())) == len(numbers)


def test_fiches_numbered_within_their_strategic_objective():
    fiches = [
        FicheNode(1, 0, [1012]),  # under 2.1.3
        FicheNode(2, 1, [1013]),  # under 2.1.1, second by position
        FicheNode(3, 0, [1013]),  # under 2.1.1, first by position
        FicheNode(4, 0, [1011]),  # under 2.1.2
        FicheNode(5, 9, [2011]),  # under 1.1.1
    ]
    numbers = number_plan(plan(), fiches)
    # Strategic objective 2.1: by operational objective (2.1.1, 2.1.2, 2.1.3), then by position.
    assert numbers[("fiche", 3)] == "2.1.1"
    assert numbers[("fiche", 2)] == "2.1.2"
    assert numbers[("fiche", 4)] == "2.1.3"
    assert numbers[("fiche", 1)] == "2.1.4"
    assert numbers[("fiche", 5)] == "1.1.1"


def test_fiche_numbered_under_its_first_objective_in_plan_order():
    # Objectives listed in any order: the first one in the plan (1.1.1) wins over 2.1.2 and 2.2.1.
    fiches = [FicheNode(7, 0, [1021, 2011, 1011])]
    numbers = number_plan(plan(), fiches)
    assert numbers[("fiche", 7)] == "1.1.1"
    assert [key for key in numbers if key[0] == "fiche"] == [("fiche", 7)]


def test_fiche_ties_broken_by_id():
    fiches = [FicheNode(9, 0, [2011]), FicheNode(8, 0, [2011])]
    numbers = number_plan(plan(), fiches)
    assert numbers[("fiche", 8)] == "1.1.1"
    assert numbers[("fiche", 9)] == "1.1.2"


def test_fiche_outside_the_plan_gets_no_number():
    numbers = number_plan(plan(), [FicheNode(1, 0, []), FicheNode(2, 0, [999])])
    assert ("fiche", 1) not in numbers
    assert ("fiche", 2) not in numbers


def test_numbers_sort_in_the_plans_order_and_no_number_last():
    numbers = ["1.10.1", "", "1.9.2", "2.1.1", "1.9.10"]
    assert sorted(numbers, key=sort_key) == ["1.9.2", "1.9.10", "1.10.1", "2.1.1", ""]


def test_empty_plan():
    assert number_plan([]) == {}
    assert number_plan([Node(1, 0)]) == {("enjeu", 1): "1"}


def test_labels():
    assert label("enjeu", "1") == "Enjeu 1"
    assert label("strategic", "1.2") == "Objectif 1.2"
    assert label("operational", "1.2.1") == "Objectif opérationnel 1.2.1"
    assert label("fiche", "1.2.3") == "Fiche 1.2.3"
    numbers = number_plan(plan(), [FicheNode(5, 0, [2011])])
    full = labels(numbers)
    assert full[("enjeu", 10)] == "Enjeu 2"
    assert full[("operational", 1012)] == "Objectif opérationnel 2.1.3"
    assert full[("fiche", 5)] == "Fiche 1.1.1"


def test_ordered():
    assert [node.id for node in ordered([Node(3, 1), Node(2, 1), Node(1, 4)])] == [2, 3, 1]


class TestMove:
    items = [("a", 0), ("b", 1), ("c", 2)]

    def test_up(self):
        assert move(self.items, "b", "up") == [("b", 0), ("a", 1), ("c", 2)]

    def test_down(self):
        assert move(self.items, "b", "down") == [("a", 0), ("c", 1), ("b", 2)]

    def test_first_up_is_a_no_op(self):
        assert move(self.items, "a", "up") == self.items

    def test_last_down_is_a_no_op(self):
        assert move(self.items, "c", "down") == self.items

    def test_gaps_and_ties_become_contiguous(self):
        items = [(30, 10), (10, 4), (20, 4)]  # order: 10, 20 (tie, by id), 30
        assert move(items, 30, "up") == [(10, 0), (30, 1), (20, 2)]
        assert move(items, 10, "up") == [(10, 0), (20, 1), (30, 2)]

    def test_single_item(self):
        assert move([(5, 8)], 5, "down") == [(5, 0)]

    def test_unknown_item(self):
        with pytest.raises(ValueError, match="introuvable"):
            move(self.items, "z", "up")

    def test_unknown_direction(self):
        with pytest.raises(ValueError, match="Sens de déplacement"):
            move(self.items, "a", "left")

    def test_duplicate_item(self):
        with pytest.raises(ValueError, match="plusieurs fois"):
            move([("a", 0), ("a", 1)], "a", "down")


def test_reorder():
    assert reorder([30, 10, 20]) == {30: 0, 10: 1, 20: 2}
    assert reorder([]) == {}


def test_reorder_refuses_duplicates():
    with pytest.raises(ValueError, match="plusieurs fois"):
        reorder([1, 2, 1])


def test_pure_modules_import_no_django():
    # Both modules must stay usable (and testable) without Django, settings or a database.
    code = (
        "import sys, ctg.plans.numbering, ctg.plans.progress; "
        "sys.exit(any(name.split('.')[0] == 'django' for name in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
