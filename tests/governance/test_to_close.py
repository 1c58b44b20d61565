"""A planned meeting whose start is past shows « À clôturer », not « Prévue » (issue 11, item 8)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ctg.core.models import HistoryEntry
from ctg.governance.models import Meeting
from ctg.governance.selectors import dossier_agenda

from .factories import BodyFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meetings(world):
    body = BodyFactory(ctg=world.ctg, name="COPIL")
    now = timezone.now()
    return {
        "past": MeetingFactory(body=body, title="Bilan", starts_at=now - datetime.timedelta(days=3)),
        "future": MeetingFactory(body=body, title="Lancement", starts_at=now + datetime.timedelta(days=3)),
        "held": MeetingFactory(
            body=body, title="Tenue", starts_at=now - datetime.timedelta(days=9), status=Meeting.Status.HELD
        ),
    }


@pytest.fixture
def coordination(client, world):
    client.force_login(world.users["coordination"])
    return client


def test_status_label(meetings):
    assert meetings["past"].status_label == "À clôturer"
    assert meetings["past"].status_badge == "fr-badge--warning"
    assert meetings["future"].status_label == "Prévue"
    assert meetings["held"].status_label == "Tenue"
    later = meetings["future"].starts_at + datetime.timedelta(hours=1)
    assert meetings["future"].is_to_close(later)


def test_pages_show_to_close(coordination, world, meetings):
    index = coordination.get(reverse("governance:index", args=[world.ctg.pk])).content.decode()
    assert index.count("À clôturer") == 1 and "Prévue" in index  # the future one
    page = coordination.get(reverse("governance:meeting", args=[world.ctg.pk, meetings["past"].pk]))
    html = page.content.decode()
    assert "À clôturer" in html and ">Prévue<" not in html
    assert "Marquer comme tenue" in html and "Annuler la réunion" in html


def test_timeline_shows_to_close(world, meetings):
    timeline = dossier_agenda(world.ctg, timezone.localdate())["timeline"]
    by_label = {e["label"]: e for e in timeline if e["kind"] == "meeting"}
    assert by_label["COPIL : Bilan"]["status"] == "À clôturer" and by_label["COPIL : Bilan"]["warning"]
    assert (
        by_label["COPIL : Lancement"]["status"] == "Prévue" and not by_label["COPIL : Lancement"]["warning"]
    )
    assert by_label["COPIL : Tenue"]["status"] == "Tenue"
    home = dossier_agenda(world.ctg, timezone.localdate(), now=timezone.now() + datetime.timedelta(days=5))
    statuses = {e["label"]: e["status"] for e in home["timeline"] if e["kind"] == "meeting"}
    assert statuses["COPIL : Lancement"] == "À clôturer"


def test_home_timeline_badge(client, world, meetings):
    client.force_login(world.users["lecture"])
    html = client.get(reverse("conventions:detail", args=[world.ctg.pk])).content.decode()
    assert 'fr-badge--warning">À clôturer' in html


@pytest.mark.parametrize(
    ("action", "status", "label"),
    [("meeting_held", Meeting.Status.HELD, "Tenue"), ("meeting_cancel", Meeting.Status.CANCELLED, "Annulée")],
)
def test_closing_a_meeting_to_close(coordination, world, meetings, action, status, label):
    meeting = meetings["past"]
    response = coordination.post(reverse(f"governance:{action}", args=[world.ctg.pk, meeting.pk]))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == status and meeting.status_label == label
    entry = HistoryEntry.objects.filter(ctg=world.ctg).first()
    assert entry.actor == world.users["coordination"] and entry.at is not None
