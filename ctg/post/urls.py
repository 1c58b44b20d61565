"""URLs of the coordinator post of a dossier, all under /gouvernance/ctg/<pk>/poste/ (where they were when the
post belonged to the governance)."""

from django.urls import path

from ctg.post import views

app_name = "post"

urlpatterns = [
    path("", views.post, name="detail"),
    path("modifier/", views.post_edit, name="edit"),
    path("financement/ajouter/", views.funding_add, name="funding_add"),
    path("financement/<int:funding_pk>/", views.funding_edit, name="funding_edit"),
    path("financement/<int:funding_pk>/supprimer/", views.funding_delete, name="funding_delete"),
    path("rapport/<int:year>/", views.report, name="report"),
    path("rapport/<int:year>/modifier/", views.report_update, name="report_update"),
    path("rapport/<int:year>/envoyer/", views.report_send, name="report_send"),
    path("rapport/<int:year>/accepter/", views.report_accept, name="report_accept"),
    path("rapport/<int:year>/pdf/", views.report_pdf, name="report_pdf"),
    path("rapport/<int:year>/docx/", views.report_docx, name="report_docx"),
]
