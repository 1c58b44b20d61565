"""The coordinator post, its CAF funding and its activity reports leave ctg.governance for their own app,
ctg.post: they leave governance's state only, their tables stay (`post.0001_initial` takes them over, then
renames them), so no row is lost."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0002_decision_without_effect"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ActivityReport"),
                migrations.DeleteModel(name="PostFunding"),
                migrations.DeleteModel(name="CoordinatorPost"),
            ],
            database_operations=[],
        ),
    ]
