"""`ctg jobs_recover [--minutes N]`: the background jobs left « en cours » by a worker that stopped are tried
again (or failed, their attempts spent), in French; see `ctg.jobs.services.jobs_recover`."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from ctg.jobs.services import jobs_recover


class Command(BaseCommand):
    help = (
        "Reprend les travaux en arrière-plan restés « en cours » après l'arrêt d'un worker : chaque "
        "travail dont l'essai a commencé il y a plus de --minutes minutes est relancé (ou marqué en échec, "
        "ses essais épuisés). À lancer avant le démarrage du worker (0 minute) ou avec un délai plus long "
        "que tout travail."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes",
            type=int,
            default=60,
            help="ancienneté minimale de l'essai en cours, en minutes (60 par défaut ; 0 : tous)",
        )

    def handle(self, *args, minutes, **options):
        if minutes < 0:
            raise CommandError("--minutes doit être positif ou nul.")
        retried, failed = jobs_recover(older_than=datetime.timedelta(minutes=minutes))
        for job in retried:
            self.stdout.write(f"Relancé : travail n° {job.pk}, « {job.label} » ({job.message})")
        for job in failed:
            self.stdout.write(f"En échec : travail n° {job.pk}, « {job.label} » ({job.error})")
        if not retried and not failed:
            self.stdout.write("Aucun travail interrompu.")
