from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "ctg.notifications"
    verbose_name = "Notifications et rappels"
