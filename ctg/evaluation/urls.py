"""URLs of the yearly bilan (page, highlights, validation, PDF and DOCX), under /plan/ctg/<pk>/ (see
`ctg/urls.py`), namespace `evaluation`."""

from django.urls import include, path

from ctg.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("bilan/", views.bilan_current, name="bilan_current"),
    path("bilan/<int:year>/", views.bilan, name="bilan"),
    path("bilan/<int:year>/pdf/", views.bilan_pdf, name="bilan_pdf"),
    path("bilan/<int:year>/docx/", views.bilan_docx, name="bilan_docx"),
    path("bilan/<int:year>/preparer/<str:fmt>/", views.bilan_prepare, name="bilan_prepare"),
    path("bilan/<int:year>/faits-marquants/", views.bilan_highlights, name="bilan_highlights"),
    path("bilan/<int:year>/valider/", views.bilan_validate, name="bilan_validate"),
    path("evaluation-finale/", include("ctg.evaluation.urls_final")),
    path("comparaison/", include("ctg.evaluation.urls_comparison")),
]
