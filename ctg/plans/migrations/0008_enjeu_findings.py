"""Step 3: the text field goes, the many-to-many takes its name: `Enjeu.findings`."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("plans", "0007_enjeu_findings_to_rows")]

    operations = [
        migrations.RemoveField(model_name="enjeu", name="findings"),
        migrations.RenameField(model_name="enjeu", old_name="finding_links", new_name="findings"),
    ]
