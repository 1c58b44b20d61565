from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ctg.core"
    label = "core"
    verbose_name = "Socle (historique des dossiers)"
