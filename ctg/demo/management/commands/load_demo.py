from django.core.management.base import BaseCommand, CommandError

from ctg.demo.data import DEMO_PASSWORD
from ctg.demo.loader import DemoError, demo_logins, load_demo


class Command(BaseCommand):
    help = "Charge la démonstration (idempotent) : un EPCI réel, des personnes et un dossier CTG fictifs."

    def handle(self, *args, **options):
        try:
            ctg, created, statistics = load_demo()
        except DemoError as error:
            raise CommandError(str(error)) from error
        verb = "créé" if created else "déjà présent"
        self.stdout.write(
            self.style.SUCCESS(f"Dossier de démonstration {verb} : « {ctg.title} » (n° {ctg.pk}).")
        )
        for label in statistics:
            self.stdout.write(f"Statistiques fictives chargées pour le diagnostic : {label}.")
        self.stdout.write(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        for email, label in demo_logins():
            self.stdout.write(f"  {email:32} {label}")
