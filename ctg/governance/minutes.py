"""The minutes of a meeting as a PDF (WeasyPrint): body, date, place, who was present, excused or absent, the
agenda, the minutes and the decisions with their effect on the plan."""

from django.utils import timezone

from ctg import rendering
from ctg.governance.models import Meeting, Participant
from ctg.governance.services import decision_effect


def minutes_data(meeting: Meeting) -> dict:
    participants = list(meeting.participants.all())
    by_attendance = {
        value: [p for p in participants if p.attendance == value]
        for value, _ in Participant.Attendance.choices
    }
    decisions = [
        {"decision": d, "effect": decision_effect(d)}
        for d in meeting.decisions.select_related("fiche", "applied_by")
    ]
    return {
        "ctg": meeting.ctg,
        "meeting": meeting,
        "body": meeting.body,
        "present": by_attendance[Participant.Attendance.PRESENT],
        "excused": by_attendance[Participant.Attendance.EXCUSED],
        "absent": by_attendance[Participant.Attendance.ABSENT],
        "invited": by_attendance[Participant.Attendance.INVITED],
        "decisions": decisions,
        "generated": timezone.localdate(),
    }


def render_pdf(meeting: Meeting) -> bytes:
    # css_name: escaped for CSS by the css_string filter
    return rendering.pdf("governance/minutes_pdf.html", minutes_data(meeting), css_name=meeting.body.name)


def minutes_pdf(*, meeting_id: int) -> bytes:
    """The minutes' PDF of the meeting `meeting_id` (a job's producer, `ctg.jobs.services.file_enqueue`)."""
    return render_pdf(Meeting.objects.select_related("body", "ctg").get(pk=meeting_id))
