from django.apps import AppConfig


class PostConfig(AppConfig):
    name = "ctg.post"
    label = "post"
    verbose_name = "Poste de coordination"

    def ready(self):
        # The services declare the labels of their history changes (ctg.core.history.register_labels).
        import ctg.post.services  # noqa: F401

        # A renewal carries the coordinator post (ctg.conventions keeps the registry).
        from ctg.conventions.renewal import register
        from ctg.post import renewal

        register("post.post", order=30, options=renewal.options, carry_over=renewal.carry_over)
