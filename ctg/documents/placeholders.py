"""The placeholders of a convention model: `{{ territoire.nom }}`, `{{ periode }}`…

Pure functions, no Django template engine on the text typed by a CAF (no tag, no filter, no attribute access
beyond the catalogue): `validate(text)` lists what is wrong in French, `render(text, values)` replaces each
placeholder by its value. Values are computed from the dossier by `ctg.documents.content.placeholder_values`.
"""

import difflib
import re

from ctg.territories import french

# « de » or « à » just before a placeholder: joined to its value as French writes it (« de » + « les
# communes … » → « des communes … », « de » + « Aureil » → « d'Aureil »).
_PREPOSITION_BEFORE = re.compile(r"(?:(?<=^)|(?<=[\s(«'’]))([Dd]e|[Àà]) $")

# name → French description, in the order shown on the model page.
CATALOGUE: dict[str, str] = {
    "intitule": "Intitulé du dossier CTG.",
    "territoire.nom": "Nom du territoire (l'intercommunalité, ou la liste des communes).",
    "territoire.type": (
        "Le territoire avec son article : « la communauté de communes … » ou « les communes de … » ; "
        "précédé de « de » ou « à », il s'accorde : « de {{ territoire.type }} » donne « des communes … »."
    ),
    "territoire.communes": "Liste des communes du territoire, séparées par des virgules.",
    "territoire.nombre_communes": "Nombre de communes du territoire (« 16 communes »).",
    "territoire.population": "Population municipale du territoire (habitants).",
    "periode": "Période de la convention, par exemple « 2025-2028 ».",
    "annee_debut": "Première année de la convention.",
    "annee_fin": "Dernière année de la convention.",
    "duree": "Durée de la convention, par exemple « 4 ans ».",
    "caf.nom": "Nom de la CAF signataire, par exemple « CAF du Tarn ».",
    "champs": "Champs d'intervention retenus, séparés par des virgules.",
    "signataires": "Liste des signataires (organisation, représentant·e et qualité), un par ligne.",
    "partenaires": "Partenaires associés (non signataires), séparés par des virgules.",
    "instances": (
        "Instances de gouvernance (comité de pilotage, comité technique…) et leurs membres, une par ligne."
    ),
    "coordination.poste": "Poste de coordination : personne, employeur et temps de travail (ETP).",
    "date_signature": (
        "Date de la dernière signature quand tous les signataires ont signé, sinon « non signée »."
    ),
}

OPEN, CLOSE = "{{", "}}"


def known_names() -> str:
    return ", ".join(CATALOGUE)


def _unknown_message(name: str, catalogue: dict) -> str:
    close = difflib.get_close_matches(name, list(catalogue), n=1, cutoff=0.6)
    if close:
        return f"Repère inconnu : « {{{{ {name} }}}} ». Vouliez-vous dire « {{{{ {close[0]} }}}} » ?"
    return f"Repère inconnu : « {{{{ {name} }}}} ». Repères disponibles : {', '.join(catalogue)}."


def _scan(text: str, catalogue: dict | None = None):
    """Yields ("text", chunk) and ("placeholder", name) pieces, or ("error", message). `catalogue`: the
    known names (the convention's `CATALOGUE` by default; the post's funding convention has its own)."""
    catalogue = CATALOGUE if catalogue is None else catalogue
    position = 0
    while True:
        start = text.find(OPEN, position)
        if start < 0:
            yield "text", text[position:]
            return
        yield "text", text[position:start]
        end = text.find(CLOSE, start + len(OPEN))
        next_open = text.find(OPEN, start + len(OPEN))
        if end < 0 or (0 <= next_open < end):
            excerpt = text[start : start + 30].split("\n")[0]
            yield "error", f"Accolades « {{{{ » non fermées : « {excerpt} »."
            position = start + len(OPEN) if end < 0 else next_open
            if end < 0:
                return
            continue
        inner = text[start + len(OPEN) : end].strip()
        position = end + len(CLOSE)
        if "|" in inner:
            yield (
                "error",
                f"Les filtres ne sont pas autorisés : « {{{{ {inner} }}}} » (écrivez « {{{{ nom }}}} »).",
            )
        elif not inner:
            yield "error", "Repère vide : « {{ }} »."
        elif inner not in catalogue:
            yield "error", _unknown_message(inner, catalogue)
        else:
            yield "placeholder", inner


def validate(text: str, catalogue: dict | None = None) -> list[str]:
    """French messages for every problem of the text; empty when it can be rendered."""
    text = text or ""
    errors = []
    if "{%" in text or "%}" in text:
        errors.append(
            "Les balises « {% … %} » ne sont pas autorisées : utilisez uniquement des repères « {{ nom }} »."
        )
    if "{#" in text:
        errors.append("Les commentaires « {# … #} » ne sont pas autorisés.")
    for kind, value in _scan(text, catalogue):
        if kind == "error" and value not in errors:
            errors.append(value)
    return errors


def used(text: str, catalogue: dict | None = None) -> list[str]:
    """The known placeholders used in the text, in order, without duplicates."""
    names = []
    for kind, value in _scan(text or "", catalogue):
        if kind == "placeholder" and value not in names:
            names.append(value)
    return names


def render(text: str, values: dict, catalogue: dict | None = None) -> str:
    """The text with each placeholder replaced by `values[name]` (missing value: empty), a « de » or « à »
    just before it joined to the value (« de {{ territoire.type }} » → « des communes … »). A text that
    does not validate raises ValueError (its messages joined)."""
    errors = validate(text, catalogue)
    if errors:
        raise ValueError(" ".join(errors))
    parts = []
    for kind, value in _scan(text or "", catalogue):
        if kind == "text":
            parts.append(value)
        else:
            replacement = values.get(value, "")
            replacement = "" if replacement is None else str(replacement)
            before = _PREPOSITION_BEFORE.search(parts[-1]) if parts and replacement else None
            if before:
                parts[-1] = parts[-1][: before.start()]
                replacement = french.contract(before.group(1), replacement)
            parts.append(replacement)
    return "".join(parts)


def join_fr(items) -> str:
    """["a", "b", "c"] → « a, b et c »."""
    items = [str(i) for i in items if str(i)]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " et " + items[-1]
