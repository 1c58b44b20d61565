"""The yearly bilan (page, highlights, validation, PDF and DOCX)."""

from django.urls import path

from ctg.plans import views_bilan

urlpatterns = [
    path("bilan/", views_bilan.bilan_current, name="bilan_current"),
    path("bilan/<int:year>/", views_bilan.bilan, name="bilan"),
    path("bilan/<int:year>/pdf/", views_bilan.bilan_pdf, name="bilan_pdf"),
    path("bilan/<int:year>/docx/", views_bilan.bilan_docx, name="bilan_docx"),
    path("bilan/<int:year>/faits-marquants/", views_bilan.bilan_highlights, name="bilan_highlights"),
    path("bilan/<int:year>/valider/", views_bilan.bilan_validate, name="bilan_validate"),
]
