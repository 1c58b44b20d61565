from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "ctg.plans"
    verbose_name = "Plan d'action"

    def ready(self):
        from ctg.diagnostics.signals import dataset_imported
        from ctg.plans.receivers import refresh_open_data_indicators

        dataset_imported.connect(refresh_open_data_indicators, dispatch_uid="plans-refresh-open-data")

        # The findings' pages list the enjeux that cite them (the findings app is below the plan).
        from ctg.findings.selectors import register_citing
        from ctg.plans.receivers import enjeux_citing

        register_citing("plans.enjeu", enjeux_citing)
