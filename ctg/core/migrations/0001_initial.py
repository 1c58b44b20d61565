"""The dossier's history, until now `conventions.HistoryEntry` (table `conventions_historyentry`), becomes
`core.HistoryEntry`: the model is created in this app's state on the existing table (no row copied, none
lost), the table is then renamed `core_historyentry`, and the content type follows (permissions, admin log).
`conventions.0005_history_to_core` converted the rows and left the state of conventions before."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

ACTIONS = [
    ("creation", "Création du dossier"),
    ("modification", "Modification du dossier"),
    ("statut", "Statut"),
    ("renouvellement", "Renouvellement"),
    ("signataire", "Signataire"),
    ("signature", "Signature"),
    ("partenaire", "Partenaire associé"),
    ("membre", "Membre"),
    ("jalon", "Jalon"),
    ("enjeu", "Enjeu"),
    ("objectif", "Objectif"),
    ("fiche", "Fiche action"),
    ("calendrier", "Calendrier d'une fiche"),
    ("budget", "Budget"),
    ("indicateur", "Indicateur"),
    ("valeur_indicateur", "Valeur d'indicateur"),
    ("piece_jointe", "Pièce jointe"),
    ("commentaire", "Commentaire"),
    ("bilan", "Bilan annuel"),
    ("import_plan", "Import du plan"),
    ("instance", "Instance"),
    ("reunion", "Réunion"),
    ("decision", "Décision"),
    ("poste", "Poste de coordination"),
    ("financement_poste", "Financement du poste"),
    ("rapport_activite", "Rapport d'activité"),
    ("convention", "Convention générée"),
]


def move_content_type(apps, schema_editor, source="conventions", target="core"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=target, model="historyentry").exists():
        ContentType.objects.filter(app_label=source, model="historyentry").update(app_label=target)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source="core", target="conventions")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("conventions", "0005_history_to_core"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        migrations.swappable_dependency(settings.CTG_DOSSIER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="HistoryEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="date")),
                        ("action", models.CharField(choices=ACTIONS, max_length=50, verbose_name="action")),
                        (
                            "item_type",
                            models.CharField(
                                blank=True, db_index=True, max_length=40, verbose_name="type d'élément"
                            ),
                        ),
                        (
                            "item_id",
                            models.PositiveBigIntegerField(blank=True, null=True, verbose_name="élément"),
                        ),
                        (
                            "item_version",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="version de l'élément"
                            ),
                        ),
                        ("summary", models.CharField(max_length=500, verbose_name="résumé")),
                        ("changes", models.JSONField(blank=True, default=dict, verbose_name="modifications")),
                        (
                            "cause_type",
                            models.CharField(
                                blank=True, db_index=True, max_length=60, verbose_name="type de cause"
                            ),
                        ),
                        (
                            "cause_id",
                            models.PositiveBigIntegerField(blank=True, null=True, verbose_name="cause"),
                        ),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="auteur",
                            ),
                        ),
                        (
                            "ctg",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="history",
                                to=settings.CTG_DOSSIER_MODEL,
                                verbose_name="dossier",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "entrée d'historique",
                        "verbose_name_plural": "historique",
                        "ordering": ["-at", "-id"],
                        "db_table": "conventions_historyentry",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="historyentry", table=None),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
