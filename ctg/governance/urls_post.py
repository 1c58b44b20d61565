from django.urls import path

from ctg.governance import views_post as views

urlpatterns = [
    path("poste/", views.post, name="post"),
    path("poste/modifier/", views.post_edit, name="post_edit"),
    path("poste/financement/ajouter/", views.funding_add, name="funding_add"),
    path("poste/financement/<int:funding_pk>/", views.funding_edit, name="funding_edit"),
    path("poste/financement/<int:funding_pk>/supprimer/", views.funding_delete, name="funding_delete"),
    path("poste/rapport/<int:year>/", views.report, name="report"),
    path("poste/rapport/<int:year>/modifier/", views.report_update, name="report_update"),
    path("poste/rapport/<int:year>/envoyer/", views.report_send, name="report_send"),
    path("poste/rapport/<int:year>/accepter/", views.report_accept, name="report_accept"),
    path("poste/rapport/<int:year>/pdf/", views.report_pdf, name="report_pdf"),
    path("poste/rapport/<int:year>/docx/", views.report_docx, name="report_docx"),
]
