"""Bad input through the forms: a French message in the form, nothing half-saved."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from ctg.conventions.models import Ctg, Phase
from ctg.core.models import HistoryEntry
from ctg.organisations.models import Organisation


@pytest.fixture
def pilot_client(client, world):
    client.force_login(world.users["pilote_caf"])
    return client


def _create_payload(world, **overrides):
    data = {
        "title": "CTG de test",
        "caf": world.ctg.caf_id,
        "territory_type": "epci",
        "epci": world.ctg.epci_id,
        "start_year": 2030,
        "end_year": 2033,
        "fields": ["petite_enfance", "jeunesse"],
    }
    data.update(overrides)
    return data


def test_create_a_dossier_on_an_epci(pilot_client, world):
    response = pilot_client.post(reverse("conventions:create"), _create_payload(world))
    ctg = Ctg.objects.get(title="CTG de test")
    assert response.status_code == 302 and response.url == reverse("conventions:detail", args=[ctg.pk])
    assert ctg.phase == Phase.PREPARATION and ctg.communes.count() == 3


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"end_year": 2036}, "end_year", "de 1 à 5 ans"),
        ({"end_year": 2028}, "end_year", "ne peut pas précéder"),
        ({"start_year": "deux-mille"}, "start_year", "Saisissez un nombre entier."),
        (
            {"territory_type": "communes", "commune_codes": "81999, 99999"},
            "commune_codes",
            "Commune inconnue",
        ),
        ({"territory_type": "communes", "commune_codes": "ALBI"}, "commune_codes", "mal formé"),
        ({"epci": "999999999"}, "epci", "Sélectionnez un choix valide"),
        ({"epci": ""}, "epci", "Choisissez une intercommunalité"),
        ({"caf": "987654"}, "caf", "Sélectionnez un choix valide"),
        ({"fields": ["astrologie"]}, "fields", "Sélectionnez un choix valide"),
        ({"title": "  "}, "title", "obligatoire"),
        ({"start_year": 2026, "end_year": 2028}, None, "existe déjà sur ce territoire"),
    ],
)
def test_create_bad_input_shows_a_french_message_and_saves_nothing(
    pilot_client, world, overrides, field, message
):
    before = (Ctg.objects.count(), HistoryEntry.objects.count())
    response = pilot_client.post(reverse("conventions:create"), _create_payload(world, **overrides))
    assert response.status_code == 200
    form = response.context["form"]
    errors = form.errors.get(field or "__all__", [])
    assert any(message in e for e in errors), form.errors
    assert message in response.content.decode()
    assert (Ctg.objects.count(), HistoryEntry.objects.count()) == before


def test_caf_adviser_cannot_create_for_another_caf(pilot_client, world):
    response = pilot_client.post(
        reverse("conventions:create"), _create_payload(world, caf=world.other_ctg.caf_id)
    )
    assert "caf" in response.context["form"].errors
    assert not Ctg.objects.filter(title="CTG de test").exists()


def test_forged_status_and_fields_are_refused(pilot_client, world):
    url = reverse("conventions:status", args=[world.ctg.pk])
    response = pilot_client.post(url, {"to": "close"}, follow=True)
    assert "impossible" in response.content.decode()
    response = pilot_client.post(url, {"to": "n-importe-quoi"}, follow=True)
    assert "Phase inconnue" in response.content.decode()
    # Unknown fields posted to the edit form are ignored: the status never changes through it.
    pilot_client.post(
        reverse("conventions:edit", args=[world.ctg.pk]),
        {"title": "X", "start_year": 2025, "end_year": 2028, "fields": ["jeunesse"], "phase": "close"},
    )
    world.ctg.refresh_from_db()
    assert world.ctg.phase == Phase.PREPARATION and world.ctg.title == "X"


def test_edit_bad_period_keeps_the_dossier_unchanged(pilot_client, world):
    response = pilot_client.post(
        reverse("conventions:edit", args=[world.ctg.pk]),
        {"title": "Autre", "start_year": 2025, "end_year": 2031, "fields": ["jeunesse"]},
    )
    assert response.status_code == 200 and "de 1 à 5 ans" in response.content.decode()
    world.ctg.refresh_from_db()
    assert (world.ctg.title, world.ctg.end_year) == ("CTG du Test 2025-2028", 2028)


def test_invite_bad_input(client, world):
    client.force_login(world.users["coordination"])
    url = reverse("conventions:members", args=[world.ctg.pk])
    for data, message in [
        ({"email": "pas-une-adresse", "role": "partenaire"}, "Saisissez une adresse de courriel valide"),
        ({"email": "a@exemple.fr", "role": "pilote_caf"}, "Sélectionnez un choix valide"),
        ({"email": "a@exemple.fr", "role": "referent_communal"}, "au moins une commune"),
        ({"email": "partenaire@asso.fr", "role": "lecture"}, "fait déjà partie"),
    ]:
        response = client.post(url, data)
        assert response.status_code == 400 and message in response.content.decode(), data
    assert not world.ctg.memberships.filter(user__email="a@exemple.fr").exists()


def test_signatory_and_milestone_bad_input(pilot_client, world):
    response = pilot_client.post(
        reverse("conventions:signatory_add", args=[world.ctg.pk]),
        {"organisation": world.ctg.caf_id, "signer_name": "", "signer_capacity": "Directrice"},
    )
    assert response.status_code == 400 and not world.ctg.signatories.exists()
    response = pilot_client.post(
        reverse("conventions:milestones", args=[world.ctg.pk]),
        {"kind": "atelier", "title": "Atelier", "date": "31/02/2026"},
    )
    assert response.status_code == 400 and "Saisissez une date valide" in response.content.decode()
    assert not world.ctg.milestones.exists()


def test_history_tab_shows_who_changed_what(pilot_client, world):
    pilot_client.post(reverse("conventions:status", args=[world.ctg.pk]), {"to": "diagnostic"})
    response = pilot_client.get(reverse("conventions:history", args=[world.ctg.pk]))
    page = response.content.decode()
    assert "Phase : Préparation → Diagnostic" in page
    assert str(world.users["pilote_caf"]) in page


def test_list_ctg_json(world, capsys):
    call_command("list_ctg", "--json")
    data = json.loads(capsys.readouterr().out)
    mine = next(item for item in data if item["id"] == world.ctg.pk)
    assert mine == {
        "id": world.ctg.pk,
        "title": "CTG du Test 2025-2028",
        "territory": {"code": world.ctg.epci_id, "name": "CC du Test"},
        "phase": "preparation",
        "signed_on": None,
        "start_year": 2025,
        "end_year": 2028,
    }


def test_an_epci_coordinator_finds_their_epci_preselected(client, world):
    coordinator = world.users["coordination"]
    coordinator.organisation = Organisation.objects.create(
        kind="epci", epci=world.ctg.epci, name="CC du Test"
    )
    coordinator.save()
    client.force_login(coordinator)
    form = client.get(reverse("conventions:create")).context["form"]
    assert form["epci"].value() == world.ctg.epci_id


def test_an_empty_post_shows_the_required_fields(pilot_client, world):
    response = pilot_client.post(reverse("conventions:create"), {})
    assert response.status_code == 200
    assert {"title", "start_year", "end_year", "fields"} <= set(response.context["form"].errors)
    assert Ctg.objects.count() == 2
