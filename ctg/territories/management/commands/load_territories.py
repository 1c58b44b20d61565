from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ctg.territories.importer import LEVEL_LABELS, TerritorySourceError, import_territories
from ctg.territories.text import format_number


class Command(BaseCommand):
    help = (
        "Charge le référentiel territorial (régions, départements, EPCI, communes et anciens codes) "
        "depuis les fichiers JSON du paquet npm @etalab/decoupage-administratif. Sans effet si les "
        "fichiers n'ont pas changé depuis le dernier import, sauf avec --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            type=Path,
            default=None,
            help="Dossier contenant regions.json, departements.json, epci.json et communes.json "
            "(par défaut : CTG_TERRITORIES_SOURCE).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Importer même si les fichiers n'ont pas changé."
        )

    def handle(self, *args, source=None, force=False, **options):
        source = source or settings.CTG_TERRITORIES_SOURCE
        progress = None if options["verbosity"] >= 1 else False
        try:
            result = import_territories(source, force=force, progress=progress)
        except TerritorySourceError as error:
            raise CommandError(
                f"Import du référentiel territorial refusé, rien n'a été modifié. {error}"
            ) from None

        counts = result.counts
        if result.skipped:
            self.stdout.write(
                f"Référentiel territorial inchangé depuis le dernier import ({source}) : rien à faire. "
                "Utilisez --force pour réimporter."
            )
            return

        if options["verbosity"] >= 2:
            for level, label in LEVEL_LABELS.items():
                c = counts[level]
                details = [
                    f"{format_number(c.created)} créés",
                    f"{format_number(c.updated)} mis à jour",
                    f"{format_number(c.deleted)} supprimés"
                    if level == "former_codes"
                    else f"{format_number(c.obsoleted)} rendus obsolètes",
                ]
                self.stdout.write(
                    f"  {label} : {format_number(c.total)} dans la source, {', '.join(details)}"
                )

        def total(level):
            return format_number(counts[level].total)

        self.stdout.write(
            self.style.SUCCESS(
                f"Référentiel chargé : {total('regions')} régions, {total('departements')} départements, "
                f"{total('epci')} EPCI, {total('communes')} communes ({total('former_codes')} anciens codes) "
                f"en {format_number(result.duration, 1)} s"
                + ("" if result.changed else " (aucune modification)")
            )
        )
