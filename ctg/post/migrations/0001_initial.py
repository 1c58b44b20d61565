"""The coordinator post leaves ctg.governance for its own app: its three tables (`governance_coordinatorpost`,
`governance_postfunding`, `governance_activityreport`) are taken over as they are in this app's state (no row
copied, none lost; `governance.0003_post_to_post_app` removed them from governance's state), then renamed
`post_…`, and their content types follow (permissions, admin log). The history names its items by model name
only (`item_type` "coordinatorpost"…): nothing to convert there."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MODELS = ("coordinatorpost", "postfunding", "activityreport")


def move_content_types(apps, schema_editor, source="governance", target="post"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="post", target="governance")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("governance", "0003_post_to_post_app"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("conventions", "0001_initial"),
        ("organisations", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CoordinatorPost",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="créé le")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="modifié le")),
                        ("person_name", models.CharField(max_length=200, verbose_name="personne")),
                        (
                            "fte",
                            models.DecimalField(
                                decimal_places=2,
                                help_text="Équivalent temps plein, de 0,1 à 1.",
                                max_digits=3,
                                verbose_name="ETP",
                            ),
                        ),
                        ("start_date", models.DateField(verbose_name="date de prise de poste")),
                        ("end_date", models.DateField(blank=True, null=True, verbose_name="date de fin")),
                        ("missions", models.TextField(blank=True, verbose_name="missions")),
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
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="coordinator_post",
                                to="conventions.ctg",
                                verbose_name="dossier",
                            ),
                        ),
                        (
                            "employer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="coordinator_posts",
                                to="organisations.organisation",
                                verbose_name="employeur",
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
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="compte",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "governance_coordinatorpost",
                        "verbose_name": "poste de chargé·e de coopération",
                        "verbose_name_plural": "postes de chargé·e de coopération",
                    },
                ),
                migrations.CreateModel(
                    name="ActivityReport",
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
                        (
                            "priorities",
                            models.TextField(blank=True, verbose_name="priorités de l'année suivante"),
                        ),
                        (
                            "comments",
                            models.TextField(blank=True, verbose_name="activité de l'année (commentaire)"),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("a_preparer", "À préparer"),
                                    ("envoye", "Envoyé"),
                                    ("accepte", "Accepté"),
                                ],
                                default="a_preparer",
                                max_length=12,
                                verbose_name="statut",
                            ),
                        ),
                        ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="envoyé le")),
                        (
                            "accepted_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="accepté le"),
                        ),
                        (
                            "accepted_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
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
                            "sent_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
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
                            "post",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reports",
                                to="post.coordinatorpost",
                                verbose_name="poste",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "governance_activityreport",
                        "verbose_name": "rapport d'activité",
                        "verbose_name_plural": "rapports d'activité",
                        "ordering": ["year"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("post", "year"), name="unique_activity_report_year"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="PostFunding",
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
                        (
                            "amount_agreed",
                            models.DecimalField(
                                decimal_places=2, max_digits=12, verbose_name="montant accordé (€)"
                            ),
                        ),
                        (
                            "advance_paid",
                            models.DecimalField(
                                decimal_places=2, default=0, max_digits=12, verbose_name="avance versée (€)"
                            ),
                        ),
                        (
                            "balance_paid",
                            models.DecimalField(
                                decimal_places=2, default=0, max_digits=12, verbose_name="solde versé (€)"
                            ),
                        ),
                        (
                            "decided_on",
                            models.DateField(
                                blank=True, null=True, verbose_name="décision de financement le"
                            ),
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
                            "post",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="fundings",
                                to="post.coordinatorpost",
                                verbose_name="poste",
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
                    ],
                    options={
                        "db_table": "governance_postfunding",
                        "verbose_name": "financement CAF du poste",
                        "verbose_name_plural": "financements CAF du poste",
                        "ordering": ["year"],
                        "constraints": [
                            models.UniqueConstraint(fields=("post", "year"), name="unique_post_funding_year")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="coordinatorpost", table=None),
        migrations.AlterModelTable(name="activityreport", table=None),
        migrations.AlterModelTable(name="postfunding", table=None),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
