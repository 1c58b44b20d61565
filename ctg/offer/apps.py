from django.apps import AppConfig


class OfferConfig(AppConfig):
    name = "ctg.offer"
    verbose_name = "Offre de services"

    def ready(self):
        # The French labels of the scenarios' history lines (`register_labels`).
        from ctg.offer import scenarios  # noqa: F401
