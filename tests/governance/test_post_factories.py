"""Factories of the coordinator post and of the governance rows its activity report reads (bodies, meetings,
participants, decisions), shared by the tests of the post (tests/governance/test_post_*.py)."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from ctg.governance.models import (
    ActivityReport,
    Body,
    CoordinatorPost,
    Decision,
    Meeting,
    Participant,
    PostFunding,
)
from tests.factories import CtgFactory


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoordinatorPost

    ctg = factory.SubFactory(CtgFactory)
    person_name = "Claire Martin"
    employer = factory.LazyAttribute(lambda o: o.ctg.caf)
    fte = Decimal("1.00")
    start_date = datetime.date(2025, 1, 6)
    missions = "Animer la démarche CTG."


class FundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostFunding

    post = factory.SubFactory(PostFactory)
    year = 2025
    amount_agreed = Decimal("22500.00")
    advance_paid = Decimal("11250.00")
    balance_paid = Decimal("0.00")


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityReport

    post = factory.SubFactory(PostFactory)
    year = 2025


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    ctg = factory.SubFactory(CtgFactory)
    kind = Body.Kind.COPIL
    name = factory.Sequence(lambda n: f"Comité de pilotage {n}")


def at(year, month, day, hour=14):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, 0))


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    body = factory.SubFactory(BodyFactory)
    ctg = factory.LazyAttribute(lambda o: o.body.ctg)
    starts_at = factory.LazyFunction(lambda: at(2025, 6, 12))
    status = Meeting.Status.HELD


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    meeting = factory.SubFactory(MeetingFactory)
    person_name = factory.Sequence(lambda n: f"Personne {n}")
    attendance = Participant.Attendance.PRESENT


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    meeting = factory.SubFactory(MeetingFactory)
    text = factory.Sequence(lambda n: f"Décision {n}")


def test_factories_build_a_post_in_the_same_dossier(db):
    funding = FundingFactory()
    report = ReportFactory(post=funding.post)
    decision = DecisionFactory()
    assert report.post.ctg == funding.post.ctg and funding.post.employer == funding.post.ctg.caf
    assert decision.meeting.ctg == decision.meeting.body.ctg
