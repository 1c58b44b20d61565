from django.apps import AppConfig


class ConventionsConfig(AppConfig):
    name = "ctg.conventions"
    verbose_name = "Dossiers CTG"
