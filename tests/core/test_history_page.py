"""The history page reads the same for lines recorded before the core (French labels as keys) and after
(field names), and every action the services record is an `Action` member."""

import pytest
from django.urls import reverse

from ctg.conventions import services
from ctg.core.models import Action, HistoryEntry
from ctg.demo.governance import load_demo_governance
from ctg.demo.post import load_demo_post
from tests.governance.test_demo_governance import demo  # noqa: F401, F811 (fixture)


@pytest.mark.django_db
def test_old_and_new_lines_read_the_same(client, world):
    pilot = world.users["pilote_caf"]
    HistoryEntry.objects.create(
        ctg=world.ctg,
        actor=pilot,
        action=Action.DOSSIER_UPDATE,
        summary="Modification ancienne",
        changes={"intitulé": ["Avant", "Ancien"], "champs": ["Seniors", "Mobilité"]},
    )
    services.ctg_update(ctg=world.ctg, actor=pilot, title="Nouveau", fields=["mobilite"])
    client.force_login(pilot)
    page = client.get(reverse("conventions:history", args=[world.ctg.pk])).content.decode()
    assert "intitulé : « Avant » → « Ancien »" in page
    assert "champs : « Seniors » → « Mobilité »" in page
    assert "intitulé : « CTG du Test 2025-2028 » → « Nouveau »" in page
    assert "« Mobilité »</li>" in page and "title :" not in page and "fields :" not in page


def test_every_action_of_the_demo_steering_is_a_member(demo):  # noqa: F811
    """The demo's steering and coordinator post run most services of governance; each line they write
    carries an `Action` value."""
    ctg, users, organisations = demo
    load_demo_governance(ctg, users, organisations)
    load_demo_post(ctg, users, organisations)
    stored = set(HistoryEntry.objects.values_list("action", flat=True))
    assert {Action.BODY, Action.MEETING, Action.DECISION, Action.POST} <= stored <= set(Action.values)
