"""The funding pages: the CAF's parameter table (public value and source beside, gaps named, history), a value
edited with its comment (escaped), the simulator; refusals and other CAFs change nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from ctg.funding.models import ParameterVersion
from ctg.funding.services import parameter_set
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

KEY = "eaje_new_place_tranche_2"
MIDDLE = "Bonus territoire, places nouvelles d&#x27;EAJE, tranche 2 (intermédiaire)"


def _value_url(world, year=2026, key=KEY):
    return reverse("funding:parameter", args=[world.ctg.caf_id, year, key])


def test_the_table_shows_public_values_sources_and_gaps(client, world):
    client.force_login(world.users["pilote_caf"])
    page = client.get(reverse("funding:parameters", args=[world.ctg.caf_id]) + "?annee=2024").content.decode()
    assert "Paramètres de financement 2024, CAF du Tarn" in page
    assert "3\u00a0600 € par place et par an" in page
    assert "bonus-territoire-et-contrat-territorial-reservataire-eaje" in page  # the source's address
    assert "sans valeur pour 2024" in page and MIDDLE in page
    assert "0,75 € par heure" in page and "0,7500" not in page  # French figures, no trailing zeros


def test_a_value_edited_with_its_comment_shows_in_the_table_and_the_history(client, world):
    client.force_login(world.users["pilote_caf"])
    response = client.post(_value_url(world), {"value": "3 100", "comment": "<script>alert(1)</script> CA"})
    assert response.status_code == 302
    version = ParameterVersion.objects.get()
    assert version.value == Decimal(3100) and version.created_by == world.users["pilote_caf"]
    page = client.get(_value_url(world)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; CA" in page and "<script>alert(1)" not in page
    table = client.get(
        reverse("funding:parameters", args=[world.ctg.caf_id]) + "?annee=2026"
    ).content.decode()
    assert "Valeur de la CAF, par" in table and "&lt;script&gt;" in table
    assert f'href="{_value_url(world)}"' not in table.split("sans valeur")[0]  # no longer a gap


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"value": "-5"}, "négative"),
        ({"value": "trois mille"}, "un nombre"),
        ({"value": "1e400"}, "trop grande"),
    ],
)
def test_a_refused_value_comes_back_with_its_error(client, world, data, message):
    client.force_login(world.users["pilote_caf"])
    response = client.post(_value_url(world), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not ParameterVersion.objects.exists()


def test_a_percentage_over_100_and_an_unknown_key_or_year(client, world):
    client.force_login(world.users["pilote_caf"])
    response = client.post(_value_url(world, key="alsh_new_hours_cap"), {"value": "150"})
    assert response.status_code == 400 and "100 %" in response.content.decode()
    assert client.post(_value_url(world, key="inconnu"), {"value": "1"}).status_code == 404
    assert client.post(_value_url(world, year=2040), {"value": "1"}).status_code == 404
    assert not ParameterVersion.objects.exists()


def test_another_cafs_staff_neither_see_nor_change_the_table(client, world):
    parameter_set(caf=world.ctg.caf, year=2026, key=KEY, value="3100", actor=None)
    client.force_login(world.users["other_caf"])
    assert client.get(reverse("funding:parameters", args=[world.ctg.caf_id])).status_code == 404
    assert client.post(_value_url(world), {"value": "1"}).status_code == 404
    assert client.get(reverse("funding:simulator", args=[world.ctg.caf_id])).status_code == 404
    assert list(ParameterVersion.objects.values_list("value", flat=True)) == [Decimal(3100)]
    client.force_login(world.users["coordination"])
    assert client.post(_value_url(world), {"value": "1"}).status_code == 403
    assert ParameterVersion.objects.count() == 1


def test_a_data_manager_lists_the_cafs(client, world):
    manager = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(manager)
    page = client.get(reverse("funding:index")).content.decode()
    assert "CAF du Tarn" in page and "CAF de l&#x27;Aude" in page
    assert client.get(reverse("funding:parameters", args=[world.other_ctg.caf_id])).status_code == 200


def test_the_simulator_gives_amounts_rules_and_parameters(client, world):
    parameter_set(caf=world.ctg.caf, year=2026, key=KEY, value="3100", actor=None)
    client.force_login(world.users["pilote_caf"])
    url = reverse("funding:simulator", args=[world.ctg.caf_id])
    query = {
        "annee": "2026",
        "eaje_new_places__places": "20",
        "eaje_new_places__tranche": "2",
        "eaje_mixite__places": "30",
        "eaje_mixite__participation_horaire": "0,90",
        "alsh_new_hours__contracted_hours": "100000",
        "alsh_new_hours__requested_hours": "-40000",
    }
    page = client.get(url, query).content.decode()
    assert "62\u00a0000 € par an" in page  # 20 × 3,100 € (the CAF's middle tranche)
    assert "valeur de la CAF" in page
    assert "24\u00a0000 € par an" in page and "valeur publique" in page
    assert "non calculable" in page and "ne peut pas être négatif" in page


@pytest.mark.parametrize(
    "query",
    [{"annee": "2040", "ctre__places": "2"}, {"annee": "2026"}, {"annee": "deux mille"}],
)
def test_the_simulator_refuses_a_year_out_of_range_or_no_line(client, world, query):
    client.force_login(world.users["pilote_caf"])
    response = client.get(reverse("funding:simulator", args=[world.ctg.caf_id]), query)
    assert response.status_code == 400
    assert "Résultats de la simulation" not in response.content.decode()


def test_the_index_leads_caf_staff_to_their_table_and_refuses_others(client, world):
    client.force_login(world.users["pilote_caf"])
    response = client.get(reverse("funding:index"))
    assert response.status_code == 302 and response.url == reverse(
        "funding:parameters", args=[world.ctg.caf_id]
    )
    departement = world.ctg.caf.departement
    reader = UserFactory(organisation=OrganisationFactory(kind="departement", departement=departement))
    client.force_login(reader)
    assert client.get(reverse("funding:index")).status_code == 403
    assert client.get(reverse("funding:parameters", args=[world.ctg.caf_id])).status_code == 403


def test_an_unchanged_value_is_refused_by_the_form(client, world):
    parameter_set(caf=world.ctg.caf, year=2026, key=KEY, value="3100", actor=None)
    client.force_login(world.users["pilote_caf"])
    response = client.post(_value_url(world), {"value": "3100,00"})
    assert response.status_code == 400 and "inchangée" in response.content.decode()
    assert ParameterVersion.objects.count() == 1
