"""The work phase apart from the signature (accord-cadre, avenants); month-only milestone dates.

`Ctg.status` becomes `Ctg.phase`: « élaboration » and « signée » both become « plan d'action » (a signed
dossier keeps its signatures and their dates, which now say it is signed). Backwards, a « plan d'action »
whose signatories have all signed goes back to « signée », the others to « élaboration »."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FORWARD = {"elaboration": "plan_action", "signee": "plan_action"}


def phases_forward(apps, schema_editor):
    Ctg = apps.get_model("conventions", "Ctg")
    for old, new in FORWARD.items():
        Ctg.objects.filter(phase=old).update(phase=new)


def phases_backward(apps, schema_editor):
    Ctg = apps.get_model("conventions", "Ctg")
    Signatory = apps.get_model("conventions", "Signatory")
    for ctg in Ctg.objects.filter(phase="plan_action"):
        dates = list(Signatory.objects.filter(ctg=ctg).values_list("signed_on", flat=True))
        ctg.phase = "signee" if dates and None not in dates else "elaboration"
        ctg.save(update_fields=["phase"])


class Migration(migrations.Migration):
    dependencies = [
        ("conventions", "0005_history_to_core"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="ctg", old_name="status", new_name="phase"),
        migrations.RenameField(model_name="ctg", old_name="status_changed_at", new_name="phase_changed_at"),
        migrations.AlterField(
            model_name="ctg",
            name="phase",
            field=models.CharField(
                choices=[
                    ("preparation", "Préparation"),
                    ("diagnostic", "Diagnostic"),
                    ("plan_action", "Plan d'action"),
                    ("mise_en_oeuvre", "Mise en œuvre"),
                    ("evaluation", "Évaluation"),
                    ("close", "Terminée"),
                    # The former values, only while the data moves (both ways); see FORWARD.
                    ("elaboration", "Élaboration"),
                    ("signee", "Signée"),
                ],
                default="preparation",
                max_length=20,
                verbose_name="phase",
            ),
        ),
        migrations.RunPython(phases_forward, phases_backward),
        migrations.AlterField(
            model_name="ctg",
            name="phase",
            field=models.CharField(
                choices=[
                    ("preparation", "Préparation"),
                    ("diagnostic", "Diagnostic"),
                    ("plan_action", "Plan d'action"),
                    ("mise_en_oeuvre", "Mise en œuvre"),
                    ("evaluation", "Évaluation"),
                    ("close", "Terminée"),
                ],
                default="preparation",
                max_length=20,
                verbose_name="phase",
            ),
        ),
        migrations.AlterField(
            model_name="ctg",
            name="phase_changed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="phase modifiée le"),
        ),
        migrations.AddField(
            model_name="ctg",
            name="agreement",
            field=models.CharField(
                choices=[("convention", "Convention complète"), ("accord_cadre", "Accord-cadre")],
                default="convention",
                help_text="Accord-cadre (le plan d'action viendra par avenant) ou convention complète.",
                max_length=20,
                verbose_name="convention initiale",
            ),
        ),
        migrations.AlterField(
            model_name="milestone",
            name="date",
            field=models.DateField(
                help_text="Le premier du mois quand seul le mois est connu.", verbose_name="date"
            ),
        ),
        migrations.AddField(
            model_name="milestone",
            name="date_precision",
            field=models.CharField(
                choices=[("day", "Jour"), ("month", "Mois")],
                default="day",
                max_length=5,
                verbose_name="précision de la date",
            ),
        ),
        migrations.CreateModel(
            name="Avenant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="créé le")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="modifié le")),
                ("number", models.PositiveSmallIntegerField(verbose_name="numéro")),
                (
                    "title",
                    models.CharField(
                        help_text="Par exemple : Ajout du plan d'action.",
                        max_length=250,
                        verbose_name="objet",
                    ),
                ),
                ("signed_on", models.DateField(blank=True, null=True, verbose_name="signé le")),
                ("notes", models.TextField(blank=True, verbose_name="notes")),
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
                    "ctg",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="avenants",
                        to="conventions.ctg",
                        verbose_name="dossier",
                    ),
                ),
            ],
            options={
                "verbose_name": "avenant",
                "ordering": ["number"],
                "constraints": [
                    models.UniqueConstraint(fields=("ctg", "number"), name="unique_avenant_number")
                ],
            },
        ),
    ]
