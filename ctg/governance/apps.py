from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "ctg.governance"
    verbose_name = "Gouvernance et coordination"

    def ready(self):
        # The services declare the labels of their history changes (ctg.core.history.register_labels).
        import ctg.governance.services  # noqa: F401
