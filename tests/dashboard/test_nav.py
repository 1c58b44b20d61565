"""The header and menu lead each person to the CAF's pages they may open, and to their API tokens."""

import pytest
from django.urls import reverse

from ctg.organisations.models import Organisation
from tests.conftest import PASSWORD
from tests.factories import OrganisationFactory, UserFactory


def _menu(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_a_caf_adviser_sees_the_dashboard_and_the_funding_parameters(client, world):
    html = _menu(client, world.users["pilote_caf"])
    assert reverse("dashboard:home") in html and "Tableau de bord CAF" in html
    assert reverse("funding:index") in html
    assert reverse("api:tokens") in html


@pytest.mark.django_db
def test_the_departements_services_see_the_dashboard_only(client, world):
    tarn = world.ctg.caf.departement
    service = OrganisationFactory(
        kind=Organisation.Kind.SERVICE_DEPARTEMENT, name="PMI du Tarn", departement=tarn
    )
    html = _menu(client, UserFactory(email="pmi@tarn.fr", organisation=service, password=PASSWORD))
    assert reverse("dashboard:home") in html
    assert reverse("funding:index") not in html


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordination", "referent_communal", "partenaire", "lecture"])
def test_the_dossiers_people_see_neither(client, world, role):
    html = _menu(client, world.users[role])
    assert reverse("dashboard:home") not in html
    assert reverse("funding:index") not in html
    assert reverse("api:tokens") in html


@pytest.mark.django_db
def test_an_anonymous_visitor_sees_no_private_link(client):
    html = client.get(reverse("home")).content.decode()
    assert reverse("dashboard:home") not in html and reverse("api:tokens") not in html
