"""URLs of the offer of services: map (included by ctg/offer/urls.py, namespace `offer`)."""

urlpatterns = []
