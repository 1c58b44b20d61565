from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ctg.conventions.models import Ctg
from ctg.datafiles import limit
from ctg.exchange.imports import IMPORT_SUFFIXES, import_file
from ctg.exchange.layout import PlanImportError, counted
from ctg.organisations.models import User


class Command(BaseCommand):
    help = (
        "Importe un plan d'action (classeur .xlsx ou export .json) dans un dossier CTG dont le plan est "
        "vide. "
        "Le fichier est vérifié en entier d'abord : au moindre problème, rien n'est enregistré."
    )

    def add_arguments(self, parser):
        parser.add_argument("dossier_id", metavar="DOSSIER_ID", type=int, help="Identifiant du dossier CTG.")
        parser.add_argument("file", metavar="FICHIER", type=Path, help="Fichier .xlsx ou .json.")
        parser.add_argument(
            "--user", metavar="EMAIL", help="Adresse de la personne à qui l'import est attribué (historique)."
        )

    def handle(self, *args, dossier_id, file, user=None, **options):
        ctg = Ctg.objects.filter(pk=dossier_id).first()
        if ctg is None:
            raise CommandError(f"Aucun dossier CTG n° {dossier_id}.")
        actor = None
        if user:
            actor = User.objects.filter(email__iexact=user.strip()).first()
            if actor is None:
                raise CommandError(f"Aucune personne avec l'adresse {user}.")
        suffix = file.suffix.lower()
        if suffix not in IMPORT_SUFFIXES:
            raise CommandError(f"Extension non reconnue « {file.suffix} » : fichier .xlsx ou .json attendu.")
        max_bytes = limit("CTG_DATAFILE_MAX_BYTES")
        try:
            # Not read whole past the limit (a file of several gigaoctets would be, into memory).
            with file.open("rb") as handle:
                data = handle.read(max_bytes + 1)
        except OSError as error:
            raise CommandError(f"Lecture impossible de {file} : {error.strerror}.") from None
        try:
            counts = import_file(ctg, data, file.name, actor)
        except PlanImportError as error:
            lines = "\n".join(f"- {message}" for message in error.messages)
            raise CommandError(f"Import refusé, rien n'a été enregistré :\n{lines}") from None
        self.stdout.write(
            f"Plan d'action importé dans « {ctg} » : {counted(counts['enjeux'], 'enjeu', 'enjeux')}, "
            f"{counted(counts['fiches'], 'fiche', 'fiches')}."
        )
