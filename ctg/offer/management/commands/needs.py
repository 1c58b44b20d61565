import json

from django.core.management.base import BaseCommand, CommandError

from ctg.diagnostics.portrait import TerritoryNotFound, of_territory, resolve_territory
from ctg.offer.needs import METHOD, default_distance_km, needs_json


class Command(BaseCommand):
    help = (
        "Besoins et offre d'un territoire (code Insee de commune, SIREN d'EPCI ou code de département), par "
        "champ : indicateurs de besoin du portrait, offre de l'inventaire, taux de couverture ; puis les "
        "zones blanches (communes sans structure d'un type à moins de --distance km). En JSON avec --json."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "code", metavar="CODE", help="Code Insee de commune, SIREN d'EPCI ou code de département."
        )
        parser.add_argument("--json", action="store_true", help="Écrit le résultat en JSON.")
        parser.add_argument(
            "--distance", type=float, default=None, metavar="KM", help="Distance des zones blanches (km)."
        )

    def handle(self, *args, code, json=False, distance=None, **options):
        if distance is not None and not 0 < distance <= 200:
            raise CommandError("La distance doit être comprise entre 0 et 200 km.")
        try:
            territory = resolve_territory(code)
        except TerritoryNotFound as error:
            raise CommandError(str(error)) from None
        document = needs_json(territory, distance if distance is not None else default_distance_km())
        if json:
            self.stdout.write(_dumps(document))
            return
        self.stdout.write(f"Besoins et offre {of_territory(territory)} ({territory.code})")
        for row in document["fields"]:
            self.stdout.write(f"\n{row['label']}")
            for kind, figures in (("besoin", row["demand"]), ("offre", row["offer"])):
                for f in figures:
                    self.stdout.write(f"  [{kind}] {_line(f)}")
            if row["rate"]:
                self.stdout.write(f"  [taux] {_line(row['rate'])}")
        zones = document["white_zones"]
        self.stdout.write(f"\nZones blanches à {zones['distance_km']:g} km — {METHOD}")
        for zone in zones["types"]:
            names = ", ".join(
                f"{c['name']} ({'—' if c['nearest_km'] is None else str(c['nearest_km']) + ' km'})"
                for c in zone["white_zones"]
            )
            self.stdout.write(f"  {zone['label']} : {len(zone['white_zones'])} commune(s) {names}")


def _line(f: dict) -> str:
    value = "non disponible" if f["value"] is None else f"{f['value']:g} {f['unit']}"
    caveat = f" — {f['caveat']}" if f["caveat"] else ""
    return f"{f['label']} : {value} [{f['status']}] ({f['source'] or 'sans source'}){caveat}"


def _dumps(document) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)
