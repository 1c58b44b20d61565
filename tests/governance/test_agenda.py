"""The dossier home: next meetings and milestones, and one timeline of milestones, meetings and decisions."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ctg.governance.models import Meeting
from ctg.governance.selectors import dossier_agenda
from tests.factories import MilestoneFactory

from .factories import BodyFactory, DecisionFactory, MeetingFactory

pytestmark = pytest.mark.django_db


TODAY = timezone.localdate()


def _at(day: datetime.date, hour=14) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def agenda_data(world):
    ctg = world.ctg
    copil = BodyFactory(ctg=ctg, name="COPIL")
    past = MeetingFactory(
        body=copil, starts_at=_at(TODAY - datetime.timedelta(days=30)), status=Meeting.Status.HELD
    )
    DecisionFactory(meeting=past, text="Lancer le relais petite enfance", applied_at=timezone.now())
    today_meeting = MeetingFactory(body=copil, title="Point d'étape", starts_at=_at(TODAY, 9))
    cancelled = MeetingFactory(
        body=copil, starts_at=_at(TODAY + datetime.timedelta(days=2)), status=Meeting.Status.CANCELLED
    )
    later = [
        MeetingFactory(body=copil, starts_at=_at(TODAY + datetime.timedelta(days=10 * i))) for i in (1, 2, 3)
    ]
    MilestoneFactory(ctg=ctg, title="Signature", date=TODAY + datetime.timedelta(days=5))
    MilestoneFactory(ctg=ctg, title="Diagnostic", date=TODAY - datetime.timedelta(days=40), done=False)
    return {"past": past, "today": today_meeting, "cancelled": cancelled, "later": later}


def test_next_meetings_are_planned_from_today_and_at_most_three(world, agenda_data):
    agenda = dossier_agenda(world.ctg, TODAY)
    assert agenda["next_meetings"] == [agenda_data["today"], *agenda_data["later"][:2]]
    assert [m.title for m in agenda["upcoming"]] == ["Signature"]
    assert [m.title for m in agenda["late"]] == ["Diagnostic"]


def test_timeline_merges_and_sorts_milestones_meetings_and_decisions(world, agenda_data):
    timeline = dossier_agenda(world.ctg, TODAY)["timeline"]
    dates = [e["date"] for e in timeline]
    assert dates == sorted(dates)
    kinds = [(e["kind"], e["label"]) for e in timeline[:3]]
    assert kinds == [
        ("milestone", "Diagnostic (Atelier)"),
        ("meeting", "COPIL"),
        ("decision", "COPIL : Lancer le relais petite enfance"),
    ]
    decision = timeline[2]
    past = agenda_data["past"]
    assert decision["url"] == reverse("governance:meeting", args=[world.ctg.pk, past.pk]) + "#decisions"
    assert decision["status"] == "Appliquée" and decision["kind_label"] == "Décision"
    assert timeline[0]["late"] is True
    cancelled = next(e for e in timeline if e["url"].endswith(f"/{agenda_data['cancelled'].pk}/"))
    assert cancelled["status"] == "Annulée"
    assert len(timeline) == 2 + 6 + 1


def test_home_page_shows_next_meetings_and_timeline(client, world, agenda_data):
    client.force_login(world.users["lecture"])
    response = client.get(reverse("conventions:detail", args=[world.ctg.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Prochaines réunions" in html and "Prochains jalons" in html
    assert "COPIL : Point d&#x27;étape" in html
    assert "COPIL : Lancer le relais petite enfance" in html
    assert reverse("governance:meeting", args=[world.ctg.pk, agenda_data["today"].pk]) in html


def test_home_page_without_governance(client, world):
    client.force_login(world.users["lecture"])
    html = client.get(reverse("conventions:detail", args=[world.ctg.pk])).content.decode()
    assert "Aucune réunion prévue." in html and "Aucun jalon à venir." in html
    assert "Aucun jalon ni réunion." in html
