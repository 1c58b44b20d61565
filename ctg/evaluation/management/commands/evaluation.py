from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ctg.conventions.models import Ctg
from ctg.evaluation.final_services import final_generate
from ctg.evaluation.models import FinalEvaluation


class Command(BaseCommand):
    help = (
        "Génère une nouvelle version (conservée et numérotée) du rapport d'évaluation finale d'un dossier "
        "CTG sur les quatre questions de la CNAF et écrit ses fichiers PDF et DOCX."
    )

    def add_arguments(self, parser):
        parser.add_argument("dossier_id", metavar="DOSSIER_ID", type=int, help="Identifiant du dossier CTG.")
        parser.add_argument("--pdf", type=Path, metavar="FICHIER", help="Fichier PDF à écrire.")
        parser.add_argument("--docx", type=Path, metavar="FICHIER", help="Fichier DOCX à écrire.")

    def handle(self, *args, dossier_id, pdf=None, docx=None, **options):
        ctg = Ctg.objects.filter(pk=dossier_id).first()
        if ctg is None:
            raise CommandError(f"Aucun dossier CTG n° {dossier_id}.")
        for path in (pdf, docx):
            if path is not None and not path.parent.is_dir():
                raise CommandError(f"Dossier inexistant pour écrire {path}.")
        evaluation = FinalEvaluation.objects.filter(ctg=ctg).first()
        if evaluation is None:
            raise CommandError(
                "L'évaluation finale de ce dossier n'est pas ouverte "
                "(elle s'ouvre dans la phase « Évaluation »)."
            )
        try:
            version = final_generate(evaluation=evaluation, actor=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        for path, stored in ((pdf, version.pdf), (docx, version.docx)):
            if path is None:
                continue
            with stored.open("rb") as handle:
                data = handle.read()
            try:
                path.write_bytes(data)
            except OSError as error:
                raise CommandError(f"Écriture impossible de {path} : {error.strerror}.") from None
        self.stdout.write(f"{version} de « {ctg} » générée.")
