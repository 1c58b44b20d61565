"""URLs of the offer of services: needs (included by ctg/offer/urls.py, namespace `offer`)."""

from django.urls import path

from ctg.offer import views_needs

urlpatterns = [path("besoins/", views_needs.needs, name="needs")]
