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
    path("rapport/<int:year>/preparer/<str:fmt>/", views.report_prepare, name="report_prepare"),
    # The yearly funding convention (its documents: ctg.documents, /convention/ctg/<pk>/poste/…).
    path("convention/demander/", views.convention_request, name="convention_request"),
    path("convention/<int:year>/demande/", views.convention_request_edit, name="convention_request_edit"),
    path("convention/<int:year>/accord/", views.convention_agree, name="convention_agree"),
    path("convention/<int:year>/signature/", views.convention_sign, name="convention_sign"),
    path("convention/<int:year>/acompte/", views.convention_advance, name="convention_advance"),
    path("convention/<int:year>/solde/", views.convention_balance, name="convention_balance"),
    path("convention/<int:year>/annuler/<slug:step>/", views.convention_cancel, name="convention_cancel"),
]
