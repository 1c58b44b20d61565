"""A body's name in a sentence reads as French (issue 11, item 7): never « Membres de Atelier … »."""

import pytest
from django.urls import reverse

from .factories import BodyFactory, BodyMemberFactory

pytestmark = pytest.mark.django_db


def test_members_caption_and_hidden_labels_name_the_body(client, world):
    client.force_login(world.users["coordination"])
    body = BodyFactory(ctg=world.ctg, name="Atelier parentalité")
    BodyMemberFactory(body=body, person_name="Alix Martin")
    html = client.get(reverse("governance:index", kwargs={"pk": world.ctg.pk})).content.decode()
    assert "<caption>Membres de l'instance « Atelier parentalité »</caption>" in html
    assert "Alix Martin de l'instance « Atelier parentalité »" in html
    assert 'une réunion<span class="fr-sr-only"> de l\'instance « Atelier parentalité »' in html
    assert "de Atelier" not in html and "à Atelier" not in html


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("COPIL", "Décision du COPIL du "),
        ("Atelier parentalité", "Décision de l'Atelier parentalité du "),
        ("Commission enfance", "Décision de la Commission enfance du "),
        ("Trio des élus", "Décision de Trio des élus du "),
        ("Équipe projet", "Décision d'Équipe projet du "),
    ],
)
def test_decision_label_names_its_body_with_its_article(world, name, expected):
    from .factories import DecisionFactory, MeetingFactory

    decision = DecisionFactory(meeting=MeetingFactory(body=BodyFactory(ctg=world.ctg, name=name)), text="Go")
    assert decision.history_cause_label.startswith(expected)
