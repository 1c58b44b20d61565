"""Writes on the steering of a dossier: bodies and their members, meetings (attendance, minutes, invitations)
and decisions. Each function validates, writes atomically and records the change in the dossier's history.

Rules:
- a body that has meetings cannot be deleted (its meetings would lose their body);
- a meeting needs a place or a videoconference link; its `sequence` increases when its date, place or link
  changes, and when it is cancelled, so that calendar clients update the invitation;
- a cancelled meeting cannot be changed any more; a meeting can be marked held once it has started;
- decisions are added to meetings that are not cancelled; a decision acts on the plan only when applied, once,
  and only when its meeting is marked held (a decision exists only once the committee has met); an applied
  decision cannot be deleted.

The functions live in `bodies`, `meetings` and `decisions`; this package re-exports them
(`services.meeting_create`).
"""

from ctg.governance.services.bodies import (
    BODY_FIELDS,
    MEMBER_FIELDS,
    body_create,
    body_delete,
    body_update,
    member_add,
    member_remove,
    member_update,
)
from ctg.governance.services.common import (
    meeting_label,
)
from ctg.governance.services.decisions import (
    clean_decision,
    decision_add,
    decision_apply,
    decision_effect,
    decision_remove,
)
from ctg.governance.services.meetings import (
    ATTENDANCE_CHOICES,
    MEETING_FIELDS,
    SEQUENCE_FIELDS,
    attendance_set,
    meeting_cancel,
    meeting_create,
    meeting_invite,
    meeting_mark_held,
    meeting_update,
    minutes_set,
    participant_add,
)

__all__ = [
    "ATTENDANCE_CHOICES",
    "BODY_FIELDS",
    "MEETING_FIELDS",
    "MEMBER_FIELDS",
    "SEQUENCE_FIELDS",
    "attendance_set",
    "body_create",
    "body_delete",
    "body_update",
    "clean_decision",
    "decision_add",
    "decision_apply",
    "decision_effect",
    "decision_remove",
    "meeting_cancel",
    "meeting_create",
    "meeting_invite",
    "meeting_label",
    "meeting_mark_held",
    "meeting_update",
    "member_add",
    "member_remove",
    "member_update",
    "minutes_set",
    "participant_add",
]
