"""URLs of the app `ctg.ateliers` (mounted in `ctg/urls.py` at /diagnostic/ctg/<pk>/ateliers/)."""

from django.urls import path

from ctg.ateliers import views

app_name = "ateliers"

ATELIER = "<int:atelier_pk>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("ajouter/", views.create, name="create"),
    path(ATELIER, views.detail, name="detail"),
    path(ATELIER + "modifier/", views.edit, name="edit"),
    path(ATELIER + "supprimer/", views.delete, name="delete"),
    path(ATELIER + "inscriptions/", views.registration_add, name="registration_add"),
    path(ATELIER + "inscriptions/<int:registration_pk>/", views.registration_edit, name="registration_edit"),
    path(
        ATELIER + "inscriptions/<int:registration_pk>/supprimer/",
        views.registration_delete,
        name="registration_delete",
    ),
    path(ATELIER + "presences/", views.attendance, name="attendance"),
    path(ATELIER + "presences/ajouter/", views.attendee_add, name="attendee_add"),
    path(ATELIER + "contributions/", views.contribution_add, name="contribution_add"),
    path(
        ATELIER + "contributions/<int:contribution_pk>/supprimer/",
        views.contribution_delete,
        name="contribution_delete",
    ),
    path(ATELIER + "compte-rendu/", views.report_save, name="report"),
    path(ATELIER + "compte-rendu.pdf", views.report_pdf, name="report_pdf"),
    path(ATELIER + "compte-rendu/preparer/", views.report_prepare, name="report_prepare"),
    path(ATELIER + "pieces-jointes/", views.attachment_add, name="attachment_add"),
    path(
        ATELIER + "pieces-jointes/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        ATELIER + "pieces-jointes/<int:attachment_pk>/supprimer/",
        views.attachment_delete,
        name="attachment_delete",
    ),
    path(ATELIER + "vote/", views.vote, name="vote"),
    path(ATELIER + "constat/", views.finding_create, name="finding_create"),
]
