"""Text helpers shared by the import and the search: pure functions, no ORM."""

import re
import unicodedata

# Letters that NFKD does not split into a base letter and a combining accent.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
# Hyphens and apostrophes separate words: "saint jean" must find "Saint-Jean", "l abergement" "L'Abergement".
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—'’‘`´ʼ.,;/()]+")
# EPCI names abbreviate ("CC de St-Gildas"), people type "st jean": both sides spell the word out.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def normalize(text: str, *, partial: bool = False) -> str:
    """Lower-case, accent-free, single-spaced form of a place name, used to search.

    With `partial`, the text is a query being typed: its last word may be the beginning of a longer one
    ("st" of "Strasbourg"), so it is not taken for an abbreviation.
    """
    text = (text or "").translate(_LIGATURES)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    words = _SEPARATORS.sub(" ", text.lower()).split()
    last = len(words) - 1 if partial else len(words)
    return " ".join(_ABBREVIATIONS.get(word, word) if i < last else word for i, word in enumerate(words))


def format_number(value, decimals: int = 0) -> str:
    """French-style number for console output: 34 969, 12,3 (non-breaking space, decimal comma)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u00a0").replace(".", ",")
