"""The findings (constats) of the diagnostic partagé: atouts, faiblesses, besoins, ressources, each with its
source and evidence; the enjeux of the plan cite them (issue 13)."""

from django.apps import AppConfig


class FindingsConfig(AppConfig):
    name = "ctg.findings"
    verbose_name = "Constats du diagnostic"

    def ready(self):
        # The French labels of the findings' history lines (`register_labels`).
        from ctg.findings import services  # noqa: F401
