from django.urls import path

from ctg.territories import views

app_name = "territories"

urlpatterns = [
    path("", views.search, name="search"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("commune/<str:code>/", views.commune_detail, name="commune"),
    path("epci/<str:siren>/", views.epci_detail, name="epci"),
    path("departement/<str:code>/", views.departement_detail, name="departement"),
]
