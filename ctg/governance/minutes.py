"""The minutes of a meeting as a PDF (WeasyPrint): body, date, place, who was present, excused or absent, the
agenda, the minutes and the decisions with their effect on the plan."""

from django.template.loader import render_to_string
from django.utils import timezone

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
    from weasyprint import HTML

    from ctg.diagnostics.pdf import FONTS_DIR

    context = {
        **minutes_data(meeting),
        "fonts_dir": FONTS_DIR.as_uri(),
        "css_name": meeting.body.name,  # escaped for CSS by the css_string filter
    }
    html = render_to_string("governance/minutes_pdf.html", context)
    return HTML(string=html, base_url=str(FONTS_DIR)).write_pdf()
