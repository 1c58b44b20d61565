from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ctg.organisations.models import User
from ctg.transfer.archive import max_bytes
from ctg.transfer.importer import import_dossier


class Command(BaseCommand):
    help = (
        "Importe l'archive d'un dossier CTG exportée par une autre instance (ctg export_dossier). "
        "Tout est vérifié d'abord (territoires par leurs codes officiels, personnes par adresse, "
        "organisations, "
        "conflits) : au moindre problème, rien n'est enregistré et chaque problème est expliqué."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="ARCHIVE", type=Path, help="Archive .zip du dossier.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Vérifie seulement, sans rien enregistrer."
        )
        parser.add_argument(
            "--create-people", action="store_true", help="Crée les personnes inconnues (comptes inactifs)."
        )
        parser.add_argument(
            "--create-organisations", action="store_true", help="Crée les organisations inconnues."
        )
        parser.add_argument(
            "--create-schema-axes",
            action="store_true",
            help="Crée les axes inconnus du schéma départemental des services aux familles.",
        )
        parser.add_argument(
            "--user", metavar="EMAIL", help="Personne à qui l'import est attribué (historique)."
        )

    def handle(self, *args, file, dry_run, create_people, create_organisations, user=None, **options):
        create_schema_axes = options["create_schema_axes"]
        actor = None
        if user:
            actor = User.objects.filter(email__iexact=user.strip()).first()
            if actor is None:
                raise CommandError(f"Aucune personne avec l'adresse {user}.")
        try:
            with file.open("rb") as handle:
                data = handle.read(max_bytes() + 1)
        except OSError as error:
            raise CommandError(f"Lecture impossible de {file} : {error.strerror}.") from None
        try:
            ctg, plan = import_dossier(
                data,
                file.name,
                actor=actor,
                create_people=create_people,
                create_organisations=create_organisations,
                create_schema_axes=create_schema_axes,
                dry_run=dry_run,
            )
        except ValidationError as error:
            lines = "\n".join(f"- {message}" for message in error.messages)
            raise CommandError(f"Import refusé, rien n'a été enregistré :\n{lines}") from None
        for note in plan.notes:
            self.stdout.write(f"Remarque : {note}")
        if ctg is None:
            self.stdout.write(
                f"Vérification réussie : l'archive {file.name} peut être importée (rien n'a été écrit)."
            )
        else:
            self.stdout.write(f"Dossier « {ctg.title} » importé (n° {ctg.pk}).")
