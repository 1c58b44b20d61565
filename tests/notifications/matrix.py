"""Entries of the permission matrix (tests/test_permission_matrix.py) for this area's URLs.

Everyone logged in has a notification list and may mark theirs as read; the per-notification URL is tried
with a notification of the CAF adviser: anybody else gets 404 (its existence is not revealed)."""

from ctg.notifications.models import Notification
from tests.matrix_helpers import ALL_ROLES, LOGIN, REDIRECT, Case, logged_in


def _pilot_notification(w):
    notification = Notification.objects.create(
        user=w.users["pilote_caf"], ctg=w.ctg, kind=Notification.Kind.MILESTONE, key="test:1", title="Jalon"
    )
    return {"notification_pk": notification.pk}


MATRIX: dict = {
    ("notifications:list", "GET"): logged_in(),
    ("notifications:read", "POST"): Case(
        method="POST",
        expected={"anonymous": LOGIN, **dict.fromkeys(ALL_ROLES[1:], 404), "pilote_caf": REDIRECT},
        kwargs=_pilot_notification,
    ),
    ("notifications:read_all", "POST"): logged_in(ok=REDIRECT, method="POST"),
}
