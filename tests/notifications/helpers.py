"""Meetings, posts and dossier members built with the ORM (the governance services are written elsewhere)."""

import datetime
from zoneinfo import ZoneInfo

from ctg.conventions.models import Membership
from ctg.governance.models import Body, BodyMember, Meeting, Participant
from ctg.post.models import CoordinatorPost

PARIS = ZoneInfo("Europe/Paris")


def at(year, month, day, hour=10, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def meeting(ctg, starts_at, *, users=(), status=Meeting.Status.PLANNED, guests=0, title="COPIL de printemps"):
    """A meeting of the dossier's COPIL with a participant per account in `users` and `guests` without one."""
    body, _ = Body.objects.get_or_create(ctg=ctg, name="COPIL", defaults={"kind": Body.Kind.COPIL})
    result = Meeting.objects.create(
        ctg=ctg, body=body, title=title, starts_at=starts_at, place="Mairie", status=status
    )
    for user in users:
        seat = BodyMember.objects.create(
            body=body, organisation=ctg.caf, person_name=str(user), email=user.email, user=user
        )
        Participant.objects.create(meeting=result, member=seat, person_name=str(user), email=user.email)
    for index in range(guests):
        seat = BodyMember.objects.create(body=body, organisation=ctg.caf, person_name=f"Invité {index}")
        Participant.objects.create(meeting=result, member=seat, person_name=seat.person_name)
    return result


def post(ctg, *, start=datetime.date(2025, 1, 1), end=None):
    return CoordinatorPost.objects.create(
        ctg=ctg, person_name="Alex Coordination", employer=ctg.caf, fte=1, start_date=start, end_date=end
    )


def make_pilot_member(world):
    """The CAF adviser joins the dossier as a member (pilote_caf)."""
    return Membership.objects.create(ctg=world.ctg, user=world.users["pilote_caf"], role="pilote_caf")
