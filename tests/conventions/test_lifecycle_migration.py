"""Migration 0006_lifecycle: « élaboration » and « signée » become « plan d'action » (the signatures keep
their dates: a signed dossier stays signed), the other statuses keep their phase; and back again."""

import datetime

import pytest

from ctg.conventions.models import Ctg, Phase
from tests.migrations import migrate_to, migrate_to_latest

BEFORE = [("conventions", "0005_history_to_core")]
AFTER = [("conventions", "0006_lifecycle")]


@pytest.mark.django_db(transaction=True)
def test_statuses_become_phases_and_back(world):
    try:
        old = migrate_to(BEFORE)
        OldCtg, OldSignatory = old.get_model("conventions", "Ctg"), old.get_model("conventions", "Signatory")
        OldCtg.objects.filter(pk=world.ctg.pk).update(status="signee")
        for organisation_id in (world.ctg.caf_id, world.other_ctg.caf_id):
            OldSignatory.objects.create(
                ctg_id=world.ctg.pk,
                organisation_id=organisation_id,
                signer_name="A",
                signer_capacity="B",
                signed_on=datetime.date(2024, 11, 21),
            )
        OldCtg.objects.filter(pk=world.other_ctg.pk).update(status="elaboration")
        drafted = OldCtg.objects.get(pk=world.other_ctg.pk)
        statuses = {}
        for status in ("preparation", "diagnostic", "mise_en_oeuvre", "evaluation", "close"):
            ctg = OldCtg.objects.create(
                title=f"CTG {status}",
                caf_id=drafted.caf_id,
                epci_id=drafted.epci_id,
                territory_key=f"test:{status}",
                start_year=2025,
                end_year=2028,
                fields=[],
                status=status,
            )
            statuses[ctg.pk] = status
        new = migrate_to(AFTER)
        NewCtg = new.get_model("conventions", "Ctg")
        phases = dict(NewCtg.objects.values_list("pk", "phase"))
        assert phases[world.ctg.pk] == phases[world.other_ctg.pk] == "plan_action"
        assert all(phases[pk] == status for pk, status in statuses.items())
        assert set(NewCtg.objects.values_list("agreement", flat=True)) == {"convention"}
        back = migrate_to(BEFORE)
        OldCtg = back.get_model("conventions", "Ctg")
        old_statuses = dict(OldCtg.objects.values_list("pk", "status"))
        assert (old_statuses[world.ctg.pk], old_statuses[world.other_ctg.pk]) == ("signee", "elaboration")
        assert all(old_statuses[pk] == status for pk, status in statuses.items())
        migrate_to(AFTER)
    finally:
        migrate_to_latest()
    ctg = Ctg.objects.get(pk=world.ctg.pk)
    assert ctg.phase == Phase.PLAN_ACTION and ctg.is_signed
    assert ctg.signature_date == datetime.date(2024, 11, 21)
