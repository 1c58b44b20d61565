"""A fiche's communes: all of the territory or a list, never both (`plans.rules.communes_problem`, checked by
the fiche form, the services and the plan import).

Before this change the form pre-ticked « Toutes les communes du territoire » and the service then dropped the
communes ticked, so a fiche saved through the application never kept both; a fiche with both could only come
from the admin or a direct write. For those, the list wins: it was typed on purpose, while « toutes » was the
form's default. Their `all_communes` is set to False and the list kept. Nothing else changes (no schema
change)."""

from django.db import migrations


def keep_the_list(apps, schema_editor):
    FicheAction = apps.get_model("plans", "FicheAction")
    Link = FicheAction.communes.through
    with_list = Link.objects.values("ficheaction_id")
    FicheAction.objects.filter(all_communes=True, pk__in=with_list).update(all_communes=False)


class Migration(migrations.Migration):
    dependencies = [("plans", "0002_bilan_to_evaluation")]

    operations = [migrations.RunPython(keep_the_list, migrations.RunPython.noop)]
