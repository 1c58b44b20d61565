import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ctg.diagnostics.portrait import (
    TerritoryNotFound,
    build_portrait,
    of_territory,
    portrait_as_json,
    resolve_territory,
)


class Command(BaseCommand):
    help = (
        "Portrait social d'un territoire (code Insee de commune, SIREN d'EPCI ou code de département) : "
        "en JSON sur la sortie standard (--json, par défaut) et/ou en PDF (--pdf FICHIER)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "code", metavar="CODE", help="Code Insee de commune, SIREN d'EPCI ou code de département."
        )
        parser.add_argument(
            "--json", action="store_true", help="Écrit le portrait en JSON sur la sortie standard."
        )
        parser.add_argument(
            "--pdf", type=Path, metavar="FICHIER", help="Écrit le portrait en PDF dans FICHIER."
        )

    def handle(self, *args, code, json=False, pdf=None, **options):
        try:
            territory = resolve_territory(code)
        except TerritoryNotFound as error:
            raise CommandError(str(error)) from None
        portrait = build_portrait(territory)
        if pdf is not None:
            from ctg.diagnostics.pdf import render_portrait_pdf

            try:
                pdf.write_bytes(render_portrait_pdf(portrait))
            except OSError as error:
                raise CommandError(f"Écriture impossible de {pdf} : {error.strerror}.") from None
            self.stderr.write(f"Portrait {of_territory(territory)} écrit dans {pdf}.")
        if json or pdf is None:
            self.stdout.write(_dumps(portrait_as_json(portrait)))


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
