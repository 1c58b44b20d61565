from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def notification_list(request):
    notifications = request.user.notifications.select_related("ctg")
    return render(
        request,
        "notifications/list.html",
        {
            "title": "Notifications",
            "notifications": notifications,
            "breadcrumb_data": {"current": "Notifications"},
        },
    )
