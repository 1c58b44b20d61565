"""The comparison of a CTG with the one it renews (issue 16), « CTG 2019–2022 / 2023–2026 »: the key figures
of the territory's portrait (the newest vintage and the one before it, when both are loaded: the statistics
store keeps vintages, a dossier stores none, so both periods read the same store), the enjeux and the fiches
side by side (carried over, new, not carried over) and the previous CTG's final evaluation conclusions when
one exists (`previous_conclusions`, also the hook for the new dossier's diagnostic page)."""

import logging

from django.apps import apps

from ctg.conventions.models import Ctg
from ctg.diagnostics.catalogue import unit_for
from ctg.diagnostics.portrait import build_portrait, territory_of_ctg
from ctg.plans.models import FicheAction

logger = logging.getLogger(__name__)

KEY_FIGURES = (
    "population",
    "familles_avec_enfants",
    "part_familles_monoparentales",
    "enfants_moins_3_ans",
    "allocataires",
    "taux_pauvrete",
    "taux_couverture_accueil_jeune_enfant",
)

QUESTIONS = (
    ("coherence", "Cohérence et pertinence"),
    ("achievement", "Atteinte des objectifs"),
    ("means", "Moyens et efficience"),
    ("durability", "Pérennité"),
)


def _number(value) -> str:
    if value is None:
        return "—"
    rounded = round(value, 1)
    text = f"{rounded:,.1f}" if rounded != int(rounded) else f"{int(rounded):,}"
    return text.replace(",", "\u202f").replace(".", ",")


def _figure(value) -> dict:
    if value is None or value.value is None:
        return {"text": "non disponible", "year": value.year if value else None, "caveat": ""}
    return {"text": _number(value.value), "year": value.year, "caveat": value.caveat}


def key_figures(ctg: Ctg) -> dict:
    """The territory's key figures: for each, the newest vintage and the one before it (when loaded)."""
    try:
        portrait = build_portrait(territory_of_ctg(ctg), with_references=False, indicators=KEY_FIGURES)
    except Exception:  # a broken statistics store must not take the page down
        logger.exception("Key figures of the comparison of dossier %s", ctg.pk)
        return {"available": False, "reason": "Les chiffres clés du territoire n'ont pas pu être calculés."}
    if not portrait.datasets:
        return {"available": False, "reason": "Aucune statistique n'est chargée pour ce territoire."}
    rows = []
    for result in portrait.results:
        newest = _figure(result.value)
        rows.append(
            {
                "label": result.indicator.label,
                "unit": unit_for(result.indicator.unit, result.value.value if result.value else None),
                "previous": _figure(result.previous) if result.previous else None,
                "newest": newest,
            }
        )
    return {
        "available": True,
        "rows": rows,
        "both": any(row["previous"] for row in rows),
        "fictitious": list(portrait.fictitious_datasets),
    }


def _fiches(ctg: Ctg):
    return list(FicheAction.objects.filter(ctg=ctg).select_related("carried_from").order_by("position", "pk"))


def plans_side_by_side(previous: Ctg, new: Ctg) -> dict:
    new_fiches = _fiches(new)
    carried = {f.carried_from_id: f for f in new_fiches if f.carried_from_id}
    previous_fiches = _fiches(previous)
    old_rows = [
        {
            "fiche": f,
            "state": "reprise" if f.pk in carried else "non reprise",
            "continuation": carried.get(f.pk),
        }
        for f in previous_fiches
    ]
    new_rows = [
        {"fiche": f, "state": "reprise" if f.carried_from_id else "nouvelle", "origin": f.carried_from}
        for f in new_fiches
        if not f.carried_from_id or f.carried_from.ctg_id == previous.pk
    ]
    return {
        "previous_enjeux": list(previous.enjeux.order_by("position", "pk").values_list("title", flat=True)),
        "new_enjeux": list(new.enjeux.order_by("position", "pk").values_list("title", flat=True)),
        "previous_fiches": old_rows,
        "new_fiches": new_rows,
        "counts": {
            "carried": sum(1 for row in new_rows if row["state"] == "reprise"),
            "new": sum(1 for row in new_rows if row["state"] == "nouvelle"),
            "not_carried": sum(1 for row in old_rows if row["state"] == "non reprise"),
        },
    }


def previous_conclusions(ctg: Ctg) -> dict | None:
    """The conclusions of the final evaluation of the CTG `ctg` renews, on the CNAF's four questions, or None
    when it has no previous CTG or no final evaluation (the model is looked up by name: the final evaluation
    is built beside this module)."""
    if ctg.previous_id is None:
        return None
    try:
        model = apps.get_model("evaluation", "FinalEvaluation")
    except LookupError:
        return None
    evaluation = model.objects.filter(ctg_id=ctg.previous_id).first()
    if evaluation is None:
        return None
    answers = [{"label": label, "text": getattr(evaluation, name, "") or ""} for name, label in QUESTIONS]
    return {
        "answers": [a for a in answers if a["text"]],
        "validated": getattr(evaluation, "validated_at", None) is not None,
        "validated_at": getattr(evaluation, "validated_at", None),
    }


def compare(new: Ctg, *, previous_visible: bool) -> dict:
    """Everything the comparison page shows for the dossier `new` (the previous CTG's plan only when the
    person may read that dossier)."""
    previous = new.previous
    if previous is None:
        return {"previous": None}
    data = {
        "previous": previous,
        "title": f"CTG {previous.start_year}–{previous.end_year} / {new.start_year}–{new.end_year}",
        "figures": key_figures(new),
        "previous_visible": previous_visible,
        "conclusions": previous_conclusions(new) if previous_visible else None,
    }
    if previous_visible:
        data["plans"] = plans_side_by_side(previous, new)
    return data
