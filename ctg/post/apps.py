from django.apps import AppConfig


class PostConfig(AppConfig):
    name = "ctg.post"
    label = "post"
    verbose_name = "Poste de coordination"

    def ready(self):
        # The services declare the labels of their history changes (ctg.core.history.register_labels).
        import ctg.post.services  # noqa: F401
