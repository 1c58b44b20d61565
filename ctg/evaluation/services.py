"""Writes on the yearly bilans of the plan: opened for a year of the CTG, highlights typed, then validated
(who and when); each change is recorded in the history on the bilan (`item_type` "bilanannuel")."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ctg.conventions.models import Ctg
from ctg.core.history import history_record, person, register_labels
from ctg.core.models import Action
from ctg.evaluation.models import BilanAnnuel
from ctg.plans.services import check_year_in_period
from ctg.text import clean_text

# The history's changes are keyed by field name; the labels that are not the fields' verbose names.
register_labels(Action.BILAN, {"year": "bilan"})


def _highlights(value) -> str:
    # Control characters removed for the callers without a form too (the demo); see ctg.text.
    return clean_text(value or "", multiline=True).strip()


def _person_name(user) -> str:
    if user is None:
        return "une personne (compte supprimé)"
    return user.get_full_name() or user.email


@transaction.atomic
def bilan_create(*, ctg: Ctg, actor, year: int, highlights: str = "") -> BilanAnnuel:
    year = check_year_in_period(ctg, year)
    if BilanAnnuel.objects.filter(ctg=ctg, year=year).exists():
        raise ValidationError({"year": f"Le bilan {year} existe déjà."})
    bilan = BilanAnnuel.objects.create(
        ctg=ctg,
        year=year,
        highlights=_highlights(highlights),
        created_by=person(actor),
        updated_by=person(actor),
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
    highlights = _highlights(highlights)
    if highlights == current.highlights:
        return current
    before = current.highlights
    current.highlights, current.updated_by = highlights, person(actor)
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
    current.validated_by = person(actor)
    current.updated_by = person(actor)
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
