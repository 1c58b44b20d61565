"""URLs of the offer of services in the dossier's « Diagnostic » tab, under /portrait/ctg/<pk>/offre/ (see
`ctg/urls.py`), namespace `offer`."""

from django.urls import path

from ctg.offer import urls_edit, urls_map, urls_needs, urls_scenarios, views

app_name = "offer"

urlpatterns = [
    path("", views.structure_list, name="list"),
    path("structures.csv", views.structure_csv, name="csv"),
    path("structures.xlsx", views.structure_xlsx, name="xlsx"),
    path("structures/<int:structure_pk>/", views.structure_detail, name="structure"),
]
# Each part of the offer keeps its URLs in its own module.
urlpatterns += urls_edit.urlpatterns + urls_needs.urlpatterns + urls_map.urlpatterns
urlpatterns += urls_scenarios.urlpatterns
