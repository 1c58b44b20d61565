"""A person's notifications: the list (unread first), marking one or all as read. Nobody sees or marks the
notifications of someone else (404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from ctg.notifications.models import Notification

READ_SHOWN = 50  # the most recent read notifications shown under the unread ones


@login_required
@require_safe
def notification_list(request):
    mine = request.user.notifications.select_related("ctg")
    return render(
        request,
        "notifications/list.html",
        {
            "title": "Notifications",
            "nav": "notifications",
            "unread": list(mine.filter(read_at__isnull=True).order_by("-created_at", "-id")),
            "read": list(mine.filter(read_at__isnull=False).order_by("-read_at", "-id")[:READ_SHOWN]),
            "read_shown": READ_SHOWN,
            "breadcrumb_data": {"current": "Notifications"},
        },
    )


@login_required
@require_POST
def notification_read(request, notification_pk):
    notification = get_object_or_404(Notification, pk=notification_pk, user=request.user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    messages.success(request, f"Notification « {notification.title} » marquée comme lue.")
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    count = request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    if count:
        messages.success(request, f"{count} notification(s) marquée(s) comme lue(s).")
    else:
        messages.info(request, "Aucune notification non lue.")
    return redirect("notifications:list")
