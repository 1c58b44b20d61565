"""The meeting form: place and link are « l'un ou l'autre » (issue 11, item 8)."""

import re

import pytest
from django.urls import reverse

from ctg.governance.forms import MeetingForm
from ctg.governance.models import Meeting

from .factories import BodyFactory

pytestmark = pytest.mark.django_db


def _add_url(world):
    return reverse("governance:meeting_add", kwargs={"pk": world.ctg.pk})


@pytest.fixture
def coordination(client, world):
    client.force_login(world.users["coordination"])
    return client


def test_place_and_link_say_one_or_the_other_and_are_not_marked_optional(coordination, world):
    BodyFactory(ctg=world.ctg)
    html = coordination.get(_add_url(world)).content.decode()
    fieldset = re.search(r'<fieldset[^>]*id="meeting-place-or-link".*?</fieldset>', html, re.S).group(0)
    assert "Lieu ou lien de visioconférence" in fieldset
    assert "Indiquez l&#x27;un ou l&#x27;autre" in fieldset
    assert 'name="place"' in fieldset and 'name="link"' in fieldset
    assert "Optionnel" not in fieldset
    # the other optional fields keep their mark
    assert "(Optionnel)" in html
    for name in ("place", "link"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', fieldset).group(0)
        assert "meeting-place-or-link-hint" in tag and "required" not in tag


def test_neither_place_nor_link_names_both_on_both_fields(coordination, world):
    body = BodyFactory(ctg=world.ctg)
    form = MeetingForm({"body": body.pk, "starts_at": "2026-05-12T14:00"}, ctg=world.ctg)
    assert not form.is_valid()
    message = "Indiquez un lieu ou un lien de visioconférence."
    assert form.errors["place"] == [message] and form.errors["link"] == [message]
    assert form.place_or_link_errors == [message]
    response = coordination.post(_add_url(world), {"body": body.pk, "starts_at": "2026-05-12T14:00"})
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count(message) == 1 and "fr-fieldset--error" in html
    assert re.search(r'<input[^>]*name="place"[^>]*aria-invalid="true"', html)
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    "values",
    [{"place": "Mairie"}, {"link": "https://visio.example.org/copil"}, {"place": "Mairie", "link": ""}],
)
def test_either_place_or_link_is_enough(world, values):
    body = BodyFactory(ctg=world.ctg)
    form = MeetingForm({"body": body.pk, "starts_at": "2026-05-12T14:00", **values}, ctg=world.ctg)
    assert form.is_valid(), form.errors


def test_a_bad_link_is_its_own_error(world):
    body = BodyFactory(ctg=world.ctg)
    form = MeetingForm(
        {"body": body.pk, "starts_at": "2026-05-12T14:00", "link": "pas une adresse"}, ctg=world.ctg
    )
    assert not form.is_valid()
    assert "place" not in form.errors and "Indiquez un lieu" not in str(form.errors["link"])
