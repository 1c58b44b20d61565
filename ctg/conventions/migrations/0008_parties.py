"""Partners with their role in the CTG; communes signing directly (operations written with the change; empty until then)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("conventions", "0007_territory")]

    operations = []
