"""What the answering form needs besides the rules: the form's items drawn from the structure (shared by the
public page, the preview and the paper entry), and the abuse checks of the public page (a honeypot field, a
signed timestamp giving the minimum time between the display and the submission)."""

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing

from ctg.surveys import rules

HONEYPOT = "site_web"
STAMP = "horodatage"
_SALT = "ctg.surveys.form-stamp"


def min_seconds() -> float:
    return float(getattr(settings, "CTG_SURVEY_MIN_SECONDS", 3))


def form_stamp(now: float | None = None) -> str:
    """A signed timestamp put in the form when it is shown."""
    return signing.dumps({"t": now if now is not None else time.time()}, salt=_SALT)


def abuse_problem(data) -> str | None:
    """Why a public submission looks automated (the honeypot filled, the stamp missing, forged or too recent),
    else None."""
    if str(data.get(HONEYPOT, "")).strip():
        return "Votre réponse n'a pas pu être enregistrée : un champ caché a été rempli."
    try:
        stamp = signing.loads(str(data.get(STAMP, "")), salt=_SALT, max_age=2 * 24 * 3600)
        shown = float(stamp["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return "Le formulaire a expiré ou a été modifié : rechargez la page et répondez à nouveau."
    if time.time() - shown < min_seconds():
        return (
            "Votre réponse a été envoyée trop vite après l'affichage du formulaire : vérifiez-la et "
            "envoyez-la à nouveau."
        )
    return None


@dataclass
class Item:
    """A question as the form draws it, with the submitted values (when shown again) and its errors."""

    question: object
    values: list = field(default_factory=list)
    other: str = ""
    errors: list = field(default_factory=list)
    cells: list = field(default_factory=list)
    scale: list = field(default_factory=list)
    ranks: list = field(default_factory=list)
    condition_text: str = ""


@dataclass
class SectionItems:
    section: object
    items: list


def form_sections(questionnaire, data=None, errors=None) -> list[SectionItems]:
    """The sections and their questions as the form draws them; `data` (a submitted form) fills them again,
    `errors` ({"q<id>": [messages]}) puts the messages on them."""
    errors = errors or {}
    questions = list(
        questionnaire.questions.select_related("section", "condition_question", "condition_option")
        .prefetch_related("options")
        .order_by("section__order", "section_id", "order", "id")
    )
    by_section: dict[int, list] = {}
    for question in questions:
        item = Item(question=question, errors=list(errors.get(f"q{question.pk}", [])))
        if data is not None:
            item.values = [str(v) for v in data.getlist(f"q{question.pk}")]
            item.other = str(data.get(f"q{question.pk}-autre", ""))
        if question.kind == "grille_horaire":
            cells = rules.schedule_cells(question.schedule_days, question.schedule_slots)
            slots = list(dict.fromkeys(slot for _c, _d, slot in cells))
            days = list(dict.fromkeys(day for _c, day, _s in cells))
            item.cells = [
                {"day": day, "cells": [(code, slot) for code, d, slot in cells if d == day]} for day in days
            ]
            item.scale = slots
        elif question.kind == "echelle":
            low, high = rules.scale_bounds(
                rules.QuestionRule(
                    id=0, kind="echelle", min_value=question.min_value, max_value=question.max_value
                )
            )
            item.scale = [str(step) for step in range(low, high + 1)]
        elif question.kind == "classement":
            options = list(question.options.all())
            item.ranks = [
                {"rank": rank, "chosen": item.values[rank - 1] if rank <= len(item.values) else ""}
                for rank in range(1, len(options) + 1)
            ]
        if question.condition_question_id:
            item.condition_text = condition_text(question)
        by_section.setdefault(question.section_id, []).append(item)
    return [
        SectionItems(section=section, items=by_section.get(section.pk, []))
        for section in questionnaire.sections.order_by("order", "id")
    ]


def condition_text(question) -> str:
    """The display condition in words, shown with the question (the form without its script)."""
    source = question.condition_question.label
    if question.condition_operator == "a_repondu":
        return f"À remplir seulement si vous avez répondu à « {source} »."
    if question.condition_operator == "n_a_pas_repondu":
        return f"À remplir seulement si vous n'avez pas répondu à « {source} »."
    option = question.condition_option.label if question.condition_option_id else ""
    operator = question.get_condition_operator_display()
    return f"À remplir seulement si la réponse à « {source} » {operator} « {option} »."
