"""Sentences and points of attention are built from the figures, and the thresholds are settings."""

from ctg.diagnostics.catalogue import BY_ID
from ctg.diagnostics.engine import Value
from ctg.diagnostics.portrait import IndicatorResult, Reference
from ctg.diagnostics.readings import attention_points, compare_sentence, format_value


def result(indicator_id, value, reference):
    r = IndicatorResult(BY_ID[indicator_id], Value(value, "ok", 1.0, 2022), "Insee")
    r.references["departement"] = Reference("departement", "81", "Tarn", reference, "ok")
    r.comparison = compare_sentence(r)
    return r


def test_the_sentence_quotes_both_figures_with_the_right_agreement():
    assert result("part_75_ans_et_plus", 12.5, 11.0).comparison == (
        "La part des 75 ans et plus (12,5\u00a0%) est supérieure à celle du département (11,0\u00a0%)."
    )
    assert result("taux_pauvrete", 9.04, 12.0).comparison == (
        "Le taux de pauvreté (seuil 60 %) (9,0\u00a0%) est inférieur à celui du département (12,0\u00a0%)."
    )
    assert "est égale à" in result("part_moins_15_ans", 15.04, 15.0).comparison
    assert result("population", 5000, 400000).comparison == ""  # counts do not compare


def test_points_of_attention_follow_the_thresholds():
    results = [
        result("part_familles_monoparentales", 31.0, 28.0),  # +3 points: vigilance
        result("part_moins_15_ans", 16.0, 15.0),  # +1 point: below the threshold
        result("revenu_median_uc", 19000, 22000),  # −13.6 %: vigilance (a lower income)
    ]
    points = attention_points(results, {"points": 2.0, "relative": 0.10})
    assert [(p["indicator"].id, p["tone"]) for p in points] == [
        ("part_familles_monoparentales", "vigilance"),
        ("revenu_median_uc", "vigilance"),
    ]
    # Stricter points, looser relative gap; the largest departures come first.
    assert [p["indicator"].id for p in attention_points(results, {"points": 0.5, "relative": 0.5})] == [
        "part_familles_monoparentales",
        "part_moins_15_ans",
    ]


def test_french_number_format():
    assert format_value(21650, "€", 0) == "21\u202f650\u00a0€"
    assert format_value(-0.25, "% / an", 2) == "−0,25\u00a0% / an"
    assert format_value(None, "%") == "—"
