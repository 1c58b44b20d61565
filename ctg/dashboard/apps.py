from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "ctg.dashboard"
    verbose_name = "Tableau de bord de la CAF"
