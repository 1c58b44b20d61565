from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "ctg.governance"
    verbose_name = "Gouvernance et coordination"
