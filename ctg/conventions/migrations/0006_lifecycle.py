"""The work phase apart from the signature (accord-cadre, avenants); month-only milestone dates (operations written with the change; empty until then)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("conventions", "0005_history_to_core")]

    operations = []
