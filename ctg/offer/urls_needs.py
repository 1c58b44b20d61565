"""URLs of the offer of services: needs (included by ctg/offer/urls.py, namespace `offer`)."""

urlpatterns = []
