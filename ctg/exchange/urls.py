"""URLs of the exchange of the plan, under /plan/ctg/<pk>/echange/… They keep the names of the plan's
namespace (`plans:export_xlsx`, `plans:export_json`, `plans:import_xlsx`): the site's `ctg/urls.py` adds
these patterns to those of `ctg.plans.urls`, so that plans, below the exchange, never imports it."""

from django.urls import path

from ctg.exchange import views

urlpatterns = [
    path("ctg/<int:pk>/echange/plan.xlsx", views.export_xlsx, name="export_xlsx"),
    path("ctg/<int:pk>/echange/plan.json", views.export_json, name="export_json"),
    path("ctg/<int:pk>/echange/import/", views.import_xlsx, name="import_xlsx"),
]
