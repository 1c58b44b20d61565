"""Opening hours in the OpenStreetMap `opening_hours` syntax.

`validate` accepts what the maintained OpenStreetMap parser (`opening-hours-py`, the Rust `opening-hours`
crate) reads: the whole syntax (« 24/7 », « PH off », months, comments…). When it refuses a text, the fault is
named in French by this module's own reading of the weekly subset the importers write and the pages show
day by day:

    Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00

rules separated by « ; », each a weekday selector (days ``Mo Tu We Th Fr Sa Su``, lists with « , » and
ranges with « - ») followed by time spans ``HH:MM-HH:MM`` separated by « , », or by ``off``. Days no rule
names are closed. `parse` reads only that subset (for the pages' « lundi : 09:00-12:00 » and the importers);
a valid text outside it is shown as written.
"""

import re
from collections.abc import Mapping

import opening_hours as osm_opening_hours

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
DAY_LABELS = dict(
    zip(DAYS, ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"), strict=True)
)
TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")

Week = dict[str, list[tuple[str, str]]]


class OpeningHoursError(ValueError):
    """The text is not in the supported `opening_hours` syntax; the message is in French."""


def minutes(text: str) -> int:
    match = TIME.match(text)
    if not match or (match.group(1) == "24" and match.group(2) != "00"):
        raise OpeningHoursError(f"heure invalide « {text} » (HH:MM attendu, de 00:00 à 24:00)")
    return int(match.group(1)) * 60 + int(match.group(2))


def merge_spans(spans: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The spans sorted, those that overlap or touch merged into one (09:00-12:00 and 08:30-17:00 give
    08:30-17:00). Each span must end after it starts."""
    checked = []
    for start, end in spans:
        start_minutes, end_minutes = minutes(start), minutes(end)
        if end_minutes <= start_minutes:
            raise OpeningHoursError(f"plage horaire « {start}-{end} » : la fin doit suivre le début")
        checked.append((start_minutes, end_minutes, start, end))
    merged: list[list] = []
    for start_m, end_m, start, end in sorted(checked):
        if merged and start_m <= merged[-1][1]:
            if end_m > merged[-1][1]:
                merged[-1][1], merged[-1][3] = end_m, end
            continue
        merged.append([start_m, end_m, start, end])
    return [(start, end) for _s, _e, start, end in merged]


def _days(selector: str) -> list[str]:
    days: list[str] = []
    for part in selector.split(","):
        if "-" in part:
            first, _, last = part.partition("-")
            if first not in DAYS or last not in DAYS:
                raise OpeningHoursError(f"jours invalides « {part} » (Mo, Tu, We, Th, Fr, Sa, Su attendus)")
            i, j = DAYS.index(first), DAYS.index(last)
            if j < i:
                raise OpeningHoursError(f"plage de jours « {part} » à l'envers")
            days.extend(DAYS[i : j + 1])
        elif part in DAYS:
            days.append(part)
        else:
            raise OpeningHoursError(f"jour invalide « {part} » (Mo, Tu, We, Th, Fr, Sa, Su attendus)")
    return days


def parse(text: str) -> Week:
    """The week of `text`: {day: spans}, every day present (closed: []). Raises OpeningHoursError."""
    week: Week = {day: [] for day in DAYS}
    text = text.strip()
    if not text:
        return week
    for rule in text.split(";"):
        rule = rule.strip()
        if not rule:
            raise OpeningHoursError("règle vide (« ; » en trop)")
        selector, _, times = rule.partition(" ")
        days = _days(selector)
        times = times.strip()
        if not times:
            raise OpeningHoursError(f"règle « {rule} » sans horaires (HH:MM-HH:MM ou off attendu)")
        if times == "off":
            spans: list[tuple[str, str]] = []
        else:
            spans = []
            for span in times.split(","):
                start, sep, end = span.strip().partition("-")
                if not sep:
                    raise OpeningHoursError(
                        f"plage horaire invalide « {span.strip()} » (HH:MM-HH:MM attendu)"
                    )
                spans.append((start, end))
            spans = merge_spans(spans)
        for day in days:
            week[day] = spans  # a later rule replaces an earlier one for its days, as in OpenStreetMap
    return week


def validate(text: str) -> str:
    """`text` if the OpenStreetMap parser reads it; raises OpeningHoursError (in French) otherwise."""
    if not text.strip():
        return text
    try:
        osm_opening_hours.OpeningHours(text)
    except osm_opening_hours.ParserError:
        parse(text)  # names the fault in French when the text is meant as the weekly subset
        raise OpeningHoursError(
            "syntaxe OpenStreetMap opening_hours non reconnue (par exemple « Mo-Fr 09:00-12:00 », « 24/7 », "
            "« Sa 09:00-12:00; PH off »)"
        ) from None
    return text


def format_week(week: Mapping[str, list[tuple[str, str]]]) -> str:
    """The `opening_hours` text of a week: consecutive days with the same hours share a rule (« Mo-Fr »),
    closed days are left out; an empty week gives "" (hours unknown)."""
    rules = []
    index = 0
    while index < len(DAYS):
        spans = list(week.get(DAYS[index]) or [])
        last = index
        while last + 1 < len(DAYS) and list(week.get(DAYS[last + 1]) or []) == spans:
            last += 1
        if spans:
            days = (
                DAYS[index]
                if last == index
                else f"{DAYS[index]}{',' if last == index + 1 else '-'}{DAYS[last]}"
            )
            rules.append(f"{days} {','.join(f'{start}-{end}' for start, end in spans)}")
        index = last + 1
    return "; ".join(rules)
