"""URLs of the offer of services: edit (included by ctg/offer/urls.py, namespace `offer`)."""

urlpatterns = []
