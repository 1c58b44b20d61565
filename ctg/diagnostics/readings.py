"""Sentences built from the figures (never invented) and the points of attention. Pure: no ORM."""

from ctg.diagnostics.catalogue import Kind, unit_for
from ctg.diagnostics.field_weights import is_commercial

NBSP = "\u00a0"
NNBSP = "\u202f"

# The subject of a sentence and its gender, from the first word of the label.
SUBJECTS = {
    "Part": ("la part", "f"),
    "Taux": ("le taux", "m"),
    "Médiane": ("la médiane", "f"),
    "Évolution": ("l'évolution", "f"),
}
LEVEL_PHRASES = {
    "departement": "du département",
    "region": "de la région",
    "france": "de la France",
}


def format_number(value: float | None, decimals: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}".replace(",", NNBSP).replace(".", ",")
    return text.replace("-", "−")


def format_value(value: float | None, unit: str, decimals: int = 1) -> str:
    if value is None:
        return "—"
    number = format_number(value, decimals)
    if unit == "%":
        return f"{number}{NBSP}%"
    if unit == "€":
        return f"{number}{NBSP}€"
    return f"{number}{NBSP}{unit_for(unit, round(value, decimals))}"


def subject(indicator) -> tuple[str, str]:
    first, _, rest = indicator.label.partition(" ")
    if first in SUBJECTS:
        article, gender = SUBJECTS[first]
        return f"{article} {rest}".strip(), gender
    return f"le nombre de {indicator.label[0].lower()}{indicator.label[1:]}", "m"


def is_comparable(indicator) -> bool:
    """Rates, shares, medians and densities compare across territories; raw counts do not."""
    return indicator.kind != Kind.COUNT


def compare_sentence(result, level: str = "departement") -> str:
    ind, value = result.indicator, result.value.value
    reference = result.references.get(level)
    if not is_comparable(ind) or value is None or reference is None or reference.value is None:
        return ""
    text, gender = subject(ind)
    text = text[0].upper() + text[1:]
    mine = format_value(value, ind.unit, ind.decimals)
    theirs = format_value(reference.value, ind.unit, ind.decimals)
    that = "celle" if gender == "f" else "celui"
    if format_number(value, ind.decimals) == format_number(reference.value, ind.decimals):
        verb = "est égale à" if gender == "f" else "est égal à"
    elif value > reference.value:
        verb = "est supérieure à" if gender == "f" else "est supérieur à"
    else:
        verb = "est inférieure à" if gender == "f" else "est inférieur à"
    sentence = f"{text} ({mine}) {verb} {that} {LEVEL_PHRASES[level]} ({theirs})"
    caveat = getattr(result.value, "caveat", "")
    return f"{sentence} — {caveat}." if caveat else f"{sentence}."


def gap(result, thresholds: dict) -> float | None:
    """How far the territory departs from its département, in units of the threshold (≥ 1: noteworthy)."""
    ind, value = result.indicator, result.value.value
    reference = result.references.get("departement")
    if not is_comparable(ind) or value is None or reference is None or reference.value is None:
        return None
    if ind.unit in ("%", "% / an"):
        points = thresholds["points"] if ind.unit == "%" else thresholds["points"] / 5
        return (value - reference.value) / points if points else None
    if reference.value == 0:
        return None
    return (value - reference.value) / abs(reference.value) / thresholds["relative"]


def attention_points(results, thresholds: dict) -> list[dict]:
    points = []
    for result in results:
        g = gap(result, thresholds)
        if g is None or abs(g) < 1:
            continue
        direction = "au-dessus" if g > 0 else "en dessous"
        concern = result.indicator.higher_is
        if concern == "vigilance":
            tone = "vigilance" if g > 0 else "atout"
        elif concern == "atout":
            tone = "atout" if g > 0 else "vigilance"
        else:
            tone = "ecart"
        points.append(
            {
                "indicator": result.indicator,
                "result": result,
                "sentence": result.comparison,
                "direction": direction,
                "tone": tone,
                "gap": g,
            }
        )
    # From the most to the least marked; commercial equipment (supermarkets…) never leads: last.
    points.sort(key=lambda p: (is_commercial(p["indicator"]), -abs(p["gap"])))
    return points


def theme_reading(results) -> str:
    sentences = [r.comparison for r in results if r.comparison]
    if sentences:
        return " ".join(sentences[:3])
    available = [r for r in results if r.value.value is not None]
    if not available:
        return "Aucune donnée n'est disponible pour ce thème sur ce territoire."
    return ""
