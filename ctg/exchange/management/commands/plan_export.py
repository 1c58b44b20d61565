import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ctg.conventions.models import Ctg
from ctg.exchange.export import export_plan, export_xlsx


class Command(BaseCommand):
    help = (
        "Exporte le plan d'action d'un dossier CTG : en JSON (sur la sortie standard sans --out) ou en "
        "classeur Excel (--format xlsx, --out obligatoire)."
    )

    def add_arguments(self, parser):
        parser.add_argument("dossier_id", metavar="DOSSIER_ID", type=int, help="Identifiant du dossier CTG.")
        parser.add_argument(
            "--format", choices=["json", "xlsx"], default="json", help="json (défaut) ou xlsx."
        )
        parser.add_argument("--out", type=Path, metavar="FICHIER", help="Fichier à écrire.")

    def handle(self, *args, dossier_id, format="json", out=None, **options):
        ctg = Ctg.objects.filter(pk=dossier_id).first()
        if ctg is None:
            raise CommandError(f"Aucun dossier CTG n° {dossier_id}.")
        if format == "xlsx":
            if out is None:
                raise CommandError("L'export xlsx s'écrit dans un fichier : précisez --out FICHIER.")
            content = export_xlsx(ctg)
        else:
            content = json.dumps(export_plan(ctg), ensure_ascii=False, indent=2) + "\n"
            if out is None:
                self.stdout.write(content, ending="")
                return
            content = content.encode()
        try:
            out.write_bytes(content)
        except OSError as error:
            raise CommandError(f"Écriture impossible de {out} : {error.strerror}.") from None
        self.stderr.write(f"Plan d'action de « {ctg} » écrit dans {out}.")
