"""Organisation types for services of the Département (PMI, ASE…) and consultancies (bureau d'études,
prestataire); a service of the Département, like a CAF or a Conseil départemental, names its département
(the organisation selects of a dossier offer the organisations of its département(s))."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial"), ("territories", "0002_type_liaison")]

    operations = [
        migrations.RemoveConstraint(model_name="organisation", name="caf_and_departement_have_departement"),
        migrations.AlterField(
            model_name="organisation",
            name="departement",
            field=models.ForeignKey(
                blank=True,
                help_text="Obligatoire pour une CAF, un Conseil départemental ou un service du Département.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="organisations",
                to="territories.departement",
                verbose_name="département",
            ),
        ),
        migrations.AlterField(
            model_name="organisation",
            name="kind",
            field=models.CharField(
                choices=[
                    ("caf", "Caisse d'allocations familiales"),
                    ("epci", "Intercommunalité (EPCI)"),
                    ("commune", "Commune"),
                    ("departement", "Conseil départemental"),
                    ("service_departement", "Service du Département (PMI, ASE…)"),
                    ("msa", "Mutualité sociale agricole (MSA)"),
                    ("etat", "Service de l'État"),
                    ("association", "Association"),
                    ("ccas", "Centre communal d'action sociale (CCAS)"),
                    ("mission_locale", "Mission locale"),
                    ("prestataire", "Bureau d'études ou prestataire"),
                    ("autre", "Autre partenaire"),
                ],
                max_length=20,
                verbose_name="type",
            ),
        ),
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.CheckConstraint(
                condition=~models.Q(kind__in=["caf", "departement", "service_departement"])
                | models.Q(departement__isnull=False),
                name="departemental_kinds_have_departement",
            ),
        ),
    ]
