"""The invitation to a meeting as an iCalendar file (RFC 5545), by hand: one VCALENDAR with one VEVENT.

- lines end with CRLF and are folded at 75 octets (a continuation line starts with one space; a UTF-8
  character is never split);
- TEXT values escape backslashes, semicolons, commas and newlines (§ 3.3.11);
- times are in UTC (…Z), so no VTIMEZONE is needed;
- UID is stable for a meeting and SEQUENCE grows with each change of date or place (Meeting.sequence), so
  calendar clients replace the previous invitation instead of adding a new one.
"""

import datetime

from django.conf import settings

from ctg.governance.models import Meeting

PRODID = "-//CTG//Conventions territoriales globales//FR"
DEFAULT_DURATION = datetime.timedelta(hours=2)
MAX_OCTETS = 75


def escape_text(value: str) -> str:
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _param(value: str) -> str:
    """A parameter value (CN=…): double quotes are not allowed inside, so they are dropped; quoted when it
    contains a colon, semicolon or comma."""
    value = (value or "").replace('"', "").replace("\r", " ").replace("\n", " ")
    return f'"{value}"' if any(c in value for c in ":;,") else value


def fold(line: str) -> str:
    """Splits a content line into chunks of at most 75 octets (the first) and 74 + the leading space."""
    parts, current, size, limit = [], [], 0, MAX_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, MAX_OCTETS - 1
        current.append(char)
        size += octets
    parts.append("".join(current))
    return "\r\n ".join(parts)


def unfold(text: str) -> list[str]:
    """The logical lines of an iCalendar text (for tests and readers)."""
    return text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")


def utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def uid(meeting: Meeting) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "ctg.invalid"
    return f"ctg-{meeting.ctg_id}-reunion-{meeting.pk}@{domain}"


def meeting_calendar(meeting: Meeting, *, url: str = "", method: str = "PUBLISH") -> str:
    ends_at = meeting.ends_at or meeting.starts_at + DEFAULT_DURATION
    location = meeting.place or meeting.link
    description = []
    if meeting.agenda:
        description.append(f"Ordre du jour :\n{meeting.agenda}")
    if meeting.link:
        description.append(f"Lien de visioconférence : {meeting.link}")
    if url:
        description.append(f"Sur la plateforme CTG : {url}")
    summary = f"{meeting.body.name} — {meeting.title}" if meeting.title else meeting.body.name
    organizer_name = meeting.ctg.title
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if meeting.status == Meeting.Status.CANCELLED else method}",
        "BEGIN:VEVENT",
        f"UID:{uid(meeting)}",
        f"SEQUENCE:{meeting.sequence}",
        f"DTSTAMP:{utc(meeting.updated_at)}",
        f"DTSTART:{utc(meeting.starts_at)}",
        f"DTEND:{utc(ends_at)}",
        f"SUMMARY:{escape_text(summary)}",
    ]
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    if description:
        lines.append(f"DESCRIPTION:{escape_text(chr(10).join(description))}")
    if url:
        lines.append(f"URL:{url}")
    status = {Meeting.Status.CANCELLED: "CANCELLED"}.get(meeting.status, "CONFIRMED")
    lines.append(f"STATUS:{status}")
    lines.append(f"ORGANIZER;CN={_param(organizer_name)}:mailto:{settings.DEFAULT_FROM_EMAIL}")
    for participant in meeting.participants.all():
        if participant.email:
            lines.append(
                f"ATTENDEE;CN={_param(participant.person_name)};ROLE=REQ-PARTICIPANT;"
                f"PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{participant.email}"
            )
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)
