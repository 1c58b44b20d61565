from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "ctg.public"
    verbose_name = "Page publique de la CTG"
