"""The enjeu's page and its « constats chiffrés de l'offre » (issue 12, item 6), under /plan/ctg/<pk>/."""

from django.urls import path

from ctg.plans import views_evidence

urlpatterns = [
    path("enjeux/<int:enjeu_pk>/", views_evidence.enjeu_detail, name="enjeu_detail"),
    path(
        "enjeux/<int:enjeu_pk>/constats/citer/",
        views_evidence.enjeu_evidence_cite,
        name="enjeu_evidence_cite",
    ),
    path(
        "enjeux/<int:enjeu_pk>/constats/retirer/",
        views_evidence.enjeu_evidence_remove,
        name="enjeu_evidence_remove",
    ),
]
