from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "ctg.surveys"
    verbose_name = "Questionnaires"
