from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "ctg.surveys"
    verbose_name = "Questionnaires"

    def ready(self):
        import ctg.surveys.services  # noqa: F401  (the French labels of the history)
