"""URLs of the offer of services: scenarios (included by ctg/offer/urls.py, namespace `offer`)."""

from django.urls import path

from ctg.offer import views_scenarios as views

urlpatterns = [
    path("scenarios/", views.scenario_list, name="scenarios"),
    path("scenarios/ajouter/", views.scenario_add, name="scenario_add"),
    path("scenarios/comparer/", views.scenario_compare_page, name="scenario_compare"),
    path(
        "scenarios/comparer/comparaison.csv",
        views.scenario_compare_export,
        {"fmt": "csv"},
        name="scenario_compare_csv",
    ),
    path(
        "scenarios/comparer/comparaison.xlsx",
        views.scenario_compare_export,
        {"fmt": "xlsx"},
        name="scenario_compare_xlsx",
    ),
    path("scenarios/<int:scenario_pk>/", views.scenario_detail, name="scenario"),
    path("scenarios/<int:scenario_pk>/modifier/", views.scenario_edit, name="scenario_edit"),
    path("scenarios/<int:scenario_pk>/supprimer/", views.scenario_delete, name="scenario_delete"),
    path("scenarios/<int:scenario_pk>/structures/ajouter/", views.line_add, name="scenario_line_add"),
    path("scenarios/<int:scenario_pk>/fermetures/ajouter/", views.closure_add, name="scenario_closure_add"),
    path(
        "scenarios/<int:scenario_pk>/structures/<int:line_pk>/modifier/",
        views.line_edit,
        name="scenario_line_edit",
    ),
    path(
        "scenarios/<int:scenario_pk>/structures/<int:line_pk>/financement/",
        views.line_funding,
        name="scenario_line_funding",
    ),
    path(
        "scenarios/<int:scenario_pk>/structures/<int:line_pk>/supprimer/",
        views.line_delete,
        name="scenario_line_delete",
    ),
]
