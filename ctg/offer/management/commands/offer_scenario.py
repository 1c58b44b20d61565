import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ctg.diagnostics.portrait import TerritoryNotFound, of_territory
from ctg.offer import scenarios, typology


class Command(BaseCommand):
    help = (
        "Scénario de l'offre de services, sans rien enregistrer : une structure créée (type, places, "
        "commune, année d'ouverture) dans un territoire (code Insee de commune, SIREN d'EPCI ou code de "
        "département) ; l'offre, le taux de couverture et les zones blanches de la commune et du territoire "
        "avant et après. En JSON avec --json."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "code", metavar="CODE", help="Code Insee de commune, SIREN d'EPCI ou code de département."
        )
        parser.add_argument(
            "--type", required=True, help="Type de structure (par exemple eaje_micro_creche)."
        )
        parser.add_argument("--places", required=True, help="Nombre de places.")
        parser.add_argument("--commune", required=True, help="Code Insee de la commune d'implantation.")
        parser.add_argument("--year", required=True, help="Année d'ouverture.")
        parser.add_argument("--name", default="", help="Nom de la structure (facultatif).")
        parser.add_argument("--json", action="store_true", help="Écrit le résultat en JSON.")
        parser.add_argument(
            "--distance", type=float, default=None, metavar="KM", help="Distance des zones blanches (km)."
        )

    def handle(self, *args, code, type, places, commune, year, name="", json=False, distance=None, **options):
        if distance is not None and not 0 < distance <= 200:
            raise CommandError("La distance doit être comprise entre 0 et 200 km.")
        # « micro_creche », « creche », « multi_accueil »: the EAJE kinds without their prefix.
        if type not in typology.BY_CODE and f"eaje_{type}" in typology.BY_CODE:
            type = f"eaje_{type}"
        try:
            comparison = scenarios.simulate(
                code, type=type, places=places, commune=commune, year=year, name=name, distance_km=distance
            )
        except TerritoryNotFound as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if json:
            self.stdout.write(_dumps(scenarios.comparison_json(comparison)))
            return
        self.stdout.write(
            f"Scénario {of_territory(comparison.territory)} ({comparison.territory.code}) : "
            + " ; ".join(comparison.lines)
        )
        for level in comparison.levels:
            self.stdout.write(f"\n{level.title}")
            for row in level.fields:
                self.stdout.write(f"  {row.label}")
                for pair in [*row.pairs, *([row.rate] if row.rate else [])]:
                    self.stdout.write(
                        f"    {pair.label} : avant {_value(pair.before)} → après {_value(pair.after)}"
                    )
            for zone in level.zones:
                self.stdout.write(
                    f"  Zones blanches à {comparison.distance_km:g} km, {zone.label} : avant "
                    f"{len(zone.before.communes)} commune(s), après {len(zone.after.communes)} commune(s)"
                    + (
                        " ; ne sont plus en zone blanche : " + ", ".join(c["name"] for c in zone.removed)
                        if zone.removed
                        else ""
                    )
                )
        for warning in comparison.warnings:
            self.stdout.write(f"\nAttention : {warning}")
        self.stdout.write(f"\nMéthode des zones blanches : {comparison.method}")


def _value(figure) -> str:
    if figure is None:
        return "—"
    text = figure.text if figure.value is None else f"{figure.text} {figure.unit}"
    status = f" [{figure.status}]"
    return text + status + (" (simulé)" if figure.simulated else "")


def _dumps(document) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)
