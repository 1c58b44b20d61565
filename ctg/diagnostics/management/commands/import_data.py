from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ctg.diagnostics.importers import (
    FORMATS,
    UNKNOWN_CODES_SHOWN,
    DatasetError,
    prepare_datasets,
    save_datasets,
)
from ctg.territories.text import format_number


class Command(BaseCommand):
    help = (
        "Importe des fichiers statistiques officiels dans le magasin statistique (un fichier Parquet par jeu "
        "de données et millésime) : FiLoSoFi communes (Insee), dossier complet du recensement (Insee), "
        "allocataires CAF par IRIS (Insee-Cnaf), base permanente des équipements (Insee), taux de "
        "couverture accueil jeune enfant par commune, EPCI ou département (Cnaf ; un millésime par année "
        "du fichier). Le format est reconnu d'après l'en-tête. Tous les fichiers sont vérifiés avant "
        "d'écrire quoi que ce soit : une erreur ne modifie rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="FICHIER", help="Fichiers CSV à importer.")
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
            "--user",
            default=None,
            metavar="COURRIEL",
            help="Adresse de la personne qui importe (historique).",
        )

    def handle(self, *args, paths, kind=None, year=None, user=None, **options):
        imported_by = None
        if user:
            imported_by = get_user_model().objects.filter(email__iexact=user).first()
            if imported_by is None:
                raise CommandError(f"Aucun utilisateur avec l'adresse « {user} ».")
        progress = options["verbosity"] >= 1

        prepared = []
        try:
            for path in paths:
                prepared.extend(prepare_datasets(path, kind=kind, year=year, progress=progress))
        except DatasetError as error:
            raise CommandError(f"Import refusé, rien n'a été modifié. {error}") from None
        vintages = {}
        for dataset in prepared:
            key = (dataset.kind, dataset.year)
            if key in vintages:
                raise CommandError(
                    f"Import refusé, rien n'a été modifié. {dataset.source.name} et {vintages[key]} sont "
                    f"le même jeu de données ({dataset.label}, {dataset.year})."
                )
            vintages[key] = dataset.source.name

        try:
            records = save_datasets(prepared, imported_by=imported_by)
        except DatasetError as error:  # the store could not be written (full disk, rights): unchanged
            raise CommandError(f"Import refusé, rien n'a été modifié. {error}") from None
        for dataset, record in zip(prepared, records, strict=True):
            self.stdout.write(self.report(dataset, record.path))

    MATCHED = {
        "commune": "communes reconnues",
        "epci": "EPCI reconnus",
        "departement": "départements reconnus",
    }

    def report(self, dataset, path) -> str:
        lines = [
            f"{dataset.source.name} : {dataset.label}, millésime {dataset.year}",
            f"  lignes lues : {format_number(dataset.rows_read)}",
            f"  {self.MATCHED[dataset.unit]} : {format_number(dataset.communes_matched)}",
        ]
        if dataset.unit == "commune":
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
        lines.append(f"  enregistré dans {path}")
        return self.style.SUCCESS(lines[0]) + "\n" + "\n".join(lines[1:])
