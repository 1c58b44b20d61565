from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "ctg.transfer"
    verbose_name = "Export et import d'un dossier entier"
