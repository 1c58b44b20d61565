"""Progress of a plan indicator towards its target: pure computations, no ORM.

The rules follow territoires-en-transitions (progression rules): the progress of an indicator is the share of
the way from its reference value (baseline) to its target already covered, read in the desired direction
("up": higher is better, "down": lower is better). Whether it is on track compares that share with the share
of the time elapsed between the reference year and the target year, with a tolerance.

Values are plain numbers (int, float or Decimal, as stored by `IndicatorValue`); None means missing. They are
compared as Decimal, floats rounded to 15 significant digits, so that 0.7 - 0.4 reaches a target of 0.3.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from numbers import Real

UP = "up"
DOWN = "down"
DIRECTIONS = (UP, DOWN)

# How far behind the expected share an indicator may be and still count as on track.
TOLERANCE = 0.1
# Ratios are Decimal divisions turned into floats: absorb the rounding when comparing to the expectation.
_EPSILON = 1e-9

ATTEINT = "atteint"
EN_BONNE_VOIE = "en_bonne_voie"
EN_RETARD = "en_retard"
NON_ATTEINT = "non_atteint"
SANS_DONNEE = "sans_donnee"
SANS_REFERENCE = "sans_reference"
CIBLE_EGALE_REFERENCE = "cible_egale_reference"
CIBLE_INCOHERENTE = "cible_incoherente"

# In the order a dashboard shows them.
STATUS_LABELS = {
    ATTEINT: "Atteint",
    EN_BONNE_VOIE: "En bonne voie",
    EN_RETARD: "En retard",
    NON_ATTEINT: "Non atteint",
    SANS_REFERENCE: "Non atteint, sans valeur de référence",
    CIBLE_EGALE_REFERENCE: "Non atteint, cible égale à la référence",
    CIBLE_INCOHERENTE: "Cible contraire au sens souhaité",
    SANS_DONNEE: "Sans donnée",
}
STATUSES = tuple(STATUS_LABELS)

Number = int | float | Decimal


@dataclass(frozen=True)
class Progress:
    """`ratio`: 0 at the baseline, 1 at the target, above 1 beyond it, below 0 the wrong way; None when it
    cannot be measured (no data, no baseline, target equal to the baseline or against the direction)."""

    ratio: float | None
    status: str
    reason: str


@dataclass(frozen=True)
class IndicatorSeries:
    """An indicator with its yearly values: `targets` and `realised` map a year to a value (None: missing)."""

    baseline_value: Number | None
    baseline_year: int | None
    direction: str
    targets: Mapping[int, Number | None] = field(default_factory=dict)
    realised: Mapping[int, Number | None] = field(default_factory=dict)


def progress(
    baseline: Number | None,
    target: Number | None,
    realised: Number | None,
    direction: str,
    *,
    expected: float | None = None,
) -> Progress:
    """Where `realised` stands between `baseline` and `target`.

    `expected` is the share of the way that should be covered by now (see `expected_ratio`): with it, an
    indicator not yet at its target is "en_bonne_voie" or "en_retard"; without it (no time frame), it is
    "non_atteint" — or "en_retard" when it moves the wrong way.
    """
    _check_direction(direction)
    baseline, target, realised = _decimal(baseline), _decimal(target), _decimal(realised)
    if realised is None:
        return Progress(None, SANS_DONNEE, "Aucune valeur réalisée.")
    if target is None:
        return Progress(None, SANS_DONNEE, "Aucune cible fixée.")
    reached = _at_least_as_good(realised, target, direction)
    if baseline is None:
        # Without a starting point the distance covered is unknown: only the target itself can be judged.
        if reached:
            return Progress(None, ATTEINT, "Cible atteinte (sans valeur de référence).")
        return Progress(
            None,
            SANS_REFERENCE,
            "Cible non atteinte ; sans valeur de référence, l'avancement ne peut pas être mesuré.",
        )
    if target == baseline:
        if reached:
            return Progress(None, ATTEINT, "Cible égale à la valeur de référence, atteinte.")
        return Progress(None, CIBLE_EGALE_REFERENCE, "Cible égale à la valeur de référence, non atteinte.")
    if not _at_least_as_good(target, baseline, direction):
        sense = "à la hausse" if direction == UP else "à la baisse"
        return Progress(
            None,
            CIBLE_INCOHERENTE,
            f"La cible va dans le sens contraire du sens souhaité ({sense}) "
            "par rapport à la valeur de référence.",
        )
    ratio = float((realised - baseline) / (target - baseline))
    if reached:
        if realised == target:
            return Progress(ratio, ATTEINT, "Cible atteinte.")
        return Progress(ratio, ATTEINT, "Cible dépassée.")
    if ratio < 0:
        return Progress(
            ratio, EN_RETARD, "L'indicateur s'éloigne de la cible : il évolue dans le sens contraire."
        )
    done = _percent(ratio)
    if expected is None:
        return Progress(ratio, NON_ATTEINT, f"Cible non atteinte : {done} du chemin parcouru.")
    due = _percent(expected)
    if ratio + _EPSILON >= expected - TOLERANCE:
        return Progress(ratio, EN_BONNE_VOIE, f"{done} du chemin parcouru pour {due} du temps écoulé.")
    return Progress(ratio, EN_RETARD, f"{done} du chemin parcouru pour {due} du temps écoulé.")


def expected_ratio(baseline_year: int | None, target_year: int | None, year: int) -> float | None:
    """Share of the time elapsed from the reference year to the target year at `year`, clamped to 0..1.

    None when a year is missing. A target due in the reference year (or before) is expected in full.
    """
    if baseline_year is None or target_year is None:
        return None
    if target_year <= baseline_year:
        return 1.0 if year >= target_year else 0.0
    share = (year - baseline_year) / (target_year - baseline_year)
    return min(1.0, max(0.0, share))


def status_for_year(indicator: IndicatorSeries, year: int) -> Progress:
    """The progress of `indicator` as known in `year`.

    Target: the one of `year`, else the next later one, else the last one (the plan is over). Realised: the
    value of `year`, else the latest earlier one; later values are not known yet in `year`.
    """
    _check_direction(indicator.direction)
    targets = _present(indicator.targets)
    realised = _present(indicator.realised)
    if not targets:
        return Progress(None, SANS_DONNEE, "Aucune cible fixée.")
    known = [y for y in realised if y <= year]
    if not known:
        return Progress(None, SANS_DONNEE, f"Aucune valeur réalisée en {year} ni avant.")

    later = [y for y in targets if y >= year]
    target_year = min(later) if later else max(targets)
    realised_year = max(known)
    notes = []
    if realised_year != year:
        notes.append(f"Dernière valeur réalisée : {realised_year}.")
    if target_year != year:
        notes.append(f"Cible de {target_year}.")

    expected = expected_ratio(indicator.baseline_year, target_year, year)
    if expected is None and indicator.baseline_value is not None:
        notes.append("Année de référence inconnue : le rythme attendu ne peut pas être évalué.")
    result = progress(
        indicator.baseline_value,
        targets[target_year],
        realised[realised_year],
        indicator.direction,
        expected=expected,
    )
    if not notes:
        return result
    return Progress(result.ratio, result.status, " ".join([result.reason, *notes]))


def summary(series_list: Iterable[IndicatorSeries], year: int) -> dict[str, int]:
    """How many indicators are in each status in `year`; every status is present, in display order."""
    counts = dict.fromkeys(STATUSES, 0)
    for series in series_list:
        counts[status_for_year(series, year).status] += 1
    return counts


def _check_direction(direction: str) -> None:
    if direction not in DIRECTIONS:
        raise ValueError(f"Sens inconnu : {direction!r} (attendu : {' ou '.join(DIRECTIONS)}).")


def _decimal(value: Number | None) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | Real):
        raise TypeError(f"Valeur non numérique : {value!r}.")
    if isinstance(value, Decimal | int):
        return _finite(Decimal(value), value)
    # 15 significant digits drop a float's binary noise: 0.7 - 0.4 reaches a target of 0.3.
    return _finite(Decimal(format(float(value), ".15g")), value)


def _finite(number: Decimal, value: Number) -> Decimal:
    if not number.is_finite():
        raise ValueError(f"Valeur non finie : {value!r}.")
    return number


def _at_least_as_good(value: Decimal, reference: Decimal, direction: str) -> bool:
    return value >= reference if direction == UP else value <= reference


def _present(values: Mapping[int, Number | None]) -> dict[int, Number]:
    return {year: value for year, value in values.items() if value is not None}


def _percent(share: float) -> str:
    return f"{round(share * 100)} %"
