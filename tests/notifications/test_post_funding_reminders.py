"""Reminders of the coordinator post's yearly funding convention: each step on the right days only
(`due_reminders(day)`), to the right people (the coordination for the request and the report, the CAF for its
decision, the convention, the payments; both for the signature)."""

import datetime
from decimal import Decimal

import pytest

from ctg.conventions.models import Phase
from ctg.notifications.models import Notification
from ctg.notifications.reminders import due_reminders, send_reminders
from ctg.post.models import ActivityReport, PostFunding

from .helpers import make_pilot_member, post

D = datetime.date
CAF = "pilote@caf.fr"
COORDINATION = "coordination@epci.fr"


@pytest.fixture(autouse=True)
def dossier(world):
    world.other_ctg.end_year = 2030  # its end of period stays out of these tests
    world.other_ctg.save()
    make_pilot_member(world)


def convention(world, day):
    return sorted((r.user.email, r.key) for r in due_reminders(day) if r.key.startswith("convention_poste:"))


def line(item, year, **values):
    defaults = {"amount_requested": Decimal("24000"), "requested_on": D(year - 1, 11, 10)}
    return PostFunding.objects.create(post=item, year=year, **{**defaults, **values})


def test_the_request_is_reminded_to_the_coordination_from_the_first_of_november(world):
    item = post(world.ctg)
    line(item, 2026, amount_agreed=Decimal("22500"), decided_on=D(2026, 1, 20), convention_version=1,
         signed_on=D(2026, 2, 3), advance_paid=Decimal("11250"), advance_paid_on=D(2026, 2, 20))  # fmt: skip
    key = f"convention_poste:{item.pk}:2027:a_demander"
    assert (COORDINATION, key) not in convention(world, D(2026, 10, 31))
    assert [r for r in convention(world, D(2026, 11, 1)) if r[1] == key] == [(COORDINATION, key)]
    reminder = next(r for r in due_reminders(D(2026, 11, 1)) if r.key == key)
    assert reminder.kind == Notification.Kind.FUNDING
    assert (
        reminder.title
        == "Convention de financement 2027 du poste : faire la demande de financement 2027 à la CAF"
    )
    assert "avant le 31/12/2026" in reminder.message and "à faire par la coordination" in reminder.message
    assert reminder.url == f"/gouvernance/ctg/{world.ctg.pk}/poste/#conventions"
    # Once requested, the CAF is reminded of its decision (from 14 days before 31 January).
    line(item, 2027)
    decision = f"convention_poste:{item.pk}:2027:demandee"
    assert (CAF, decision) not in convention(world, D(2027, 1, 16))
    assert (CAF, decision) in convention(world, D(2027, 1, 17))
    assert (COORDINATION, decision) not in convention(world, D(2027, 1, 17))


def test_a_post_whose_convention_is_not_followed_gets_no_convention_reminder(world):
    item = post(world.ctg)
    PostFunding.objects.create(post=item, year=2026, amount_agreed=Decimal("22500"))  # amounts only
    assert convention(world, D(2026, 11, 1)) == [] and convention(world, D(2027, 3, 30)) == []


@pytest.mark.parametrize(
    "generated",
    [
        datetime.datetime(2026, 2, 1, 9, tzinfo=datetime.UTC),
        # 23:30 UTC on 31 January is 1 February in France: the French day counts.
        datetime.datetime(2026, 1, 31, 23, 30, tzinfo=datetime.UTC),
    ],
)
def test_the_signature_is_reminded_to_both_sides(world, generated):
    item = post(world.ctg)
    line(item, 2026, amount_agreed=Decimal("22500"), decided_on=D(2026, 1, 20), convention_version=1,
         convention_generated_at=generated)  # fmt: skip
    key = f"convention_poste:{item.pk}:2026:a_signer"
    assert convention(world, D(2026, 2, 16)) == []  # due 03/03, reminded from 17/02
    assert convention(world, D(2026, 2, 17)) == [(COORDINATION, key), (CAF, key)]


def test_the_advance_is_reminded_to_the_caf_once_signed(world):
    item = post(world.ctg)
    line(item, 2026, amount_agreed=Decimal("22500"), decided_on=D(2026, 1, 20), convention_version=1,
         signed_on=D(2026, 2, 3))  # fmt: skip
    key = f"convention_poste:{item.pk}:2026:signee"
    assert convention(world, D(2026, 2, 18)) == []
    assert convention(world, D(2026, 2, 19)) == [(CAF, key)]
    assert convention(world, D(2026, 6, 1)) == [(CAF, key)]  # still due while not paid


def test_the_report_then_the_balance(world):
    item = post(world.ctg)
    line(item, 2026, amount_agreed=Decimal("22500"), decided_on=D(2026, 1, 20), convention_version=1,
         signed_on=D(2026, 2, 3), advance_paid=Decimal("11250"), advance_paid_on=D(2026, 2, 20))  # fmt: skip
    report_key = f"convention_poste:{item.pk}:2026:acompte_verse"
    assert (COORDINATION, report_key) not in convention(world, D(2027, 3, 16))
    assert (COORDINATION, report_key) in convention(world, D(2027, 3, 17))  # the report due 31/03/2027
    assert (CAF, report_key) not in convention(world, D(2027, 3, 17))
    report = ActivityReport.objects.create(
        post=item,
        year=2026,
        status=ActivityReport.Status.ACCEPTED,
        accepted_at=datetime.datetime(2027, 2, 1, 10, tzinfo=datetime.UTC),
    )
    balance_key = f"convention_poste:{item.pk}:2026:rapport_accepte"
    assert (CAF, balance_key) not in convention(world, D(2027, 2, 16))
    assert (CAF, balance_key) in convention(world, D(2027, 2, 17))  # balance due 03/03/2027
    PostFunding.objects.filter(post=item, year=2026).update(balance_paid=Decimal("11250"))
    assert all(key != balance_key for _email, key in convention(world, D(2027, 2, 17)))
    assert report.pk


def test_a_step_is_notified_once_and_never_for_a_closed_dossier(world):
    item = post(world.ctg)
    line(item, 2026, amount_agreed=Decimal("22500"), decided_on=D(2026, 1, 20), convention_version=1,
         signed_on=D(2026, 2, 3))  # fmt: skip
    send_reminders(D(2026, 2, 19))
    send_reminders(D(2026, 2, 20))
    key = f"convention_poste:{item.pk}:2026:signee"
    assert Notification.objects.filter(key=key).count() == 1
    world.ctg.phase = Phase.CLOSE
    world.ctg.save()
    assert convention(world, D(2026, 2, 20)) == []
