"""A dossier on an EPCI minus some communes (operations written with the change; empty until then)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("conventions", "0006_lifecycle")]

    operations = []
