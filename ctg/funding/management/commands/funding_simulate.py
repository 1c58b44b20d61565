"""`ctg funding_simulate FILE.json [--year Y] [--caf ID] [--json]`: the CAF's funding of a list of lines.

The file is a JSON list of lines (`{"id": "a", "kind": "eaje_new_places", "places": 20, "tranche": "1"}`…).
The command fails (exit ≠ 0, a French message naming the file and the line) only on a malformed file: not
JSON, not a list, a line that is not an object or has no id or kind. A line that cannot be computed is
printed with its reason and the exit status stays 0. Nothing is written."""

import json
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ctg.funding.parameters import YEAR_MAX, YEAR_MIN, unit_of
from ctg.funding.rules import KIND_LABELS, euros, fr_number
from ctg.funding.simulate import simulate
from ctg.organisations.models import Organisation

MAX_BYTES = 5 * 1024 * 1024
MAX_LINES = 10_000


def read_lines(path: Path) -> list[dict]:
    """The lines of the file, or a CommandError naming the file (and the line) when it is malformed."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(f"{path} : le fichier dépasse {MAX_BYTES // (1024 * 1024)} Mo.")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"{path} : fichier introuvable.") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path} : le fichier n'est pas du texte UTF-8.") from None
    except OSError as error:
        raise CommandError(f"{path} : lecture impossible ({error.strerror}).") from None
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        detail = (
            f"ligne {error.lineno}, colonne {error.colno}" if hasattr(error, "lineno") else "trop imbriqué"
        )
        raise CommandError(f"{path} : ce n'est pas du JSON valide ({detail}).") from None
    if not isinstance(data, list):
        raise CommandError(f'{path} : une liste de lignes est attendue ([{{"id": …, "kind": …}}, …]).')
    if len(data) > MAX_LINES:
        raise CommandError(f"{path} : plus de {MAX_LINES} lignes.")
    for number, line in enumerate(data, start=1):
        if not isinstance(line, dict):
            raise CommandError(f"{path}, ligne {number} : un objet JSON est attendu.")
        for name in ("id", "kind"):
            value = line.get(name)
            if value is None or value == "" or isinstance(value, dict | list):
                raise CommandError(f"{path}, ligne {number} : « {name} » manquant.")
    return data


def find_caf(value: str) -> Organisation:
    cafs = Organisation.objects.filter(kind=Organisation.Kind.CAF)
    digits = value.strip()
    found = None
    if digits.isdigit() and len(digits) == 14:
        found = cafs.filter(siret=digits).first()
    elif digits.isdigit() and len(digits) == 9:
        found = cafs.filter(siret__startswith=digits).first()
    if found is None and digits.isdigit():
        found = cafs.filter(pk=int(digits)).first()
    if found is None:
        raise CommandError(f"CAF introuvable : « {value} » (identifiant, SIREN ou SIRET d'une CAF).")
    return found


def _json_number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(type(value).__name__)


def as_output(result: dict) -> dict:
    """What the command prints for a line: its id, its amount or eligible hours, the rule, the problem."""
    output = {"id": result["id"], "kind": result["kind"]}
    if result["kind"] == "alsh_new_hours":
        output["eligible_hours"] = result["eligible_hours"]
    else:
        output["amount_eur_per_year"] = result["amount_eur_per_year"]
    output["rule"] = result["rule"]
    output["parameters"] = result["parameters"]
    output["problem"] = result["problem"]
    return output


class Command(BaseCommand):
    help = (
        "Simule les financements de la CAF (bonus territoire, bonus, CTRE, ALSH, poste de coordination, "
        "reste à charge) d'un fichier JSON de lignes, avec la règle et les paramètres appliqués."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, metavar="FICHIER.json", help="Liste JSON des lignes à simuler."
        )
        parser.add_argument(
            "--year", type=int, help="Année des lignes qui n'en donnent pas (par défaut : l'année en cours)."
        )
        parser.add_argument(
            "--caf", help="CAF dont la table des paramètres s'applique (identifiant ou SIREN/SIRET)."
        )
        parser.add_argument("--json", action="store_true", help="Écrit le résultat en JSON.")

    def handle(self, *args, file, year=None, caf=None, json=False, **options):
        if year is not None and not YEAR_MIN <= year <= YEAR_MAX:
            raise CommandError(f"L'année {year} est hors de la période couverte ({YEAR_MIN} à {YEAR_MAX}).")
        lines = read_lines(file)
        organisation = find_caf(caf) if caf else None
        results = [as_output(r) for r in simulate(lines, caf=organisation, year=year)]
        if json:
            self.stdout.write(_dumps(results))
            return
        for result in results:
            self.stdout.write(_text(result))


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_number)


def _text(result: dict) -> str:
    label = KIND_LABELS.get(result["kind"], str(result["kind"]))
    if result["problem"]:
        figure = "non calculable"
    elif "eligible_hours" in result:
        figure = f"{fr_number(result['eligible_hours'])} heures éligibles"
    else:
        figure = f"{euros(result['amount_eur_per_year'])} par an"
    lines = [f"{result['id']} — {label} : {figure}"]
    if result["problem"]:
        lines.append(f"    Impossible : {result['problem']}")
    else:
        lines.append(f"    Règle : {result['rule']}")
    for parameter in result["parameters"]:
        unit = unit_of(parameter["key"])
        value = "non renseigné" if parameter["value"] is None else f"{fr_number(parameter['value'])} {unit}"
        lines.append(f"    · {parameter['label']} : {value} ({parameter['origin']})")
    return "\n".join(lines)
