from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "ctg.plans"
    verbose_name = "Plan d'action"
