"""URLs of the offer of services: map (included by ctg/offer/urls.py, namespace `offer`)."""

from django.urls import path

from ctg.offer import views_map

urlpatterns = [
    path("carte/", views_map.offer_map, name="map"),
    path("communes/", views_map.offer_communes, name="communes"),
    path("data-inclusion/structures.json", views_map.datainclusion_json, name="datainclusion_json"),
    path("data-inclusion/structures.csv", views_map.datainclusion_csv, name="datainclusion_csv"),
]
