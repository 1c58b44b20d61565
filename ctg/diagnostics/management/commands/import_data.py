from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ctg.diagnostics.importers import (
    FORMATS,
    UNKNOWN_CODES_SHOWN,
    DatasetError,
    keep_latest_publications,
    prepare_datasets,
    preview_datasets,
    save_datasets,
    undo_import,
)
from ctg.diagnostics.models import DatasetImport
from ctg.territories.text import format_number


class Command(BaseCommand):
    help = (
        "Importe des fichiers statistiques officiels dans le magasin statistique (un fichier Parquet par jeu "
        "de données et millésime) : FiLoSoFi communes et IRIS (Insee), dossier complet du recensement "
        "(Insee), allocataires CAF par IRIS (Insee-Cnaf), base permanente des équipements (Insee), taux de "
        "couverture accueil jeune enfant par commune, EPCI ou département (Cnaf, noms de l'API ou libellés "
        "français ; un millésime par année du fichier, la publication la plus récente l'emporte pour une "
        "année révisée). Le format est reconnu d'après l'en-tête. Tous les fichiers sont vérifiés avant "
        "d'écrire quoi que ce soit : une erreur ne modifie rien. Sans --as, la commande, lancée sur le "
        "serveur, importe en tant qu'opérateur de la plateforme, pour toute la France ; avec --as COURRIEL, "
        "avec les droits de cette personne (un·e conseiller·ère CAF : son seul département). Chaque import "
        "est journalisé et peut être annulé : --undo N remet le magasin comme avant l'import n° N. Un "
        "fichier ajoute ou remplace les seuls territoires qu'il couvre (un fichier national : tout le "
        "millésime) ; --dry-run dit ce qui changerait (territoires ajoutés, remplacés, retirés, valeurs "
        "modifiées) sans rien écrire."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, metavar="FICHIER", help="Fichiers CSV à importer.")
        parser.add_argument(
            "--kind",
            choices=sorted(FORMATS),
            default=None,
            help="Jeu de données (par défaut : reconnu d'après l'en-tête de chaque fichier).",
        )
        parser.add_argument(
            "--year",
            type=int,
            default=None,
            help="Millésime, quand le fichier ne le donne pas (fichier CAF renommé, par exemple) ; pour un "
            "fichier de plusieurs années (taux de couverture Cnaf), la seule année à importer.",
        )
        parser.add_argument(
            "--as",
            "--user",
            dest="user",
            default=None,
            metavar="COURRIEL",
            help="Importer (ou annuler) en tant que cette personne, avec ses droits : un·e gestionnaire des "
            "données pour toute la France, un·e conseiller·ère CAF pour son département. Sans cette option : "
            "l'opérateur de la plateforme (la commande tourne sur le serveur), pour toute la France.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Ne rien écrire : dire, pour chaque millésime, les territoires ajoutés, remplacés (et "
            "combien hors du département de la personne), retirés, et les valeurs qui changeraient, avec des "
            "exemples.",
        )
        parser.add_argument(
            "--undo",
            type=int,
            default=None,
            metavar="N",
            help="Annuler l'import n° N (journal des imports) : chaque millésime qu'il a écrit retrouve son "
            "fichier d'avant ; refusé si un import plus récent a remplacé le même millésime.",
        )

    def handle(self, *args, paths, kind=None, year=None, user=None, undo=None, dry_run=False, **options):
        person = None
        if user:
            person = get_user_model().objects.filter(email__iexact=user).first()
            if person is None:
                raise CommandError(f"Aucun utilisateur avec l'adresse « {user} ».")
        if undo is not None:
            if paths:
                raise CommandError("--undo annule un import : ne donnez pas de fichier avec cette option.")
            return self.undo(undo, person)
        if not paths:
            raise CommandError("Indiquez au moins un fichier à importer, ou --undo N.")
        progress = options["verbosity"] >= 1

        prepared = []
        try:
            for path in paths:
                prepared.extend(prepare_datasets(path, kind=kind, year=year, progress=progress))
        except DatasetError as error:
            raise CommandError(f"Import refusé, rien n'a été modifié. {error}") from None
        try:
            prepared, notes = keep_latest_publications(prepared)
        except DatasetError as error:
            raise CommandError(f"Import refusé, rien n'a été modifié. {error}") from None
        if dry_run:
            try:
                previews = preview_datasets(prepared, imported_by=person)
            except DatasetError as error:
                raise CommandError(f"Import refusé. {error}") from None
            for preview in previews:
                self.stdout.write(self.preview(preview))
            for note in notes:
                self.stdout.write(note)
            self.stdout.write("Simulation (--dry-run) : rien n'a été écrit.")
            return
        try:
            # Without --as: the platform operator (scope: all France); with it, that person's scope.
            records = save_datasets(prepared, imported_by=person)
        except DatasetError as error:  # out of scope, or the store could not be written: unchanged
            raise CommandError(f"Import refusé, rien n'a été modifié. {error}") from None
        for dataset, record in zip(prepared, records, strict=True):
            self.stdout.write(self.report(dataset, record))
        for note in notes:
            self.stdout.write(note)

    def undo(self, number: int, person) -> None:
        record = DatasetImport.objects.filter(pk=number).first()
        if record is None:
            raise CommandError(f"Aucun import n° {number} dans le journal des imports.")
        try:
            batch = undo_import(record, undone_by=person)
        except DatasetError as error:
            raise CommandError(str(error)) from None
        for item in batch:
            state = "fichier précédent remis en place" if item.replaced_vintage else "millésime retiré"
            self.stdout.write(
                self.style.SUCCESS(f"Import n° {item.pk} annulé : {item.get_kind_display()} {item.year}")
                + f"\n  {state}"
            )

    MATCHED = {
        "commune": "communes reconnues",
        "epci": "EPCI reconnus",
        "departement": "départements reconnus",
        "iris": "communes reconnues",
    }

    def preview(self, preview) -> str:
        dataset, plan = preview.dataset, preview.plan
        lines = [f"{dataset.source.name} : {dataset.label}, millésime {dataset.year} (simulation)"]
        if plan.france_wide:
            lines.append(
                f"  fichier national ({len(plan.file_departements)} départements) : "
                "il remplace tout le millésime"
            )
        elif plan.whole_departements:
            lines.append(
                "  départements couverts en entier (communes absentes du fichier retirées) : "
                + ", ".join(plan.whole_departements)
            )
        lines += [
            f"  lignes lues : {format_number(dataset.rows_read)}",
            f"  territoires ajoutés : {format_number(len(plan.added))}",
            f"  territoires remplacés : {format_number(len(plan.replaced))}",
            f"  territoires retirés (absents du fichier) : {format_number(len(plan.removed))}",
        ]
        if preview.home:
            lines.append(
                f"  dont hors du département de l'import ({', '.join(preview.home)}) : "
                f"{format_number(preview.outside)}"
            )
        if preview.by_departement:
            shown = ", ".join(f"{dep} ({format_number(count)})" for dep, count in preview.by_departement[:12])
            lines.append(f"  par département : {shown}{'…' if len(preview.by_departement) > 12 else ''}")
        lines.append(
            f"  valeurs qui changent dans les territoires remplacés : {format_number(preview.changed)}"
            + (f" (sur {format_number(preview.changed_columns)} colonnes)" if preview.changed else "")
        )
        for example in preview.examples:
            name = f"{example['name']} ({example['code']})" if example["name"] else example["code"]
            lines.append(f"    {name}, {example['column']} : {example['old_text']} → {example['new_text']}")
        return self.style.SUCCESS(lines[0]) + "\n" + "\n".join(lines[1:])

    def report(self, dataset, record) -> str:
        path = record.path
        lines = [
            f"{dataset.source.name} : {dataset.label}, millésime {dataset.year}",
            f"  lignes lues : {format_number(dataset.rows_read)}",
            f"  {self.MATCHED[dataset.unit]} : {format_number(dataset.communes_matched)}",
        ]
        if dataset.unit == "iris":
            lines.append(f"  IRIS enregistrés : {format_number(len(dataset.records))}")
        if dataset.unit in ("commune", "iris"):
            lines.append(
                "  codes d'anciennes communes rattachés à une commune actuelle : "
                f"{format_number(dataset.codes_mapped)}"
            )
        if dataset.arrondissements:
            lines.append(
                "  arrondissements municipaux (Paris, Lyon, Marseille) conservés sous leur code : "
                f"{format_number(dataset.arrondissements)}"
            )
        if dataset.placeholders:
            lines.append(
                f"  lignes sans territoire (code XXXXX), ignorées : {format_number(dataset.placeholders)}"
            )
        unknown = dataset.unknown_codes
        text = f"  codes inconnus, ignorés : {format_number(len(unknown))}"
        if unknown:
            text += (
                " ("
                + ", ".join(unknown[:UNKNOWN_CODES_SHOWN])
                + ("…" if len(unknown) > UNKNOWN_CODES_SHOWN else "")
                + ")"
            )
        lines.append(text)
        changes = record.changes or {}
        if record.coverage == DatasetImport.Coverage.FRANCE:
            lines.append("  fichier national : tout le millésime remplacé")
        if changes:
            lines.append(
                f"  territoires ajoutés : {format_number(changes.get('added', 0))}, remplacés : "
                f"{format_number(changes.get('replaced', 0))}, retirés : "
                f"{format_number(changes.get('removed', 0))} ; "
                "les autres territoires du millésime sont gardés"
            )
        lines.append(f"  enregistré dans {path}")
        lines.append(f"  import n° {record.pk}, SHA-256 du fichier : {record.source_sha256}")
        if dataset.revised_years:
            years = ", ".join(map(str, dataset.revised_years))
            lines.append(f"  années non importées, déjà en place d'une publication plus récente : {years}")
        if record.replaced_vintage:
            lines.append(f"  millésime précédent gardé : ctg import_data --undo {record.pk} pour l'annuler")
        return self.style.SUCCESS(lines[0]) + "\n" + "\n".join(lines[1:])
