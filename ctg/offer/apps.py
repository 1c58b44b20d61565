from django.apps import AppConfig


class OfferConfig(AppConfig):
    name = "ctg.offer"
    verbose_name = "Offre de services"
