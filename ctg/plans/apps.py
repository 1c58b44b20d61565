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

        # A renewal carries the unfinished fiches and their indicators (ctg.conventions keeps the registry).
        from ctg.conventions.renewal import register
        from ctg.plans.services import renewal

        register("plans.fiches", order=40, options=renewal.options, carry_over=renewal.carry_over)
