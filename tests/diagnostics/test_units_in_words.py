"""Units written out and agreeing with the number (issue 11, item 7): « 1 équipement », « 3,8 équipements
pour 10 000 habitants », never « ‰₀ » nor « 1 équipements »."""

import pytest

from ctg.diagnostics.catalogue import INDICATORS, PER_10000, unit_for
from ctg.diagnostics.readings import format_value

NBSP = "\u00a0"


def test_no_symbol_that_nobody_reads():
    assert all("‰" not in indicator.unit for indicator in INDICATORS)
    densities = [i for i in INDICATORS if i.id.endswith("_pour_10000")]
    assert densities and all(i.unit == PER_10000 for i in densities)


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "expected"),
    [
        (1, "équipements", 0, "1 équipement"),
        (0, "équipements", 0, "0 équipement"),
        (2, "équipements", 0, "2 équipements"),
        (1.96, "équipements", 0, "2 équipements"),
        (3.8, PER_10000, 1, "3,8 équipements pour 10 000 habitants"),
        (1.2, PER_10000, 1, "1,2 équipement pour 10 000 habitants"),
        (1, "foyers", 0, "1 foyer"),
        (1, "places pour 100 enfants de moins de 3 ans", 1, "1,0 place pour 100 enfants de moins de 3 ans"),
        (12, "places", 0, "12 places"),
        (1, "hab.", 0, "1 hab."),
    ],
)
def test_units_agree_with_the_number(value, unit, decimals, expected):
    assert format_value(value, unit, decimals).replace(NBSP, " ") == expected


def test_unit_for_leaves_unknown_units_alone():
    assert unit_for("% / an", 1) == "% / an"
    assert unit_for("équipements", None) == "équipements"
