import json

from django.core.management.base import BaseCommand

from ctg.conventions.models import Ctg


def ctg_as_dict(ctg: Ctg) -> dict:
    return {
        "id": ctg.pk,
        "title": ctg.title,
        "territory": {"code": ctg.territory_code, "name": ctg.territory_name},
        "phase": ctg.phase,
        "signed_on": ctg.signature_date.isoformat() if ctg.signature_date else None,
        "start_year": ctg.start_year,
        "end_year": ctg.end_year,
    }


class Command(BaseCommand):
    help = "Liste les dossiers CTG (--json : un tableau JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Sortie JSON.")

    def handle(self, *args, **options):
        dossiers = Ctg.objects.select_related("epci").prefetch_related("communes").order_by("pk")
        if options["json"]:
            self.stdout.write(json.dumps([ctg_as_dict(c) for c in dossiers], ensure_ascii=False, indent=2))
            return
        for ctg in dossiers:
            self.stdout.write(f"{ctg.pk:>5}  {ctg.period_label}  {ctg.get_phase_display():<14}  {ctg.title}")
