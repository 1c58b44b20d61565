from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ctg.api"
    verbose_name = "API ouverte"
