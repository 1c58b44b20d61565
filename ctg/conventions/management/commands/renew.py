"""`ctg renew DOSSIER [--start-year Y] [--end-year Y] [--user EMAIL] [--dry-run]`: the renewal of a CTG in
its évaluation or terminée, carrying everything the apps offer (`ctg.conventions.renewal`)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ctg.conventions import renewal, services
from ctg.conventions.models import Ctg
from ctg.organisations.models import User


class Command(BaseCommand):
    help = (
        "Renouvelle une CTG (en évaluation ou terminée) : crée le dossier de la période suivante "
        "et y reprend signataires (à signer de nouveau), instances, poste de coordination, "
        "fiches non terminées et leurs indicateurs. --dry-run : affiche ce qui serait repris."
    )

    def add_arguments(self, parser):
        parser.add_argument("dossier", type=int, help="Numéro du dossier à renouveler.")
        parser.add_argument(
            "--start-year", type=int, help="Première année (par défaut : l'année suivant la fin)."
        )
        parser.add_argument("--end-year", type=int, help="Dernière année (par défaut : même durée).")
        parser.add_argument("--user", metavar="EMAIL", help="Personne à qui le renouvellement est attribué.")
        parser.add_argument("--dry-run", action="store_true", help="Affiche ce qui serait repris.")

    def handle(self, *args, dossier, start_year=None, end_year=None, user=None, dry_run=False, **options):
        ctg = Ctg.objects.filter(pk=dossier).first()
        if ctg is None:
            raise CommandError(f"Aucun dossier n° {dossier}.")
        actor = None
        if user:
            actor = User.objects.filter(email__iexact=user.strip()).first()
            if actor is None:
                raise CommandError(f"Aucune personne avec l'adresse {user}.")
        groups = renewal.options(ctg)
        first = start_year or ctg.end_year + 1
        last = end_year or first + ctg.duration_years - 1
        verb = "Serait repris" if dry_run else "Repris"
        self.stdout.write(f"Renouvellement de « {ctg.title} » ({ctg.period_label}) pour {first}-{last}")
        for group in groups:
            self.stdout.write(f"{group.title} :")
            for choice in group.choices:
                indent = "    " if choice.parent else "  "
                self.stdout.write(
                    f"{indent}- {verb} : {choice.label}" + (f" ({choice.detail})" if choice.detail else "")
                )
        try:
            with transaction.atomic():
                new = services.ctg_renew(ctg=ctg, actor=actor, start_year=start_year, end_year=end_year)
                if dry_run:
                    transaction.set_rollback(True)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if dry_run:
            self.stdout.write("Aucune écriture (--dry-run).")
        else:
            self.stdout.write(f"Dossier n° {new.pk} créé : « {new.title} » ({new.period_label}).")
