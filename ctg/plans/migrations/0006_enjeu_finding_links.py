"""The enjeu's « constats qualitatifs » become findings of the diagnostic (issue 13), step 1: the
many-to-many to `findings.Finding` under a temporary name, beside the text field."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("findings", "0001_initial"),
        ("plans", "0005_ficheaction_source_scenario"),
    ]

    operations = [
        migrations.AddField(
            model_name="enjeu",
            name="finding_links",
            field=models.ManyToManyField(
                blank=True,
                related_name="enjeux",
                to="findings.finding",
                verbose_name="constats du diagnostic",
            ),
        ),
    ]
