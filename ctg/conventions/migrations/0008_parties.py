"""Partners with their role in the CTG: the plain many-to-many `Ctg.partners` gets a model of its own,
`Partner` (ctg, organisation, role, who and when), on the same table (`conventions_ctg_partners`), so the
existing partners stay as they are, with an empty role. Communes of the territory sign directly through their
own organisation, created when chosen (no schema change)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("conventions", "0007_territory"),
        ("organisations", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The model takes over the many-to-many's own table (columns id, ctg_id, organisation_id).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Partner",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "ctg",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="partnerships",
                                to="conventions.ctg",
                                verbose_name="dossier",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="partnerships",
                                to="organisations.organisation",
                                verbose_name="organisation",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "partenaire associé",
                        "verbose_name_plural": "partenaires associés",
                        "db_table": "conventions_ctg_partners",
                    },
                ),
                migrations.AlterField(
                    model_name="ctg",
                    name="partners",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="partner_ctgs",
                        through="conventions.Partner",
                        to="organisations.organisation",
                        verbose_name="partenaires associés",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="partner",
            name="role",
            field=models.CharField(
                blank=True,
                default="",
                help_text="Par exemple : porte le Relais petite enfance, réalise le diagnostic.",
                max_length=300,
                verbose_name="rôle dans la CTG",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="partner",
            name="created_at",
            field=models.DateTimeField(
                auto_now_add=True, default=django.utils.timezone.now, verbose_name="créé le"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="partner",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="modifié le"),
        ),
        migrations.AddField(
            model_name="partner",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="créé par",
            ),
        ),
        migrations.AddField(
            model_name="partner",
            name="updated_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="modifié par",
            ),
        ),
        migrations.AddConstraint(
            model_name="partner",
            constraint=models.UniqueConstraint(fields=("ctg", "organisation"), name="unique_ctg_partner"),
        ),
    ]
