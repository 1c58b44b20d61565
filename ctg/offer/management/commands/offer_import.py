from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ctg.offer.datainclusion_import import describe_notes
from ctg.offer.importers import SOURCES, OfferImportError, import_offer, preview
from ctg.territories.text import format_number


class Command(BaseCommand):
    help = (
        "Importe une liste ouverte de structures dans l'inventaire de l'offre de services : la liste des "
        "France Services de l'ANCT (liste-fs.csv), la BPE de l'Insee ou les exports data·inclusion des "
        "structures et des services (JSON ou CSV, schéma v1, validés par data-inclusion-schema ; les deux "
        "fichiers ensemble). Le format est reconnu d'après l'en-tête ou les champs. Chaque "
        "structure est créée ou mise à jour d'après son identifiant dans la source ; rien n'est supprimé : "
        "une structure que la liste ne contient plus (dans un département que la liste couvre) est marquée "
        "« absente de la dernière source ». Les fichiers sont vérifiés en entier avant d'écrire : une erreur "
        "(fichier, ligne, colonne) ne modifie rien. --dry-run dit, par département, ce qui serait créé, "
        "mis à jour ou marqué absent, sans rien écrire."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="+",
            type=Path,
            metavar="FICHIER",
            help="Fichiers CSV (ou JSON data·inclusion) à importer.",
        )
        parser.add_argument(
            "--source",
            choices=sorted(SOURCES),
            default=None,
            help="Source des fichiers (par défaut : reconnue d'après l'en-tête).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Ne rien écrire : dire ce qui changerait, par département."
        )

    def handle(self, *args, paths, source=None, dry_run=False, **options):
        try:
            if dry_run:
                plan = preview(paths, source=source)
            else:
                record, plan = import_offer(paths, source=source, imported_as="Ligne de commande")
        except OfferImportError as error:
            raise CommandError(f"Import refusé, rien n'a été modifié. {error}") from None
        self.stdout.write(self.summary(plan, dry_run=dry_run))
        if dry_run:
            self.stdout.write("Simulation (--dry-run) : rien n'a été écrit.")
        else:
            self.stdout.write(f"  import n° {record.pk}, SHA-256 des fichiers : {record.source_sha256}")

    def summary(self, plan, *, dry_run: bool) -> str:
        title = f"{', '.join(plan.filenames)} : source {plan.source}" + (" (simulation)" if dry_run else "")
        verb = "seraient" if dry_run else "ont été"
        lines = [
            f"  lignes lues : {format_number(plan.rows_read)}",
            f"  structures qui {verb} créées : {format_number(len(plan.create))}",
            f"  structures qui {verb} mises à jour : {format_number(plan.updated_count)}",
            f"  structures inchangées : {format_number(len(plan.unchanged))}",
            f"  structures qui {verb} marquées absentes de la dernière source : "
            f"{format_number(len(plan.missing))}",
            f"  structures de retour dans la source : {format_number(plan.back_count)}",
        ]
        if plan.untouched:
            lines.append(
                f"  structures de départements absents du fichier, laissées telles quelles : "
                f"{format_number(plan.untouched)}"
            )
        if plan.notes.get("merged_days"):
            lines.append(
                "  jours aux plages horaires qui se chevauchent, fusionnées : "
                f"{format_number(plan.notes['merged_days'])}"
            )
        if plan.notes.get("empty_spans"):
            lines.append(
                "  plages « 00:00 - 00:00 » (aucune ouverture) ignorées : "
                f"{format_number(plan.notes['empty_spans'])}"
            )
        lines.extend(f"  {line}" for line in describe_notes(plan.notes))
        lines.append(
            "  par département (lignes : créées / mises à jour / inchangées / absentes / de retour) :"
        )
        for departement, counts in plan.by_departement.items():
            lines.append(
                f"    {departement} ({format_number(counts['rows'])}) : {format_number(counts['created'])} / "
                f"{format_number(counts['updated'])} / {format_number(counts['unchanged'])} / "
                f"{format_number(counts['missing'])} / {format_number(counts['back'])}"
            )
        return self.style.SUCCESS(title) + "\n" + "\n".join(lines)
