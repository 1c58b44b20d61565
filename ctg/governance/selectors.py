"""Reads of the steering of a dossier."""

from django.urls import reverse
from django.utils import timezone

from ctg.conventions.models import Ctg
from ctg.governance.models import Decision, Meeting

NEXT_COUNT = 3
TIMELINE_KINDS = {"milestone": "Jalon", "meeting": "Réunion", "decision": "Décision"}


def dossier_agenda(ctg: Ctg, today, now=None) -> dict:
    """What the dossier home shows: the next meetings and milestones, late milestones, and one timeline
    merging milestones, meetings and decisions (each entry: kind, kind_label, date, label, url, done, late,
    status, warning). A planned meeting whose start is past (`now`) is « À clôturer »."""
    now = now or timezone.now()
    milestones = list(ctg.milestones.all())
    meetings = list(ctg.meetings.select_related("body"))
    decisions = list(
        Decision.objects.filter(meeting__ctg=ctg)
        .select_related("meeting__body")
        .order_by("meeting__starts_at", "position", "id")
    )
    next_meetings = [
        m for m in meetings if m.status == Meeting.Status.PLANNED and timezone.localdate(m.starts_at) >= today
    ][:NEXT_COUNT]

    milestones_url = reverse("conventions:milestones", args=[ctg.pk])
    timeline = []
    for m in milestones:
        timeline.append(
            {
                "kind": "milestone",
                "date": m.date,
                "date_label": m.date_label,
                "label": f"{m.title} ({m.get_kind_display()})",
                "url": milestones_url,
                "done": m.done,
                "late": not m.done and m.period_end < today,
                "status": "Réalisé" if m.done else "",
                "order": 0,
            }
        )
    for m in meetings:
        date = timezone.localdate(m.starts_at)
        timeline.append(
            {
                "kind": "meeting",
                "date": date,
                "date_label": m.date_label,
                "label": f"{m.body.name}" + (f" : {m.title}" if m.title else ""),
                "url": reverse("governance:meeting", args=[ctg.pk, m.pk]),
                "done": m.status == Meeting.Status.HELD,
                "late": False,
                "status": Meeting.TO_CLOSE_LABEL if m.is_to_close(now) else m.get_status_display(),
                "warning": m.is_to_close(now),
                "order": 1,
            }
        )
    for d in decisions:
        text = d.text if len(d.text) <= 100 else d.text[:99] + "…"
        timeline.append(
            {
                "kind": "decision",
                "date": timezone.localdate(d.meeting.starts_at),
                "date_label": d.meeting.date_label,
                "label": f"{d.meeting.body.name} : {text}",
                "url": reverse("governance:meeting", args=[ctg.pk, d.meeting_id]) + "#decisions",
                "done": d.applied_at is not None,
                "late": False,
                "status": "Appliquée" if d.applied_at else "",
                "order": 2,
            }
        )
    timeline.sort(key=lambda e: (e["date"], e["order"]))
    for entry in timeline:
        entry["kind_label"] = TIMELINE_KINDS[entry["kind"]]
    return {
        "upcoming": [m for m in milestones if not m.done and m.period_end >= today][:NEXT_COUNT],
        "late": [m for m in milestones if not m.done and m.period_end < today],
        "milestones": milestones,
        "next_meetings": next_meetings,
        "timeline": timeline,
    }
