"""The yearly bilan leaves ctg.plans for its own app, ctg.evaluation: it leaves plans' state only, its table
stays (`evaluation.0001_initial` takes it over, then renames it), so no row is lost."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="BilanAnnuel")],
            database_operations=[],
        ),
    ]
