"""The findings of the diagnostic in the plan (issue 13), under /plan/ctg/<pk>/: cite one on an enjeu's page,
remove one, create an enjeu from findings."""

from django.urls import path

from ctg.plans import views_findings

urlpatterns = [
    path(
        "enjeux/depuis-constats/",
        views_findings.enjeu_from_findings,
        name="enjeu_from_findings",
    ),
    path(
        "enjeux/<int:enjeu_pk>/constats-diagnostic/citer/",
        views_findings.enjeu_finding_cite,
        name="enjeu_finding_cite",
    ),
    path(
        "enjeux/<int:enjeu_pk>/constats-diagnostic/retirer/",
        views_findings.enjeu_finding_remove,
        name="enjeu_finding_remove",
    ),
]
