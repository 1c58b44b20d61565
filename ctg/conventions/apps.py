from django.apps import AppConfig


class ConventionsConfig(AppConfig):
    name = "ctg.conventions"
    verbose_name = "Dossiers CTG"

    def ready(self):
        # The services declare the labels of their history changes (ctg.core.history.register_labels).
        import ctg.conventions.services  # noqa: F401
