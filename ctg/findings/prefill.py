"""A finding made from a portrait indicator: its evidence prefilled with the dossier's current figure (the
portrait of its territory, `ctg.diagnostics.portrait`), the figure's status said when it is not complete
(partiel, secret statistique, non disponible)."""

from ctg.diagnostics.catalogue import BY_ID, INDICATORS
from ctg.diagnostics.engine import NON_DISPONIBLE, OK, PARTIEL, SECRET
from ctg.diagnostics.portrait import build_portrait, territory_of_ctg
from ctg.diagnostics.presentation import value_text

STATUS_WORDS = {PARTIEL: "partiel", SECRET: "secret statistique", NON_DISPONIBLE: "non disponible"}


def indicator_choices() -> list[tuple[str, str]]:
    """The indicators of the catalogue, by label."""
    return sorted(((i.id, i.label) for i in INDICATORS), key=lambda choice: choice[1].lower())


def indicator_evidence(ctg, indicator_id: str) -> str:
    """« Taux de pauvreté : 14,2 % (2021) — source : Insee, FiLoSoFi 2021 » for the dossier's territory; the
    status when the figure is not complete (« partiel : 2 communes sur 3… », « non disponible »)."""
    indicator = BY_ID[indicator_id]
    territory = territory_of_ctg(ctg)
    portrait = build_portrait(territory, with_references=False, indicators={indicator_id})
    result = next((r for r in portrait.results if r.indicator.id == indicator_id), None)
    if result is None or result.value.value is None:
        status = result.value.status if result is not None else NON_DISPONIBLE
        note = result.value.note if result is not None else ""
        word = STATUS_WORDS.get(status, "non disponible")
        detail = f" — {note}" if note and word not in note else ""
        return f"{indicator.label} ({territory.name}) : {word}{detail}."
    value = result.value
    text = f"{indicator.label} ({territory.name}) : {value_text(value.value, indicator)}"
    if value.year:
        text += f" ({value.year})"
    if value.status != OK:
        text += f" — {value.note or STATUS_WORDS.get(value.status, value.status)}"
    if result.source:
        text += f" — source : {result.source}"
    if portrait.is_fictitious:
        text += " — données fictives (démonstration)"
    return text + "."
