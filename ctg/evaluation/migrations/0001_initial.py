"""The yearly bilan leaves ctg.plans for its own app: its table (`plans_bilanannuel`) is taken over as it is
in this app's state (no row copied, none lost; `plans.0002_bilan_to_evaluation` removed it from plans'
state), then renamed `evaluation_bilanannuel`, and its content type follows (permissions, admin log). The history
names its items by model name only (`item_type` "bilanannuel"): nothing to convert there."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ("bilanannuel",)


def move_content_types(apps, schema_editor, source="plans", target="evaluation"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="evaluation", target="plans")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("plans", "0002_bilan_to_evaluation"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("conventions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="BilanAnnuel",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="créé le")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="modifié le")),
                        ("year", models.PositiveSmallIntegerField(verbose_name="année")),
                        ("highlights", models.TextField(blank=True, verbose_name="faits marquants")),
                        (
                            "status",
                            models.CharField(
                                choices=[("brouillon", "Brouillon"), ("valide", "Validé")],
                                default="brouillon",
                                max_length=10,
                                verbose_name="statut",
                            ),
                        ),
                        (
                            "validated_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="validé le"),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="créé par",
                            ),
                        ),
                        (
                            "ctg",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="bilans",
                                to="conventions.ctg",
                                verbose_name="dossier",
                            ),
                        ),
                        (
                            "updated_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="modifié par",
                            ),
                        ),
                        (
                            "validated_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="validé par",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "plans_bilanannuel",
                        "verbose_name": "bilan annuel",
                        "verbose_name_plural": "bilans annuels",
                        "ordering": ["ctg", "year"],
                        "constraints": [
                            models.UniqueConstraint(fields=("ctg", "year"), name="unique_bilan_year")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="bilanannuel", table=None),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
