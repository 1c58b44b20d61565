"""The yearly bilans of the plan: opened for a year of the CTG, highlights typed, then validated (who and
when); each change is recorded in the history on the bilan."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ctg.conventions.models import Ctg
from ctg.core.history import history_record, register_labels
from ctg.core.models import Action
from ctg.plans.models import (
    BilanAnnuel,
)
from ctg.plans.services.common import _person, _person_name, _text, check_year_in_period

# The history's changes are keyed by field name; the labels that are not the fields' verbose names.
register_labels(Action.BILAN, {"year": "bilan"})


@transaction.atomic
def bilan_create(*, ctg: Ctg, actor, year: int, highlights: str = "") -> BilanAnnuel:
    year = check_year_in_period(ctg, year)
    if BilanAnnuel.objects.filter(ctg=ctg, year=year).exists():
        raise ValidationError({"year": f"Le bilan {year} existe déjà."})
    bilan = BilanAnnuel.objects.create(
        ctg=ctg,
        year=year,
        highlights=_text(highlights, field="highlights", label="Les faits marquants"),
        created_by=_person(actor),
        updated_by=_person(actor),
    )
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.BILAN,
        summary=f"Bilan {year} ouvert",
        changes={"year": ["", str(year)]},
        item=bilan,
    )
    return bilan


@transaction.atomic
def bilan_set_highlights(*, bilan: BilanAnnuel, actor, highlights: str) -> BilanAnnuel:
    current = BilanAnnuel.objects.select_for_update().get(pk=bilan.pk)
    if current.status == BilanAnnuel.Status.VALIDATED:
        raise ValidationError(f"Le bilan {current.year} est validé : ses faits marquants ne changent plus.")
    highlights = _text(highlights, field="highlights", label="Les faits marquants")
    if highlights == current.highlights:
        return current
    before = current.highlights
    current.highlights, current.updated_by = highlights, _person(actor)
    current.save()
    history_record(
        ctg=current.ctg,
        actor=actor,
        action=Action.BILAN,
        summary=f"Bilan {current.year} : faits marquants modifiés",
        changes={"highlights": [before, highlights]},
        item=current,
    )
    bilan.highlights = highlights
    return current


@transaction.atomic
def bilan_validate(*, bilan: BilanAnnuel, actor) -> BilanAnnuel:
    current = (
        BilanAnnuel.objects.select_for_update(of=("self",)).select_related("validated_by").get(pk=bilan.pk)
    )
    if current.status == BilanAnnuel.Status.VALIDATED:
        when = timezone.localtime(current.validated_at)
        raise ValidationError(
            f"Le bilan {current.year} a déjà été validé par {_person_name(current.validated_by)} "
            f"le {when:%d/%m/%Y}."
        )
    current.status = BilanAnnuel.Status.VALIDATED
    current.validated_at = timezone.now()
    current.validated_by = _person(actor)
    current.updated_by = _person(actor)
    current.save()
    history_record(
        ctg=current.ctg,
        actor=actor,
        action=Action.BILAN,
        summary=f"Bilan {current.year} validé",
        changes={"status": [BilanAnnuel.Status.DRAFT.label, BilanAnnuel.Status.VALIDATED.label]},
        item=current,
    )
    bilan.status, bilan.validated_at, bilan.validated_by = (
        current.status,
        current.validated_at,
        current.validated_by,
    )
    return current
