"""Each import made before the journal is a batch of its own; the group « Gestionnaires des données » holds the
permission to manage the statistics of all France (import any file, undo an import)."""

import uuid

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Gestionnaires des données"


def forward(apps, schema_editor):
    DatasetImport = apps.get_model("diagnostics", "DatasetImport")
    for record in DatasetImport.objects.all():
        record.batch = uuid.uuid4()
        record.save(update_fields=["batch"])

    # Permissions are created after the migrations (post_migrate): create them now to put one in the group.
    app_config = apps.get_app_config("diagnostics")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="diagnostics", codename="manage_statistics")
    group, _created = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(permission)


def backward(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("diagnostics", "0005_import_log_undo_scope"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, backward)]
