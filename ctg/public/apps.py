from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "ctg.public"
    verbose_name = "Page publique de la CTG"

    def ready(self):
        # The services declare the labels of their history changes (ctg.core.history.register_labels).
        import ctg.public.services  # noqa: F401
