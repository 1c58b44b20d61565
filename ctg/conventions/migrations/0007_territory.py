"""A dossier on an EPCI minus some communes: the EPCI's communes left out of the convention."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("conventions", "0006_lifecycle"),
        ("territories", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="ctg",
            name="excluded_communes",
            field=models.ManyToManyField(
                blank=True,
                help_text="Communes de l'EPCI qui ne font pas partie de la convention.",
                related_name="+",
                to="territories.commune",
                verbose_name="communes membres exclues",
            ),
        ),
    ]
