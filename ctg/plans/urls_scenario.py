"""« Transformer en fiche action » a scenario of the offer (issue 12, item 5), under /plan/ctg/<pk>/."""

from django.urls import path

from ctg.plans import views_scenario

urlpatterns = [
    path(
        "scenarios/<int:scenario_pk>/fiche-action/",
        views_scenario.scenario_fiche,
        name="scenario_fiche",
    ),
]
