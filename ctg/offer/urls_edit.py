"""URLs of the offer of services: edit (included by ctg/offer/urls.py, namespace `offer`)."""

from django.urls import path

from ctg.offer import views_edit

urlpatterns = [
    path("structures/ajouter/", views_edit.structure_add, name="structure_add"),
    path("structures/<int:structure_pk>/modifier/", views_edit.structure_edit, name="structure_edit"),
]
