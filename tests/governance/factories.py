"""Factories of the governance rows: bodies, members, meetings, participants, decisions (those of the
coordinator post are in tests/post/factories.py)."""

import datetime

import factory
from django.utils import timezone

from ctg.governance.models import Body, BodyMember, Decision, Meeting, Participant
from tests.factories import CtgFactory, OrganisationFactory


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    ctg = factory.SubFactory(CtgFactory)
    kind = Body.Kind.COPIL
    name = factory.Sequence(lambda n: f"COPIL {n}")


class BodyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BodyMember

    body = factory.SubFactory(BodyFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    person_name = factory.Sequence(lambda n: f"Personne {n}")
    email = factory.Sequence(lambda n: f"membre{n}@exemple.fr")


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    body = factory.SubFactory(BodyFactory)
    ctg = factory.LazyAttribute(lambda o: o.body.ctg)
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=7))
    place = "Salle du conseil"


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    meeting = factory.SubFactory(MeetingFactory)
    person_name = factory.Sequence(lambda n: f"Participant {n}")
    email = factory.Sequence(lambda n: f"participant{n}@exemple.fr")


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    meeting = factory.SubFactory(MeetingFactory)
    text = factory.Sequence(lambda n: f"Décision {n}")


def at(year, month, day, hour=14):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, 0))


class HeldMeetingFactory(MeetingFactory):
    """A meeting held on 12 June 2025 (the year of the activity reports of the tests)."""

    starts_at = factory.LazyFunction(lambda: at(2025, 6, 12))
    status = Meeting.Status.HELD


class PresentParticipantFactory(ParticipantFactory):
    meeting = factory.SubFactory(HeldMeetingFactory)
    email = ""
    attendance = Participant.Attendance.PRESENT
