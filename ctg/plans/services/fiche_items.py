"""What belongs to a fiche action besides its fields: its yearly steps, its budget lines, its attachments
and its comments; each change is recorded in the history on the fiche."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from ctg.core.history import history_record, register_labels
from ctg.core.models import Action
from ctg.plans import rules
from ctg.plans.models import (
    Attachment,
    BudgetLine,
    Comment,
    FicheAction,
    FicheStep,
    Funder,
)
from ctg.plans.services.common import (
    _check_choice,
    _display,
    _person,
    _text,
    check_year_in_period,
    parse_amount,
)
from ctg.text import clean_text
from ctg.uploads import DOCUMENT_EXTENSIONS, DOCUMENT_MAX_BYTES, check_upload, file_name

# The history's changes are keyed by field name or a stable key; their French labels, declared once. A budget
# line's changes are keyed by what they are (« budget 2025 CAF prévu »): they show as they are.
register_labels(Action.STEPS, {"steps": "étapes"})
register_labels(Action.ATTACHMENT, {"attachment": "pièce jointe"})
register_labels(Action.COMMENT, {"comment": "commentaire"})


def _steps_text(steps) -> str:
    return " ; ".join(f"{year} : {description}" for year, description in steps)


@transaction.atomic
def fiche_steps_set(*, fiche: FicheAction, actor, steps: Iterable[tuple[int, str]]) -> list[FicheStep]:
    """Replaces the yearly steps of the fiche's calendar."""
    ctg = fiche.ctg
    cleaned = []
    period = rules.Period.of(ctg)
    for year, description in steps or []:
        description = clean_text(description or "", multiline=True).strip()
        problems = rules.step_problems(year, description, period)
        if problems:
            raise ValidationError(rules.as_errors(problems))
        cleaned.append((int(year), description))
    cleaned.sort(key=lambda step: step[0])
    before = [(s.year, s.description) for s in fiche.steps.order_by("year", "id")]
    if before == cleaned:
        return list(fiche.steps.order_by("year", "id"))
    fiche.steps.all().delete()
    created = [
        FicheStep.objects.create(
            fiche=fiche, year=year, description=text, created_by=_person(actor), updated_by=_person(actor)
        )
        for year, text in cleaned
    ]
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.STEPS,
        summary=f"Calendrier modifié : « {fiche.title} »",
        changes={"steps": [_steps_text(before), _steps_text(cleaned)]},
        item=fiche,
    )
    return created


@transaction.atomic
def budget_set(*, fiche: FicheAction, actor, year: int, funder: str, planned, spent) -> BudgetLine:
    """Creates or updates the budget line of one funder and one year (amounts in euros, ≥ 0)."""
    year = check_year_in_period(fiche.ctg, year)
    funder = _check_choice(funder, Funder, field="funder", label="Financeur")
    planned = parse_amount(planned, field="planned", label="Le montant prévu")
    spent = parse_amount(spent, field="spent", label="Le montant réalisé")
    line = BudgetLine.objects.select_for_update().filter(fiche=fiche, year=year, funder=funder).first()
    label = f"budget {year} {Funder(funder).label}"
    if line is None:
        line = BudgetLine.objects.create(
            fiche=fiche,
            year=year,
            funder=funder,
            planned=planned,
            spent=spent,
            created_by=_person(actor),
            updated_by=_person(actor),
        )
        changes = {f"{label} prévu": ["", _display(planned)], f"{label} réalisé": ["", _display(spent)]}
    else:
        changes = {}
        if line.planned != planned:
            changes[f"{label} prévu"] = [_display(line.planned), _display(planned)]
        if line.spent != spent:
            changes[f"{label} réalisé"] = [_display(line.spent), _display(spent)]
        if not changes:
            return line
        line.planned, line.spent, line.updated_by = planned, spent, _person(actor)
        line.save()
    history_record(
        ctg=fiche.ctg,
        actor=actor,
        action=Action.BUDGET,
        summary=f"Budget de « {fiche.title} » : {Funder(funder).label} {year}",
        changes=changes,
        item=fiche,
    )
    return line


@transaction.atomic
def budget_delete(*, line: BudgetLine, actor) -> None:
    fiche = line.fiche
    label = f"budget {line.year} {line.get_funder_display()}"
    changes = {
        f"{label} prévu": [_display(line.planned), ""],
        f"{label} réalisé": [_display(line.spent), ""],
    }
    line.delete()
    history_record(
        ctg=fiche.ctg,
        actor=actor,
        action=Action.BUDGET,
        summary=f"Ligne de budget supprimée de « {fiche.title} » : {label}",
        changes=changes,
        item=fiche,
    )


ATTACHMENT_EXTENSIONS = DOCUMENT_EXTENSIONS


ATTACHMENT_MAX_BYTES = DOCUMENT_MAX_BYTES


@transaction.atomic
def attachment_add(*, fiche: FicheAction, actor, file, title: str = "") -> Attachment:
    """A document attached to a fiche (convention of a partner, photo, report…)."""
    name = file_name(file)
    check_upload(file, field="file", allowed=ATTACHMENT_EXTENSIONS, max_bytes=ATTACHMENT_MAX_BYTES)
    title = _text(title, field="title", label="L'intitulé", max_length=250) or name
    attachment = Attachment.objects.create(
        fiche=fiche, file=file, title=title, created_by=_person(actor), updated_by=_person(actor)
    )
    history_record(
        ctg=fiche.ctg,
        actor=actor,
        action=Action.ATTACHMENT,
        summary=f"Pièce jointe ajoutée à « {fiche.title} » : {title}",
        changes={"attachment": ["", title]},
        item=fiche,
    )
    return attachment


@transaction.atomic
def comment_add(*, fiche: FicheAction, actor, text: str) -> Comment:
    """A comment on a fiche (partners and référents may comment: `Op.CONTRIBUTE`, checked by the view)."""
    text = _text(text, field="text", label="Le commentaire", required=True, max_length=5000)
    comment = Comment.objects.create(
        fiche=fiche, text=text, created_by=_person(actor), updated_by=_person(actor)
    )
    history_record(
        ctg=fiche.ctg,
        actor=actor,
        action=Action.COMMENT,
        summary=f"Commentaire sur « {fiche.title} » : {text[:200]}",
        changes={"comment": ["", text]},
        item=fiche,
    )
    return comment
