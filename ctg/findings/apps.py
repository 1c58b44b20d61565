from django.apps import AppConfig


class FindingsConfig(AppConfig):
    name = "ctg.findings"
    verbose_name = "Constats du diagnostic"
