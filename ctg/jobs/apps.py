from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "ctg.jobs"
    verbose_name = "Travaux en arrière-plan"
