from django.urls import path

from ctg.governance import views_meetings as views

urlpatterns = [
    path("", views.index, name="index"),
]
