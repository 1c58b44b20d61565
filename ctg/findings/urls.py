"""URLs of the app `ctg.findings` (mounted in `ctg/urls.py` under /diagnostic/ctg/<pk>/constats/)."""

from django.urls import path

from ctg.findings import views

app_name = "findings"

urlpatterns = [
    path("", views.finding_list, name="list"),
    path("export.csv", views.finding_csv, name="csv"),
    path("nouveau/", views.finding_create, name="create"),
    path("<int:finding_pk>/", views.finding_detail, name="detail"),
    path("<int:finding_pk>/modifier/", views.finding_edit, name="edit"),
    path("<int:finding_pk>/supprimer/", views.finding_delete, name="delete"),
]
