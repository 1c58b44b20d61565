from django.core.management.base import BaseCommand

from ctg.surveys.services import purge_answers


class Command(BaseCommand):
    help = (
        "Supprime les réponses aux questionnaires fermés depuis plus que leur durée de conservation (RGPD), "
        "et écrit une ligne dans l'historique de chaque dossier concerné. Avec --dry-run, affiche ce qui "
        "serait supprimé sans rien supprimer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Affiche ce qui serait supprimé, sans rien supprimer."
        )

    def handle(self, *args, dry_run=False, **options):
        done = purge_answers(dry_run=dry_run)
        verb = "seraient supprimées" if dry_run else "supprimées"
        for questionnaire, count in done:
            closed = questionnaire.closed_at.strftime("%d/%m/%Y")
            self.stdout.write(
                f"{questionnaire.ctg.title} — « {questionnaire.title} » (fermé le {closed}, conservation "
                f"{questionnaire.retention_months} mois) : {count} réponse(s) {verb}."
            )
        total = sum(count for _q, count in done)
        if not done:
            self.stdout.write("Aucune réponse à supprimer.")
        else:
            self.stdout.write(f"Total : {total} réponse(s) {verb}.")
