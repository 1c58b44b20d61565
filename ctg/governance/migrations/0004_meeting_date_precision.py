"""Meetings whose day is unknown (a month only) (operations written with the change; empty until then)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("governance", "0003_post_to_post_app")]

    operations = []
