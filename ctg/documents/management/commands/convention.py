from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ctg.conventions.models import Ctg
from ctg.documents.services import convention_generate


class Command(BaseCommand):
    help = (
        "Génère une nouvelle version de la convention (ou de l'accord-cadre) d'un dossier CTG, ou le "
        "document d'un avenant enregistré avec --avenant, et écrit ses fichiers DOCX et PDF."
    )

    def add_arguments(self, parser):
        parser.add_argument("dossier_id", metavar="DOSSIER_ID", type=int, help="Identifiant du dossier CTG.")
        parser.add_argument("--docx", type=Path, metavar="FICHIER", help="Fichier DOCX à écrire.")
        parser.add_argument("--pdf", type=Path, metavar="FICHIER", help="Fichier PDF à écrire.")
        parser.add_argument(
            "--avenant",
            metavar="NUMERO",
            type=int,
            help="Génère le document de l'avenant enregistré sous ce numéro dans le dossier.",
        )

    def handle(self, *args, dossier_id, docx=None, pdf=None, avenant=None, **options):
        ctg = Ctg.objects.filter(pk=dossier_id).first()
        if ctg is None:
            raise CommandError(f"Aucun dossier CTG n° {dossier_id}.")
        for path in (docx, pdf):
            if path is not None and not path.parent.is_dir():
                raise CommandError(f"Dossier inexistant pour écrire {path}.")
        record = None
        if avenant is not None:
            record = ctg.avenants.filter(number=avenant).first()
            if record is None:
                raise CommandError(f"Aucun avenant n° {avenant} n'est enregistré dans ce dossier.")
        try:
            version = convention_generate(ctg=ctg, actor=None, avenant=record)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        for path, stored in ((docx, version.docx), (pdf, version.pdf)):
            if path is None:
                continue
            with stored.open("rb") as handle:
                data = handle.read()
            try:
                path.write_bytes(data)
            except OSError as error:
                raise CommandError(f"Écriture impossible de {path} : {error.strerror}.") from None
        self.stdout.write(f"{version} de « {ctg} » générée.")
        for line in version.changes:
            self.stdout.write(f"- {line}")
