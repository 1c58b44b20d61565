"""The milestones of a dossier, dated to the day or the month."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ctg.conventions.models import (
    Ctg,
    DatePrecision,
    Milestone,
)
from ctg.conventions.services.common import _display
from ctg.core.history import history_record, register_labels, tracked_update
from ctg.core.models import Action

MILESTONE_FIELDS = register_labels(
    Action.MILESTONE,
    {
        "kind": "type",
        "title": "intitulé",
        "date": "date",
        "date_precision": "précision de la date",
        "done": "réalisé",
        "notes": "notes",
    },
)


def dated(date, precision: str, *, done: bool, field: str = "date"):
    """The date to store for `precision` (the first of the month when only the month is known), refused when
    the precision is unknown or when something marked done is dated after today (or in a month to come)."""
    if precision not in DatePrecision.values:
        raise ValidationError({field: "Précision de date inconnue : jour ou mois."})
    if date is None:
        raise ValidationError({field: "La date est obligatoire."})
    today = timezone.localdate()
    if precision == DatePrecision.MONTH:
        date = date.replace(day=1)
        if done and (date.year, date.month) > (today.year, today.month):
            raise ValidationError({field: "Un jalon réalisé ne peut pas être daté d'un mois à venir."})
    elif done and date > today:
        raise ValidationError({field: "Un jalon réalisé ne peut pas être daté d'un jour à venir."})
    return date


def _milestone_display(value) -> str:
    if isinstance(value, str) and value in DatePrecision.values:
        return DatePrecision(value).label
    return _display(value)


@transaction.atomic
def milestone_create(
    *,
    ctg: Ctg,
    actor,
    kind: str,
    title: str,
    date,
    date_precision: str = DatePrecision.DAY,
    done: bool = False,
    notes: str = "",
) -> Milestone:
    """A milestone of the dossier's calendar; `date_precision` « month » when only the month is known (the
    date is then stored as the first of the month and shown « octobre 2023 »)."""
    date = dated(date, date_precision, done=done)
    milestone = Milestone(
        ctg=ctg,
        kind=kind,
        title=(title or "").strip(),
        date=date,
        date_precision=date_precision,
        done=done,
        notes=notes,
        created_by=actor,
        updated_by=actor,
    )
    milestone.full_clean()
    milestone.save()
    history_record(ctg=ctg, actor=actor, action=Action.MILESTONE, summary=f"Jalon ajouté : {milestone}")
    return milestone


@transaction.atomic
def milestone_update(*, milestone: Milestone, actor, **values) -> Milestone:
    unknown = set(values) - set(MILESTONE_FIELDS)
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    values["date"] = dated(
        values.get("date", milestone.date),
        values.get("date_precision", milestone.date_precision),
        done=values.get("done", milestone.done),
    )
    tracked_update(
        milestone,
        actor=actor,
        ctg=milestone.ctg,
        item=None,
        values=values,
        action=Action.MILESTONE,
        summary=lambda labels: f"Jalon modifié : {milestone}",
        display=_milestone_display,
        full_clean=True,
    )
    return milestone


@transaction.atomic
def milestone_delete(*, milestone: Milestone, actor) -> None:
    ctg, label = milestone.ctg, str(milestone)
    milestone.delete()
    history_record(ctg=ctg, actor=actor, action=Action.MILESTONE, summary=f"Jalon supprimé : {label}")
