import json

from django.core.management.base import BaseCommand, CommandError

from ctg.diagnostics.portrait import TerritoryNotFound, of_territory
from ctg.offer.selectors import structure_rows, structures_of_code
from ctg.territories.text import format_number


class Command(BaseCommand):
    help = (
        "Liste les structures de l'offre de services d'un territoire (code Insee de commune, SIREN d'EPCI ou "
        "code de département) : type, nom, commune, source, identifiant dans la source et statut ; en JSON "
        "avec --json. Une structure absente de la dernière liste de sa source est signalée, jamais cachée."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "code", metavar="CODE", help="Code Insee de commune, SIREN d'EPCI ou code de département."
        )
        parser.add_argument(
            "--json", action="store_true", help="Écrit la liste en JSON sur la sortie standard."
        )

    def handle(self, *args, code, json=False, **options):
        try:
            territory, structures = structures_of_code(code)
        except TerritoryNotFound as error:
            raise CommandError(str(error)) from None
        rows = structure_rows(structures.order_by("commune__name", "type", "name", "pk"))
        if json:
            self.stdout.write(_dumps(_document(territory, rows)))
            return
        count = len(rows)
        kind = territory.kind_label.lower()
        self.stdout.write(
            f"Offre de services {of_territory(territory)} ({kind} {territory.code}) : "
            f"{format_number(count)} structure{'s' if count > 1 else ''}"
        )
        for row in rows:
            missing = " — absente de la dernière source" if row["missing_from_source"] else ""
            source_id = f" n° {row['source_id']}" if row["source_id"] else ""
            self.stdout.write(
                f"  {row['commune_code']} {row['commune_name']} | {row['type']} ({row['type_label']}) | "
                f"{row['name']} | {row['status_label'].lower()}{missing} | {row['source']}{source_id}"
            )


def _document(territory, rows) -> dict:
    keys = (
        "type",
        "type_label",
        "field",
        "name",
        "commune_code",
        "commune_name",
        "source",
        "source_id",
        "status",
        "missing_from_source",
        "last_update",
    )
    return {
        "territory": {"code": territory.code, "kind": territory.kind, "name": territory.name},
        "count": len(rows),
        "structures": [{key: row[key] for key in keys} for row in rows],
    }


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
