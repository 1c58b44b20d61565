from django.db import migrations, models


class Migration(migrations.Migration):
    """The store merges territories: what an import covered and changed (issue 11, item 1)."""

    dependencies = [("diagnostics", "0007_dataset_kind_filosofi_iris")]

    operations = [
        migrations.AddField(
            model_name="datasetimport",
            name="coverage",
            field=models.CharField(
                blank=True,
                choices=[
                    ("france", "Toute la France (millésime remplacé en entier)"),
                    ("territoires", "Territoires du fichier (les autres sont gardés)"),
                ],
                max_length=20,
                verbose_name="périmètre remplacé",
            ),
        ),
        migrations.AddField(
            model_name="datasetimport",
            name="changes",
            field=models.JSONField(blank=True, default=dict, verbose_name="changements"),
        ),
    ]
