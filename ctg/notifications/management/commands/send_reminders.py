"""`ctg send_reminders [--date AAAA-MM-JJ] [--dry-run] [--enqueue]`: the daily reminders
(ctg/notifications/reminders.py). With `--enqueue`, the work is put in the queue of background jobs and run by
`ctg db_worker` (ctg/notifications/jobs.py), retried when emails failed.

Idempotent: a second run on the same day creates and sends nothing (only failed emails are retried).
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from ctg.notifications.jobs import reminders_enqueue
from ctg.notifications.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Crée les notifications de rappel du jour (réunions, jalons, fin de période, financement du poste) "
        "et les envoie une fois par courriel. À lancer chaque jour (cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Date du calcul (AAAA-MM-JJ) ; par défaut aujourd'hui.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche les rappels à créer sans rien enregistrer ni envoyer.",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Met l'envoi dans la file des travaux en arrière-plan (exécuté par « ctg db_worker »).",
        )

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(
                    f"Date invalide « {options['date']} » : attendu AAAA-MM-JJ, par exemple 2026-10-01."
                ) from error
        dry_run = options["dry_run"]
        if options["enqueue"] and not dry_run:
            job = reminders_enqueue(today=today)
            self.stdout.write(f"Travail n° {job.pk} mis en file : {job.label}.")
            return
        counts = send_reminders(today=today, stdout=self.stdout, dry_run=dry_run)
        if dry_run:
            self.stdout.write(
                f"Simulation : {counts['due']} rappel(s) dus, {counts['created']} notification(s) à créer ; "
                "rien n'a été enregistré ni envoyé."
            )
            return
        self.stdout.write(
            f"{counts['due']} rappel(s) dus, {counts['created']} notification(s) créée(s), "
            f"{counts['emailed']} courriel(s) envoyé(s), {counts['failed']} envoi(s) en échec (nouvel essai "
            f"au prochain passage), {counts['without_email']} destinataire(s) sans adresse."
        )
