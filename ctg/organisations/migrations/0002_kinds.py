"""Organisation types for communes, services of the Département and consultancies (operations written with the change; empty until then)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]

    operations = []
