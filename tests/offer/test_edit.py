"""Entering and changing a structure of the offer of services by form (issue 12): the dossier's editors add
one in a commune of its territory, change it, set its status (never delete it); each change is in the
structure's history with who and when; the readers get 403, a structure of another territory 404; a bad post
changes nothing."""

import datetime

import pytest
from django.urls import reverse

from ctg.offer.models import Structure, StructureEvent
from ctg.offer.services import structure_create, structure_update, version_of
from ctg.organisations.permissions import Role
from tests.factories import CtgFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

READERS = ["referent_communal", "partenaire", "lecture"]


def _values(world, **extra) -> dict:
    return {
        "type": "centre_social",
        "name": "Centre social des Tilleuls",
        "commune": world.ctg.communes.first().pk,
        "address": "2 rue des Tilleuls",
        "capacity": "",
        "opening_hours": "Mo-Fr 09:00-12:00,13:30-17:00",
        "status": "ouvert",
        **extra,
    }


def _structure(world, commune=None, **extra) -> Structure:
    values = {
        "type": "france_services",
        "name": "France services du Test",
        "commune": commune or world.ctg.communes.first(),
        "source": "anct-france-services",
        "source_id": "42",
        **extra,
    }
    return structure_create(actor=None, values=values)


def _snapshot():
    return (
        list(Structure.objects.order_by("pk").values()),
        list(StructureEvent.objects.order_by("pk").values_list("pk", "kind", "changes")),
    )


def _edit_data(structure, **extra) -> dict:
    data = {
        "type": structure.type,
        "name": structure.name,
        "commune": structure.commune_id,
        "address": structure.address,
        "opening_hours": structure.opening_hours,
        "status": structure.status,
        "version": version_of(structure),
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("role", ["pilote_caf", "coordination"])
def test_an_editor_adds_a_structure_recorded_with_who_and_when(client, world, role):
    client.force_login(world.users[role])
    page = client.get(reverse("offer:list", args=[world.ctg.pk]))
    assert "Ajouter une structure" in page.content.decode()

    response = client.post(reverse("offer:structure_add", args=[world.ctg.pk]), _values(world))

    structure = Structure.objects.get(name="Centre social des Tilleuls")
    assert response.status_code == 302
    assert response.url == reverse("offer:structure", args=[world.ctg.pk, structure.pk])
    assert structure.source == "saisie"
    assert structure.created_by == world.users[role]
    assert structure.opening_hours == "Mo-Fr 09:00-12:00,13:30-17:00"
    event = structure.events.get()
    assert event.kind == StructureEvent.Kind.CREATED
    assert event.actor == world.users[role]
    page = client.get(response.url).content.decode()
    assert "Structure créée : Centre social des Tilleuls" in page
    assert "Modifier cette structure" in page


@pytest.mark.parametrize("role", READERS)
def test_readers_may_neither_add_nor_change(client, world, role):
    structure = _structure(world)
    before = _snapshot()
    client.force_login(world.users[role])
    assert (
        "Ajouter une structure" not in client.get(reverse("offer:list", args=[world.ctg.pk])).content.decode()
    )
    page = client.get(reverse("offer:structure", args=[world.ctg.pk, structure.pk])).content.decode()
    assert "Modifier cette structure" not in page
    add = reverse("offer:structure_add", args=[world.ctg.pk])
    edit = reverse("offer:structure_edit", args=[world.ctg.pk, structure.pk])
    assert client.get(add).status_code == 403
    assert client.post(add, _values(world)).status_code == 403
    assert client.get(edit).status_code == 403
    assert client.post(edit, _edit_data(structure, name="Renommée")).status_code == 403
    assert _snapshot() == before


def test_a_structure_of_another_territory_is_not_found_from_this_dossier(client, world):
    elsewhere = _structure(world, commune=world.other_ctg.communes.first(), source_id="99")
    before = _snapshot()
    client.force_login(world.users["pilote_caf"])
    edit = reverse("offer:structure_edit", args=[world.ctg.pk, elsewhere.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, _edit_data(elsewhere, name="Volée")).status_code == 404
    # Nor may the editor of the other dossier reach this dossier's pages.
    client.force_login(world.users["other_member"])
    assert client.get(reverse("offer:structure_add", args=[world.ctg.pk])).status_code == 404
    assert _snapshot() == before


def test_a_commune_outside_the_territory_is_refused(client, world):
    before = _snapshot()
    client.force_login(world.users["coordination"])
    outside = world.other_ctg.communes.first().pk
    response = client.post(
        reverse("offer:structure_add", args=[world.ctg.pk]), _values(world, commune=outside)
    )
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert _snapshot() == before


BAD_POSTS = {
    "sans nom": ({"name": ""}, "Ce champ est obligatoire"),
    "type inconnu": ({"type": "piscine"}, "Sélectionnez un choix valide"),
    "sans commune": ({"commune": ""}, "Ce champ est obligatoire"),
    "commune inconnue": ({"commune": "99999"}, "Sélectionnez un choix valide"),
    "horaires invalides": ({"opening_hours": "Lu-Ve 9h-12h"}, "Horaires non reconnus"),
    "heure impossible": ({"opening_hours": "Mo 25:00-26:00"}, "Horaires non reconnus"),
    "en projet sans date": ({"status": "en_projet"}, "date d&#x27;ouverture prévue"),
    "statut inconnu": ({"status": "supprime"}, "Sélectionnez un choix valide"),
    "places négatives": ({"capacity": "-3"}, "supérieure ou égale à 0"),
    "places non numériques": ({"capacity": "douze"}, "Saisissez un nombre entier"),
    "site internet invalide": ({"website": "pas une adresse"}, "Saisissez une URL valide"),
    "date invalide": ({"status": "en_projet", "expected_opening": "31/02/2027"}, "Saisissez une date valide"),
    "nom trop long": ({"name": "x" * 251}, "au plus 250 caractères"),
}


@pytest.mark.parametrize("case", BAD_POSTS)
def test_a_bad_post_changes_nothing_and_says_why_in_french(client, world, case):
    extra, message = BAD_POSTS[case]
    structure = _structure(world)
    before = _snapshot()
    client.force_login(world.users["coordination"])
    added = client.post(reverse("offer:structure_add", args=[world.ctg.pk]), _values(world, **extra))
    assert added.status_code == 400
    assert message in added.content.decode()
    edit = reverse("offer:structure_edit", args=[world.ctg.pk, structure.pk])
    edited = client.post(edit, _edit_data(structure, **extra))
    assert edited.status_code == 400
    assert message in edited.content.decode()
    assert _snapshot() == before


def test_an_editor_changes_the_status_and_the_history_says_who(client, world):
    structure = _structure(world)
    user = world.users["coordination"]
    client.force_login(user)
    edit = reverse("offer:structure_edit", args=[world.ctg.pk, structure.pk])
    form = client.get(edit).content.decode()
    assert "France services du Test" in form

    response = client.post(edit, _edit_data(structure, status="en_projet", expected_opening="2027-09-01"))
    assert response.status_code == 302
    structure.refresh_from_db()
    assert structure.status == Structure.Status.PLANNED
    assert structure.expected_opening == datetime.date(2027, 9, 1)
    assert structure.updated_by == user
    event = structure.events.first()
    assert event.kind == StructureEvent.Kind.UPDATED and event.actor == user
    assert event.changes["status"][1] == "en_projet"

    client.post(edit, _edit_data(structure, status="ferme", expected_opening="2027-09-01"))
    structure.refresh_from_db()
    # Closed, never deleted: the date of a planned opening does not stay on a closed structure.
    assert structure.status == Structure.Status.CLOSED and structure.expected_opening is None
    assert structure.events.count() == 3
    assert Structure.objects.filter(pk=structure.pk).exists()


def test_a_form_sent_without_change_records_nothing(client, world):
    structure = _structure(world)
    client.force_login(world.users["coordination"])
    before = _snapshot()
    edit = reverse("offer:structure_edit", args=[world.ctg.pk, structure.pk])
    response = client.post(edit, _edit_data(structure), follow=True)
    assert "Aucune modification" in response.content.decode()
    assert _snapshot() == before


def test_a_change_made_meanwhile_is_not_overwritten(client, world):
    structure = _structure(world)
    stale = version_of(structure)
    structure_update(structure, actor=world.users["pilote_caf"], values={"name": "France services renommée"})
    before = _snapshot()
    client.force_login(world.users["coordination"])
    edit = reverse("offer:structure_edit", args=[world.ctg.pk, structure.pk])
    response = client.post(edit, _edit_data(structure, name="Autre nom", version=stale))
    assert response.status_code == 400
    page = response.content.decode()
    assert "a été modifiée par" in page and "rien n&#x27;a été enregistré" in page
    assert _snapshot() == before


def test_a_structure_shared_by_two_dossiers_is_edited_from_either(client, world):
    commune = world.ctg.communes.first()
    structure = _structure(world, commune=commune)
    other = CtgFactory(caf=world.ctg.caf, epci=None, communes=[commune], title="CTG de la commune")
    editor = UserFactory(email="coordination@commune.fr")
    MembershipFactory(ctg=other, user=editor, role=Role.COORDINATION)
    client.force_login(editor)
    edit = reverse("offer:structure_edit", args=[other.pk, structure.pk])
    assert client.post(edit, _edit_data(structure, public="Tout public")).status_code == 302
    structure.refresh_from_db()
    assert structure.public == "Tout public"
    assert structure.events.first().actor == editor


def test_what_a_person_types_is_shown_as_text(client, world):
    client.force_login(world.users["pilote_caf"])
    name = '<script>alert("x")</script>'
    client.post(reverse("offer:structure_add", args=[world.ctg.pk]), _values(world, name=name))
    structure = Structure.objects.get(name=name)
    for url in (
        reverse("offer:structure", args=[world.ctg.pk, structure.pk]),
        reverse("offer:structure_edit", args=[world.ctg.pk, structure.pk]),
        reverse("offer:list", args=[world.ctg.pk]),
    ):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert" in page
