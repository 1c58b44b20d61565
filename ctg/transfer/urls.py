"""URLs of the app `ctg.transfer` (issue 15), mounted in `ctg/urls.py`."""

from django.urls import path

from ctg.transfer import views

app_name = "transfer"

urlpatterns: list = [
    path("ctg/<int:pk>/archive/", views.archive, name="archive"),
]
