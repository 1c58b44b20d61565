"""A past meeting whose day is unknown (« ateliers, mai 2024 »): recorded with its month only, shown « mai
2024 » everywhere, no .ics nor invitation; a month to come or a month with an end time is refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ctg.conventions.models import DatePrecision
from ctg.core.models import HistoryEntry
from ctg.governance import services
from ctg.governance.models import Meeting
from tests.conftest import PASSWORD

from .factories import BodyFactory


def _login(client, world, role="coordination"):
    client.login(username=world.users[role].email, password=PASSWORD)
    return client


def test_a_month_meeting_is_recorded_from_the_form_and_shown_as_a_month(client, world):
    body = BodyFactory(ctg=world.ctg, name="Ateliers")
    _login(client, world)
    response = client.post(
        reverse("governance:meeting_add", args=[world.ctg.pk]),
        {"body": body.pk, "title": "Ateliers thématiques", "month": "05/2024", "place": "Limoges"},
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.date_precision == DatePrecision.MONTH
    assert timezone.localtime(meeting.starts_at).replace(tzinfo=None) == datetime.datetime(2024, 5, 1)
    assert (meeting.date_label, meeting.on_label, str(meeting)) == (
        "mai 2024",
        "de mai 2024",
        "Ateliers thématiques",
    )
    entry = world.ctg.history.first()
    assert entry.actor == world.users["coordination"] and "Ateliers de mai 2024" in entry.summary
    page = client.get(reverse("governance:meeting", args=[world.ctg.pk, meeting.pk])).content.decode()
    assert "mai 2024 (jour non connu)" in page and "1 mai 2024" not in page
    assert "Invitation (.ics)" not in page and "Envoyer l&#x27;invitation" not in page
    index = client.get(reverse("governance:index", args=[world.ctg.pk])).content.decode()
    assert "mai 2024" in index and "01/05/2024" not in index
    home = client.get(reverse("conventions:detail", args=[world.ctg.pk])).content.decode()
    assert "mai 2024" in home and "1 mai 2024" not in home
    # The .ics of a meeting without a day is not offered: the URL answers 404.
    assert client.get(reverse("governance:meeting_ics", args=[world.ctg.pk, meeting.pk])).status_code == 404
    with pytest.raises(ValidationError, match="jour n'est pas connu"):
        services.meeting_invite(meeting=meeting, actor=world.users["coordination"])
    # The past meeting not closed yet is « à clôturer », then marked held, as any other.
    assert meeting.is_to_close()
    services.meeting_mark_held(meeting=meeting, actor=world.users["coordination"])
    # The edit form shows the month; a day given instead makes it a dated meeting.
    edit = reverse("governance:meeting_edit", args=[world.ctg.pk, meeting.pk])
    assert 'value="05/2024"' in client.get(edit).content.decode()


def test_an_april_meeting_takes_the_elision(world):
    body = BodyFactory(ctg=world.ctg, name="Comité de coordination")
    meeting = services.meeting_create(
        ctg=world.ctg,
        actor=world.users["coordination"],
        body=body,
        starts_at=timezone.make_aware(datetime.datetime(2024, 4, 17, 10)),
        date_precision=DatePrecision.MONTH,
        place="Limoges",
    )
    assert str(meeting) == "Comité de coordination d'avril 2024"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"month": "13/2024"}, "Mois non reconnu"),
        ({"month": "mai"}, "Mois non reconnu"),
        ({"month": "05/2024", "starts_at": "2024-05-23T14:00"}, "pas les deux"),
        ({}, "si le jour n&#x27;est pas connu, le mois"),
        ({"month": "next"}, "Seule une réunion passée"),
        ({"month": "05/2024", "ends_at": "2024-05-23T16:00"}, "pas d&#x27;heure de fin"),
    ],
)
def test_bad_month_meetings_are_refused_and_nothing_changes(client, world, data, message):
    body = BodyFactory(ctg=world.ctg, name="Ateliers")
    if data.get("month") == "next":
        following = (timezone.localdate().replace(day=28) + datetime.timedelta(days=5)).replace(day=1)
        data = {"month": f"{following:%Y-%m}"}
    _login(client, world)
    count = HistoryEntry.objects.count()
    response = client.post(
        reverse("governance:meeting_add", args=[world.ctg.pk]), {"body": body.pk, "place": "Limoges", **data}
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not Meeting.objects.exists() and HistoryEntry.objects.count() == count


@pytest.mark.parametrize("text", ["05/2024", "05-2024", "2024-05", "mai 2024", "Mai 2024"])
def test_every_announced_month_format_records_the_meeting(client, world, text):
    body = BodyFactory(ctg=world.ctg, name="Ateliers")
    _login(client, world)
    response = client.post(
        reverse("governance:meeting_add", args=[world.ctg.pk]),
        {"body": body.pk, "month": text, "place": "Limoges"},
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.date_precision == DatePrecision.MONTH and meeting.date_label == "mai 2024"


@pytest.mark.parametrize("text", ["oct. 2023", "10-2023"])
def test_abbreviated_and_dashed_months_record_the_meeting(client, world, text):
    body = BodyFactory(ctg=world.ctg, name="Ateliers")
    _login(client, world)
    response = client.post(
        reverse("governance:meeting_add", args=[world.ctg.pk]),
        {"body": body.pk, "month": text, "place": "Limoges"},
    )
    assert response.status_code == 302 and Meeting.objects.get().date_label == "octobre 2023"


@pytest.mark.parametrize("text", ["mai", "13/2024", "23/05/2024", "may 2024", "05/1999"])
def test_a_refused_month_is_shown_again_as_typed_with_the_expected_format(client, world, text):
    body = BodyFactory(ctg=world.ctg, name="Ateliers")
    _login(client, world)
    count = HistoryEntry.objects.count()
    response = client.post(
        reverse("governance:meeting_add", args=[world.ctg.pk]),
        {"body": body.pk, "month": text, "place": "Limoges"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert f'value="{text}"' in page and 'type="month"' not in page
    assert "« 10/2023 »" in page
    assert not Meeting.objects.exists() and HistoryEntry.objects.count() == count
