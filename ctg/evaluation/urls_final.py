"""URLs of the final evaluation, under /plan/ctg/<pk>/evaluation-finale/ (included by
`ctg/evaluation/urls.py`, namespace `evaluation`)."""

from django.urls import path

from ctg.evaluation import final_views as views

urlpatterns = [
    path("", views.final_page, name="final"),
    path("ouvrir/", views.final_create, name="final_create"),
    path("conclusion/", views.final_conclusion, name="final_conclusion"),
    path("engagements/", views.final_commitments, name="final_commitments"),
    path("questionnaire/", views.final_questionnaire, name="final_questionnaire"),
    path("valider/", views.final_validate, name="final_validate"),
    path("generer/", views.final_generate, name="final_generate"),
    path("versions/<int:number>/pdf/", views.final_version_pdf, name="final_version_pdf"),
    path("versions/<int:number>/docx/", views.final_version_docx, name="final_version_docx"),
]
