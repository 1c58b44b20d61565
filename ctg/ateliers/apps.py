from django.apps import AppConfig


class AteliersConfig(AppConfig):
    name = "ctg.ateliers"
    verbose_name = "Ateliers du diagnostic"
