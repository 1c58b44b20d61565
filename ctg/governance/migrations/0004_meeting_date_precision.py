"""Meetings whose day is unknown (a month only): a past meeting recorded afterwards, « ateliers, mai 2024 »."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("governance", "0003_post_to_post_app")]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="date_precision",
            field=models.CharField(
                choices=[("day", "Jour"), ("month", "Mois")],
                default="day",
                max_length=5,
                verbose_name="précision de la date",
            ),
        ),
        migrations.AlterField(
            model_name="meeting",
            name="starts_at",
            field=models.DateTimeField(
                help_text="Le premier du mois, à minuit, quand seul le mois est connu.", verbose_name="début"
            ),
        ),
    ]
