from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "ctg.documents"
    verbose_name = "Convention (document)"

    def ready(self):
        # The services declare the labels of their history changes (ctg.core.history.register_labels).
        import ctg.documents.services  # noqa: F401
