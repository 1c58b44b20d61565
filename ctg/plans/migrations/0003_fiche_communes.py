"""A fiche's communes: all of the territory or a list, never both (operations written with the change; empty until then)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("plans", "0002_bilan_to_evaluation")]

    operations = []
