from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "ctg.territories"
    verbose_name = "Référentiel territorial"
