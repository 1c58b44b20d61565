from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "ctg.organisations"
    verbose_name = "Organisations et personnes"
