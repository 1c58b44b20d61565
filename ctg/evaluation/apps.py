from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "ctg.evaluation"
    label = "evaluation"
    verbose_name = "Évaluation"

    def ready(self):
        # The services declare the labels of their history changes (ctg.core.history.register_labels).
        import ctg.evaluation.services  # noqa: F401
