from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "ctg.exchange"
    label = "exchange"
    verbose_name = "Échange du plan d'action"
