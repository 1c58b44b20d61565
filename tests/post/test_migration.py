"""The coordinator post's move from ctg.governance to ctg.post: rows written before it are still there after
it, in the renamed tables, with their content types (built with the historical models through the migration
executor, then migrated)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from ctg.core.models import Action, HistoryEntry
from ctg.post.models import ActivityReport, CoordinatorPost, PostFunding
from tests.migrations import migrate_to, migrate_to_latest, table_names

BEFORE = [("governance", "0002_decision_without_effect"), ("post", None)]
AFTER = [("governance", "0003_post_to_post_app"), ("post", "0001_initial")]
TABLES = ("coordinatorpost", "postfunding", "activityreport")


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_kept(world):
    try:
        old_apps = migrate_to(BEFORE)
        assert {f"governance_{name}" for name in TABLES} <= table_names()
        assert not {f"post_{name}" for name in TABLES} & table_names()
        content_types = dict(ContentType.objects.filter(model__in=TABLES).values_list("model", "pk"))
        assert set(content_types) == set(TABLES)
        assert set(ContentType.objects.filter(model__in=TABLES).values_list("app_label", flat=True)) <= {
            "governance"
        }
        OldPost = old_apps.get_model("governance", "CoordinatorPost")
        OldFunding = old_apps.get_model("governance", "PostFunding")
        OldReport = old_apps.get_model("governance", "ActivityReport")
        old_post = OldPost.objects.create(
            ctg_id=world.ctg.pk,
            person_name="Claire Martin",
            employer_id=world.ctg.caf_id,
            fte=Decimal("0.80"),
            start_date=datetime.date(2025, 1, 6),
            missions="Animer la démarche CTG.",
            created_by_id=world.users["coordination"].pk,
        )
        old_funding = OldFunding.objects.create(
            post=old_post, year=2025, amount_agreed=Decimal("22500.00"), advance_paid=Decimal("11250.00")
        )
        old_report = OldReport.objects.create(
            post=old_post, year=2025, priorities="Jeunesse.", status="envoye"
        )
        HistoryEntry.objects.create(
            ctg=world.ctg,
            action=Action.POST,
            summary="Poste de coordination enregistré",
            changes={"person_name": ["", "Claire Martin"]},
            item_type="coordinatorpost",
            item_id=old_post.pk,
        )
        migrate_to(AFTER)
    finally:
        migrate_to_latest()

    assert {f"post_{name}" for name in TABLES} <= table_names()
    assert not {f"governance_{name}" for name in TABLES} & table_names()
    post = CoordinatorPost.objects.get(pk=old_post.pk)
    assert (post.ctg, post.employer, post.person_name, post.fte, post.created_by) == (
        world.ctg,
        world.ctg.caf,
        "Claire Martin",
        Decimal("0.80"),
        world.users["coordination"],
    )
    assert world.ctg.coordinator_post == post
    funding = PostFunding.objects.get(pk=old_funding.pk)
    assert (funding.post, funding.year, funding.remaining) == (post, 2025, Decimal("11250.00"))
    report = ActivityReport.objects.get(pk=old_report.pk)
    assert (report.post, report.status, report.priorities) == (post, ActivityReport.Status.SENT, "Jeunesse.")
    # The content types followed the tables, ids kept (permissions and the admin log keep pointing at them).
    ContentType.objects.clear_cache()
    for model in (CoordinatorPost, PostFunding, ActivityReport):
        content_type = ContentType.objects.get_for_model(model)
        assert content_type.app_label == "post"
        assert content_types[model._meta.model_name] == content_type.pk
    assert not ContentType.objects.filter(app_label="governance", model__in=TABLES).exists()
    # The history still finds its item and shows its labels.
    entry = HistoryEntry.objects.get(ctg=world.ctg, item_type="coordinatorpost", item_id=post.pk)
    assert entry.labelled_changes == {"personne": ["", "Claire Martin"]}
