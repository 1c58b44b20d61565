from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "ctg.governance"
    verbose_name = "Gouvernance et coordination"

    def ready(self):
        # The services declare the labels of their history changes (ctg.core.history.register_labels).
        import ctg.governance.services  # noqa: F401

        # A renewal carries the bodies and their members (ctg.conventions keeps the registry).
        from ctg.conventions.renewal import register
        from ctg.governance.services import renewal

        register("governance.bodies", order=20, options=renewal.options, carry_over=renewal.carry_over)
