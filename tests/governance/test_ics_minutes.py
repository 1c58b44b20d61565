"""The .ics invitation (RFC 5545, written by hand) and the minutes PDF."""

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from ctg.governance import ics
from ctg.governance.models import Decision, Meeting, Participant
from tests.plans.factories import FicheFactory

from .factories import BodyFactory, DecisionFactory, MeetingFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

PARIS_SUMMER = datetime.datetime(2026, 6, 15, 14, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))


def _properties(text: str) -> dict[str, list[str]]:
    """Name (with its parameters) → values, from the unfolded lines."""
    found: dict[str, list[str]] = {}
    for line in ics.unfold(text):
        if line:
            name, _, value = line.partition(":")
            found.setdefault(name.split(";")[0], []).append(line)
    return found


def unescape(value: str) -> str:
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars)
            out.append("\n" if following in "nN" else following)
        else:
            out.append(char)
    return "".join(out)


def test_escape_and_fold():
    assert ics.escape_text('a,b;c\\d\ne"') == 'a\\,b\\;c\\\\d\\ne"'
    assert unescape(ics.escape_text("Lieu : salle 1, 2e étage; aile\\B\nsuite")) == (
        "Lieu : salle 1, 2e étage; aile\\B\nsuite"
    )
    line = "DESCRIPTION:" + "é" * 100
    folded = ics.fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 2
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert ics.unfold(folded) == [line]
    assert ics.fold("SHORT:x") == "SHORT:x"


@pytest.fixture
def meeting(world):
    body = BodyFactory(ctg=world.ctg, name="COPIL, CTG; du Test")
    meeting = MeetingFactory(
        body=body,
        title="Lancement",
        starts_at=PARIS_SUMMER,
        ends_at=PARIS_SUMMER + datetime.timedelta(hours=2),
        place="Mairie, salle 2; rez-de-chaussée",
        agenda="1. Diagnostic\n2. Plan d'action, priorités",
        sequence=3,
    )
    ParticipantFactory(meeting=meeting, person_name="Alix Martin", email="alix@caf.fr")
    ParticipantFactory(meeting=meeting, person_name='Bo "B" Durand, élu', email="bo@mairie.fr")
    ParticipantFactory(meeting=meeting, person_name="Sans courriel", email="")
    return meeting


def test_meeting_calendar_content(meeting):
    text = ics.meeting_calendar(meeting, url="https://ctg.test/reunion/1/")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    assert "\r\n " in text  # the long ATTENDEE lines are folded
    lines = ics.unfold(text)
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"]
    assert lines[-3:] == ["END:VEVENT", "END:VCALENDAR", ""]
    props = _properties(text)
    assert props["UID"] == [f"UID:ctg-{meeting.ctg_id}-reunion-{meeting.pk}@localhost"]
    assert props["SEQUENCE"] == ["SEQUENCE:3"]
    assert props["DTSTART"] == ["DTSTART:20260615T123000Z"]  # 14:30 in Paris (UTC+2) is 12:30 UTC
    assert props["DTEND"] == ["DTEND:20260615T143000Z"]
    assert props["DTSTAMP"][0].endswith("Z")
    assert props["METHOD"] == ["METHOD:PUBLISH"]
    assert unescape(props["SUMMARY"][0].partition(":")[2]) == "COPIL, CTG; du Test — Lancement"
    assert props["LOCATION"] == ["LOCATION:Mairie\\, salle 2\\; rez-de-chaussée"]
    description = unescape(props["DESCRIPTION"][0].partition(":")[2])
    assert "Ordre du jour :\n1. Diagnostic\n2. Plan d'action, priorités" in description
    assert props["URL"] == ["URL:https://ctg.test/reunion/1/"]
    assert props["STATUS"] == ["STATUS:CONFIRMED"]
    assert props["ORGANIZER"] == ["ORGANIZER;CN=CTG du Test 2025-2028:mailto:ctg@localhost"]
    attendees = props["ATTENDEE"]
    assert len(attendees) == 2
    assert (
        "ATTENDEE;CN=Alix Martin;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:alix@caf.fr"
        in (attendees)
    )
    assert any(
        a.startswith('ATTENDEE;CN="Bo B Durand, élu";') and a.endswith(":mailto:bo@mairie.fr")
        for a in attendees
    )


def test_uid_is_stable_and_cancellation_is_announced(meeting):
    first = _properties(ics.meeting_calendar(meeting))
    meeting.place = "Ailleurs"
    meeting.status = Meeting.Status.CANCELLED
    meeting.sequence = 4
    meeting.save()
    second = _properties(ics.meeting_calendar(meeting))
    assert first["UID"] == second["UID"]
    assert second["SEQUENCE"] == ["SEQUENCE:4"] and second["STATUS"] == ["STATUS:CANCELLED"]
    assert second["METHOD"] == ["METHOD:CANCEL"]


def test_meeting_without_end_lasts_two_hours_and_uses_its_link(world):
    meeting = MeetingFactory(
        body=BodyFactory(ctg=world.ctg), starts_at=PARIS_SUMMER, place="", link="https://visio.test/copil"
    )
    props = _properties(ics.meeting_calendar(meeting))
    assert props["DTEND"] == ["DTEND:20260615T143000Z"]
    assert props["LOCATION"] == ["LOCATION:https://visio.test/copil"]
    assert "ATTENDEE" not in props


def test_ics_view(client, world, meeting):
    client.force_login(world.users["lecture"])
    response = client.get(reverse("governance:meeting_ics", args=[world.ctg.pk, meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="copil-ctg-du-test-2026-06-15-invitation.ics"'
    )
    text = response.content.decode()
    assert f"URL:http://testserver/gouvernance/ctg/{world.ctg.pk}/reunions/{meeting.pk}/" in ics.unfold(text)


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_minutes_pdf(client, world, meeting):
    meeting.status = Meeting.Status.HELD
    meeting.minutes = "Le comité a validé le diagnostic."
    meeting.save()
    meeting.participants.filter(person_name="Alix Martin").update(attendance=Participant.Attendance.PRESENT)
    meeting.participants.filter(email="bo@mairie.fr").update(attendance=Participant.Attendance.EXCUSED)
    meeting.participants.filter(person_name="Sans courriel").update(attendance=Participant.Attendance.ABSENT)
    fiche = FicheFactory(ctg=world.ctg, title="Relais petite enfance")
    DecisionFactory(
        meeting=meeting,
        text="Lancer le relais.",
        kind=Decision.Kind.FICHE_STATUS,
        fiche=fiche,
        payload={"status": "en_cours"},
    )
    client.force_login(world.users["partenaire"])
    response = client.get(reverse("governance:meeting_minutes_pdf", args=[world.ctg.pk, meeting.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(_pdf_text(response.content).split())
    for expected in (
        "Compte rendu — COPIL, CTG; du Test",
        "15 juin 2026, 14:30",
        "Mairie, salle 2; rez-de-chaussée",
        "Présent·es (1) Alix Martin",
        'Excusé·es (1) Bo "B" Durand, élu',
        "Absent·es (1) Sans courriel",
        "1. Diagnostic",
        "Le comité a validé le diagnostic.",
        "Lancer le relais.",
        "Statut de la fiche « Relais petite enfance » : En cours",
        "Non appliquée",
    ):
        assert expected in text, expected
    assert "Dossier de démonstration" not in text


def test_minutes_pdf_labels_fictitious_dossiers(client, world, meeting):
    world.ctg.is_fictitious = True
    world.ctg.save()
    client.force_login(world.users["coordination"])
    response = client.get(reverse("governance:meeting_minutes_pdf", args=[world.ctg.pk, meeting.pk]))
    text = " ".join(_pdf_text(response.content).split())
    assert "Dossier de démonstration : les personnes, les réunions et les décisions sont fictives." in text


def test_minutes_pdf_is_named_after_the_body_and_the_date(client, world, meeting):
    client.force_login(world.users["lecture"])
    response = client.get(reverse("governance:meeting_minutes_pdf", args=[world.ctg.pk, meeting.pk]))
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="copil-ctg-du-test-2026-06-15-compte-rendu.pdf"'
    )
