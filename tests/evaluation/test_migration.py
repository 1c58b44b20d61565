"""The yearly bilan's move from ctg.plans to ctg.evaluation: rows written before it are still there after it,
in the renamed table, with their content type and their history (built with the historical models through the
migration executor, then migrated)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from ctg.core.models import Action, HistoryEntry
from ctg.evaluation.models import BilanAnnuel
from tests.migrations import migrate_to, migrate_to_latest, table_names

BEFORE = [("plans", "0001_initial"), ("evaluation", None)]
AFTER = [("plans", "0002_bilan_to_evaluation"), ("evaluation", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_kept(world):
    coordination = world.users["coordination"]
    validated_at = timezone.now().replace(microsecond=0)
    try:
        old_apps = migrate_to(BEFORE)
        assert "plans_bilanannuel" in table_names() and "evaluation_bilanannuel" not in table_names()
        content_type = ContentType.objects.get(model="bilanannuel")
        assert content_type.app_label == "plans"
        OldBilan = old_apps.get_model("plans", "BilanAnnuel")
        old_bilan = OldBilan.objects.create(
            ctg_id=world.ctg.pk,
            year=2025,
            highlights="Ouverture du RPE.",
            status="valide",
            validated_at=validated_at,
            validated_by_id=coordination.pk,
            created_by_id=coordination.pk,
        )
        HistoryEntry.objects.create(
            ctg=world.ctg,
            action=Action.BILAN,
            summary="Bilan 2025 : faits marquants modifiés",
            changes={"highlights": ["", "Ouverture du RPE."]},
            item_type="bilanannuel",
            item_id=old_bilan.pk,
        )
        migrate_to(AFTER)
    finally:
        migrate_to_latest()

    assert "evaluation_bilanannuel" in table_names() and "plans_bilanannuel" not in table_names()
    bilan = BilanAnnuel.objects.get(pk=old_bilan.pk)
    assert (bilan.ctg, bilan.year, bilan.highlights, bilan.status) == (
        world.ctg,
        2025,
        "Ouverture du RPE.",
        BilanAnnuel.Status.VALIDATED,
    )
    assert (bilan.validated_by, bilan.validated_at, bilan.created_by) == (
        coordination,
        validated_at,
        coordination,
    )
    assert list(world.ctg.bilans.all()) == [bilan]
    # The content type followed the table, id kept (permissions and the admin log keep pointing at it).
    ContentType.objects.clear_cache()
    moved = ContentType.objects.get_for_model(BilanAnnuel)
    assert (moved.app_label, moved.pk) == ("evaluation", content_type.pk)
    assert not ContentType.objects.filter(app_label="plans", model="bilanannuel").exists()
    # The history still finds its item and shows its labels.
    entry = HistoryEntry.objects.get(ctg=world.ctg, item_type="bilanannuel", item_id=bilan.pk)
    assert entry.labelled_changes == {"faits marquants": ["", "Ouverture du RPE."]}
