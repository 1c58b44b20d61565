from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ctg.conventions.models import Ctg
from ctg.transfer.export import export_dossier


class Command(BaseCommand):
    help = (
        "Exporte un dossier CTG entier (parties, membres, jalons, plan et valeurs, gouvernance, poste, "
        "documents et leurs fichiers, historique…) dans une archive ZIP (docs/dossier_archive.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("dossier_id", metavar="DOSSIER_ID", type=int, help="Identifiant du dossier CTG.")
        parser.add_argument(
            "--out", metavar="FICHIER", type=Path, required=True, help="Archive .zip à écrire."
        )

    def handle(self, *args, dossier_id, out, **options):
        ctg = Ctg.objects.filter(pk=dossier_id).first()
        if ctg is None:
            raise CommandError(f"Aucun dossier CTG n° {dossier_id}.")
        content = export_dossier(ctg)
        try:
            out.write_bytes(content)
        except OSError as error:
            raise CommandError(f"Écriture impossible de {out} : {error.strerror}.") from None
        self.stdout.write(f"Dossier « {ctg.title} » exporté dans {out} ({len(content)} octets).")
