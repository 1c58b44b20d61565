"""`ctg send_reminders [--date AAAA-MM-JJ] [--dry-run]`: the daily reminders (ctg/notifications/reminders.py).

Idempotent: a second run on the same day creates and sends nothing (only failed emails are retried).
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

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
