from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "ctg.funding"
    verbose_name = "Financements de la CAF (bonus territoire)"
