from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ctg.conventions.models import Ctg
from ctg.documents.services import diagnostic_files_delete, diagnostic_generate


class Command(BaseCommand):
    help = (
        "Génère une nouvelle version du document du diagnostic partagé d'un dossier CTG (restitution au "
        "comité) et écrit ses fichiers PDF et DOCX. Tout ou rien : si un fichier ne peut pas être écrit, "
        "aucune version n'est gardée."
    )

    def add_arguments(self, parser):
        parser.add_argument("dossier_id", metavar="DOSSIER", help="Identifiant du dossier CTG.")
        parser.add_argument("--pdf", type=Path, metavar="FICHIER", help="Fichier PDF à écrire.")
        parser.add_argument("--docx", type=Path, metavar="FICHIER", help="Fichier DOCX à écrire.")

    def handle(self, *args, dossier_id, pdf=None, docx=None, **options):
        ctg = Ctg.objects.filter(pk=int(dossier_id)).first() if str(dossier_id).isdigit() else None
        if ctg is None:
            raise CommandError(f"Aucun dossier CTG n° {dossier_id}.")
        for path in (pdf, docx):
            if path is None:
                continue
            if path.is_dir():
                raise CommandError(f"{path} est un dossier : indiquez un nom de fichier.")
            if not path.parent.is_dir():
                raise CommandError(f"Dossier inexistant pour écrire {path}.")
        with transaction.atomic():
            version = diagnostic_generate(ctg=ctg, actor=None)
            written: list[Path] = []
            try:
                for path, stored in ((pdf, version.pdf), (docx, version.docx)):
                    if path is None:
                        continue
                    with stored.open("rb") as handle:
                        data = handle.read()
                    existed = path.exists()
                    path.write_bytes(data)
                    if not existed:
                        written.append(path)
            except OSError as error:
                # Nothing kept: the stored files, the version and its history line (rolled back), and the
                # files this command created.
                diagnostic_files_delete(version)
                for done in written:
                    done.unlink(missing_ok=True)
                reason = error.strerror or str(error)
                raise CommandError(
                    f"Écriture impossible de {path} : {reason}. Aucune version n'est gardée."
                ) from None
        self.stdout.write(f"Document du diagnostic partagé de « {ctg} » généré (version {version.number}).")
        for path in (pdf, docx):
            if path is not None:
                self.stdout.write(f"- {path}")
