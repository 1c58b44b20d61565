from django.urls import path

from ctg.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:notification_pk>/lue/", views.notification_read, name="read"),
    path("tout-lu/", views.notification_read_all, name="read_all"),
]
