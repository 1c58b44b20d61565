from django.apps import AppConfig


class DiagnosticsConfig(AppConfig):
    name = "ctg.diagnostics"
    verbose_name = "Diagnostic de territoire"
