"""Following the plan d'action: the table of fiches, the timeline by year and the dashboard (read-only)."""

from django.urls import path

from ctg.plans import views_follow

urlpatterns = [
    path("fiches/", views_follow.fiche_table, name="fiches"),
    path("fiches/export.csv", views_follow.fiche_table_csv, name="fiches_csv"),
    path("calendrier/", views_follow.timeline, name="gantt"),
    path("tableau-de-bord/", views_follow.dashboard, name="dashboard"),
]
