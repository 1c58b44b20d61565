"""Progress of plan indicators: pure computations, no database."""

from decimal import Decimal

import pytest

from ctg.plans import progress as p
from ctg.plans.progress import IndicatorSeries, Progress, expected_ratio, progress, status_for_year, summary


def series(baseline=100, baseline_year=2024, direction="up", targets=None, realised=None):
    return IndicatorSeries(
        baseline_value=baseline,
        baseline_year=baseline_year,
        direction=direction,
        targets={2028: 200} if targets is None else targets,
        realised={} if realised is None else realised,
    )


class TestProgress:
    def test_halfway_up(self):
        result = progress(100, 200, 150, "up")
        assert result.ratio == pytest.approx(0.5)
        assert result.status == "non_atteint"
        assert "50 %" in result.reason

    def test_result_is_frozen(self):
        result = progress(100, 200, 150, "up")
        assert isinstance(result, Progress)
        with pytest.raises(AttributeError):
            result.status = "atteint"

    def test_target_reached_exactly(self):
        assert progress(100, 200, 200, "up") == Progress(1.0, "atteint", "Cible atteinte.")

    def test_beyond_target_ratio_above_one(self):
        result = progress(100, 200, 250, "up")
        assert result.ratio == pytest.approx(1.5)
        assert result.status == "atteint"
        assert result.reason == "Cible dépassée."

    def test_realised_equal_to_baseline_is_zero(self):
        result = progress(100, 200, 100, "up", expected=0.5)
        assert result.ratio == 0
        assert result.status == "en_retard"

    def test_wrong_direction_is_negative_and_late(self):
        result = progress(100, 200, 80, "up")
        assert result.ratio == pytest.approx(-0.2)
        assert result.status == "en_retard"
        assert "sens contraire" in result.reason

    def test_wrong_direction_is_late_even_when_nothing_expected_yet(self):
        # Within the tolerance of an expectation of 0, but going the wrong way all the same.
        assert progress(100, 200, 99, "up", expected=0.0).status == "en_retard"

    def test_falling_indicator(self):
        # Unemployment rate from 12 % down to 8 %: 11 % is a quarter of the way.
        result = progress(12, 8, 11, "down")
        assert result.ratio == pytest.approx(0.25)
        assert result.status == "non_atteint"

    def test_falling_indicator_beyond_target(self):
        result = progress(12, 8, 6, "down")
        assert result.ratio == pytest.approx(1.5)
        assert result.status == "atteint"

    def test_falling_indicator_rising_is_negative(self):
        result = progress(12, 8, 13, "down")
        assert result.ratio == pytest.approx(-0.25)
        assert result.status == "en_retard"

    def test_on_track_against_expected_share(self):
        assert progress(100, 200, 150, "up", expected=0.5).status == "en_bonne_voie"

    def test_tolerance_boundary_is_on_track(self):
        assert progress(100, 200, 140, "up", expected=0.5).status == "en_bonne_voie"

    def test_just_below_tolerance_is_late(self):
        result = progress(100, 200, 139, "up", expected=0.5)
        assert result.status == "en_retard"
        assert result.reason == "39 % du chemin parcouru pour 50 % du temps écoulé."

    def test_no_realised_value(self):
        assert progress(100, 200, None, "up") == Progress(None, "sans_donnee", "Aucune valeur réalisée.")

    def test_no_target(self):
        assert progress(100, None, 150, "up") == Progress(None, "sans_donnee", "Aucune cible fixée.")

    def test_none_everywhere(self):
        assert progress(None, None, None, "up").status == "sans_donnee"

    def test_no_baseline_target_reached(self):
        result = progress(None, 200, 210, "up")
        assert result.ratio is None
        assert result.status == "atteint"

    def test_no_baseline_target_not_reached(self):
        result = progress(None, 200, 150, "up", expected=0.5)
        assert result.ratio is None
        assert result.status == "sans_reference"

    def test_no_baseline_falling(self):
        assert progress(None, 8, 7, "down").status == "atteint"
        assert progress(None, 8, 9, "down").status == "sans_reference"

    def test_target_equal_to_baseline_kept(self):
        # Keep at least 50 places: reached while at or above, whatever the direction says of beyond.
        assert progress(50, 50, 50, "up") == Progress(
            None, "atteint", "Cible égale à la valeur de référence, atteinte."
        )
        assert progress(50, 50, 60, "up").status == "atteint"

    def test_target_equal_to_baseline_missed(self):
        result = progress(50, 50, 40, "up")
        assert result.ratio is None
        assert result.status == "cible_egale_reference"
        assert result.reason == "Cible égale à la valeur de référence, non atteinte."

    def test_target_equal_to_baseline_falling(self):
        assert progress(50, 50, 40, "down").status == "atteint"
        assert progress(50, 50, 60, "down").status == "cible_egale_reference"

    def test_target_against_direction(self):
        result = progress(100, 80, 90, "up")
        assert result.ratio is None
        assert result.status == "cible_incoherente"

    def test_decimal_inputs(self):
        result = progress(Decimal("10.5000"), Decimal("20.5000"), Decimal("15.5000"), "up")
        assert result.ratio == pytest.approx(0.5)
        assert isinstance(result.ratio, float)

    def test_mixed_decimal_float_and_int(self):
        assert progress(Decimal("0.1"), 0.3, 0.1 + 0.2, "up").status == "atteint"
        assert progress(0, Decimal("1"), 0.5, "up").ratio == pytest.approx(0.5)

    def test_float_noise_neither_misses_nor_passes_the_target(self):
        # 0.7 - 0.4 is 0.29999999999999993 and 0.1 + 0.2 is 0.30000000000000004 as floats: both are 0.3.
        assert progress(0.1, 0.3, 0.7 - 0.4, "up") == Progress(1.0, "atteint", "Cible atteinte.")
        assert progress(0.1, 0.3, 0.1 + 0.2, "up") == Progress(1.0, "atteint", "Cible atteinte.")

    def test_unknown_direction(self):
        with pytest.raises(ValueError, match="Sens inconnu"):
            progress(1, 2, 3, "sideways")

    @pytest.mark.parametrize("value", ["12", True, float("nan"), float("inf"), Decimal("NaN")])
    def test_non_numbers_refused(self, value):
        with pytest.raises((TypeError, ValueError)):
            progress(0, 10, value, "up")


class TestExpectedRatio:
    def test_linear(self):
        assert expected_ratio(2024, 2028, 2026) == 0.5
        assert expected_ratio(2024, 2028, 2025) == 0.25

    def test_clamped(self):
        assert expected_ratio(2024, 2028, 2020) == 0.0
        assert expected_ratio(2024, 2028, 2024) == 0.0
        assert expected_ratio(2024, 2028, 2030) == 1.0

    def test_target_due_at_reference_year(self):
        assert expected_ratio(2024, 2024, 2024) == 1.0
        assert expected_ratio(2024, 2022, 2023) == 1.0
        assert expected_ratio(2024, 2022, 2021) == 0.0

    def test_missing_years(self):
        assert expected_ratio(None, 2028, 2026) is None
        assert expected_ratio(2024, None, 2026) is None


class TestStatusForYear:
    def test_on_track(self):
        # Halfway through the time (2026 of 2024→2028), 60 % of the way.
        result = status_for_year(series(realised={2026: 160}), 2026)
        assert result.status == "en_bonne_voie"
        assert result.ratio == pytest.approx(0.6)
        assert result.reason == "60 % du chemin parcouru pour 50 % du temps écoulé. Cible de 2028."

    def test_late(self):
        result = status_for_year(series(realised={2026: 130}), 2026)
        assert result.status == "en_retard"
        assert result.ratio == pytest.approx(0.3)

    def test_reached_early(self):
        assert status_for_year(series(realised={2025: 210}), 2025).status == "atteint"

    def test_realised_equal_to_baseline_at_start_is_on_track(self):
        result = status_for_year(series(realised={2024: 100}), 2024)
        assert result.ratio == 0
        assert result.status == "en_bonne_voie"

    def test_realised_equal_to_baseline_later_is_late(self):
        result = status_for_year(series(realised={2026: 100}), 2026)
        assert result.ratio == 0
        assert result.status == "en_retard"

    def test_wrong_direction_is_late(self):
        result = status_for_year(series(realised={2025: 90}), 2025)
        assert result.ratio < 0
        assert result.status == "en_retard"

    def test_falling_indicator(self):
        falling = series(baseline=12, direction="down", targets={2028: 8}, realised={2026: 10})
        result = status_for_year(falling, 2026)
        assert result.ratio == pytest.approx(0.5)
        assert result.status == "en_bonne_voie"
        falling_slowly = series(baseline=12, direction="down", targets={2028: 8}, realised={2026: 11})
        assert status_for_year(falling_slowly, 2026).status == "en_retard"

    def test_no_value_this_year_takes_latest_earlier(self):
        indicator = series(realised={2024: 100, 2025: 150, 2027: 110})
        result = status_for_year(indicator, 2026)
        # 2025's 150 is used (50 % for 50 % of the time); 2027 is not known yet in 2026.
        assert result.ratio == pytest.approx(0.5)
        assert result.status == "en_bonne_voie"
        assert "Dernière valeur réalisée : 2025." in result.reason

    def test_later_values_are_ignored(self):
        result = status_for_year(series(realised={2027: 200}), 2026)
        assert result.status == "sans_donnee"
        assert result.reason == "Aucune valeur réalisée en 2026 ni avant."

    def test_no_target_this_year_takes_next_target(self):
        # Intermediate target of 2026 (150), final of 2028 (200): in 2025 the 2026 target applies.
        indicator = series(targets={2026: 150, 2028: 200}, realised={2025: 120})
        result = status_for_year(indicator, 2025)
        # 40 % of the way to 150, for 50 % of the time to 2026: on track within the tolerance.
        assert result.ratio == pytest.approx(0.4)
        assert result.status == "en_bonne_voie"
        assert "Cible de 2026." in result.reason

    def test_target_of_the_year_is_used(self):
        indicator = series(targets={2026: 150, 2028: 200}, realised={2026: 150})
        assert status_for_year(indicator, 2026) == Progress(1.0, "atteint", "Cible atteinte.")

    def test_after_the_last_target_uses_it(self):
        indicator = series(targets={2026: 150, 2028: 200}, realised={2029: 180})
        result = status_for_year(indicator, 2030)
        assert result.ratio == pytest.approx(0.8)
        assert result.status == "en_retard"
        assert "Cible de 2028." in result.reason
        assert "Dernière valeur réalisée : 2029." in result.reason

    def test_none_values_count_as_missing(self):
        indicator = series(targets={2026: None, 2028: 200}, realised={2025: 150, 2026: None})
        result = status_for_year(indicator, 2026)
        assert "Cible de 2028." in result.reason
        assert "Dernière valeur réalisée : 2025." in result.reason
        assert result.status == "en_bonne_voie"

    def test_no_targets(self):
        result = status_for_year(series(targets={}, realised={2025: 150}), 2025)
        assert result == Progress(None, "sans_donnee", "Aucune cible fixée.")

    def test_none_everywhere(self):
        indicator = IndicatorSeries(None, None, "up", {2026: None}, {2026: None})
        assert status_for_year(indicator, 2026).status == "sans_donnee"

    def test_no_baseline(self):
        indicator = series(baseline=None, baseline_year=None, realised={2026: 210})
        assert status_for_year(indicator, 2026).status == "atteint"
        indicator = series(baseline=None, baseline_year=None, realised={2026: 150})
        assert status_for_year(indicator, 2026).status == "sans_reference"

    def test_no_baseline_year(self):
        result = status_for_year(series(baseline_year=None, realised={2026: 150}), 2026)
        assert result.status == "non_atteint"
        assert "Année de référence inconnue" in result.reason

    def test_target_equal_to_baseline(self):
        indicator = series(targets={2028: 100}, realised={2026: 90})
        assert status_for_year(indicator, 2026).status == "cible_egale_reference"

    def test_decimal_values(self):
        indicator = series(
            baseline=Decimal("12.0000"),
            direction="down",
            targets={2028: Decimal("8.0000")},
            realised={2026: Decimal("9.5000")},
        )
        result = status_for_year(indicator, 2026)
        assert result.ratio == pytest.approx(0.625)
        assert result.status == "en_bonne_voie"

    def test_unknown_direction(self):
        with pytest.raises(ValueError):
            status_for_year(series(direction="hausse"), 2026)


def test_summary_counts_every_status():
    indicators = [
        series(realised={2026: 210}),  # atteint
        series(realised={2026: 160}),  # en bonne voie
        series(realised={2026: 120}),  # en retard
        series(realised={2026: 90}),  # en retard (wrong way)
        series(realised={}),  # sans donnée
        series(baseline=None, realised={2026: 150}),  # sans référence
    ]
    counts = summary(indicators, 2026)
    assert counts == {
        "atteint": 1,
        "en_bonne_voie": 1,
        "en_retard": 2,
        "non_atteint": 0,
        "sans_reference": 1,
        "cible_egale_reference": 0,
        "cible_incoherente": 0,
        "sans_donnee": 1,
    }
    assert list(counts) == list(p.STATUSES)
    assert sum(counts.values()) == len(indicators)


def test_summary_of_nothing():
    assert set(summary([], 2026).values()) == {0}


def test_every_status_has_a_french_label():
    assert set(p.STATUS_LABELS) == {
        p.ATTEINT,
        p.EN_BONNE_VOIE,
        p.EN_RETARD,
        p.NON_ATTEINT,
        p.SANS_DONNEE,
        p.SANS_REFERENCE,
        p.CIBLE_EGALE_REFERENCE,
        p.CIBLE_INCOHERENTE,
    }
