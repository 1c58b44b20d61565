"""The bilans' services: opened once a year within the period, highlights, validation (who and when), each
change in the history on the bilan."""

import pytest
from django.core.exceptions import ValidationError

from ctg.core.models import HistoryEntry
from ctg.evaluation import services
from ctg.evaluation.models import BilanAnnuel
from ctg.organisations.permissions import Role
from tests.evaluation.factories import BilanFactory


def messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def last_history():
    return HistoryEntry.objects.order_by("-id").first()


def test_bilan_highlights_and_validation(world):
    actor = world.users[Role.PILOTE_CAF]
    bilan = services.bilan_create(ctg=world.ctg, actor=actor, year=2025)
    with pytest.raises(ValidationError, match="Le bilan 2025 existe déjà."):
        services.bilan_create(ctg=world.ctg, actor=actor, year=2025)
    with pytest.raises(ValidationError, match="hors de la période"):
        services.bilan_create(ctg=world.ctg, actor=actor, year=2029)
    services.bilan_set_highlights(bilan=bilan, actor=actor, highlights="Ouverture du RPE.")
    assert last_history().labelled_changes == {"faits marquants": ["", "Ouverture du RPE."]}
    services.bilan_validate(bilan=bilan, actor=actor)
    bilan.refresh_from_db()
    assert bilan.status == BilanAnnuel.Status.VALIDATED
    assert bilan.validated_by == actor and bilan.validated_at is not None
    entry = last_history()
    assert (entry.item_type, entry.item_id, entry.labelled_changes) == (
        "bilanannuel",
        bilan.pk,
        {"statut": ["Brouillon", "Validé"]},
    )
    with pytest.raises(ValidationError) as error:
        services.bilan_validate(bilan=bilan, actor=world.users[Role.COORDINATION])
    assert f"Le bilan 2025 a déjà été validé par {actor.get_full_name()}" in messages(error.value)
    with pytest.raises(ValidationError, match="est validé"):
        services.bilan_set_highlights(bilan=bilan, actor=actor, highlights="Autre chose")
    bilan.refresh_from_db()
    assert bilan.validated_by == actor and bilan.highlights == "Ouverture du RPE."


def test_bilan_factory_defaults(db):
    assert BilanFactory().status == BilanAnnuel.Status.DRAFT
