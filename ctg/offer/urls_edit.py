"""URLs of the offer of services: edit (included by ctg/offer/urls.py, namespace `offer`)."""

from django.urls import path

from ctg.offer import views_edit

urlpatterns = [
    path("structures/ajouter/", views_edit.structure_add, name="structure_add"),
    path("structures/<int:structure_pk>/modifier/", views_edit.structure_edit, name="structure_edit"),
    path("modele/", views_edit.template_upload, name="template_import"),
    path("modele/modele-offre-de-services.csv", views_edit.template_csv, name="template_csv"),
    path("modele/modele-offre-de-services.xlsx", views_edit.template_xlsx, name="template_xlsx"),
]
