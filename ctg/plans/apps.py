from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "ctg.plans"
    verbose_name = "Plan d'action"

    def ready(self):
        from ctg.diagnostics.signals import dataset_imported
        from ctg.plans.receivers import refresh_open_data_indicators

        dataset_imported.connect(refresh_open_data_indicators, dispatch_uid="plans-refresh-open-data")
