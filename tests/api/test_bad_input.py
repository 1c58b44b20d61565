"""Bad input to the API: refused with a French message in `{"detail": …}`, and nothing changed."""

import json

import pytest
from django.urls import reverse

from ctg.api import services as api_services
from ctg.core.models import HistoryEntry
from ctg.plans.models import BudgetLine, Enjeu, FicheAction, IndicatorValue
from tests.api.seed import bearer, token_of

pytestmark = pytest.mark.django_db


def _state():
    return (
        list(Enjeu.objects.values_list("pk", "title", "description").order_by("pk")),
        list(FicheAction.objects.values_list("pk", "title", "status", "version").order_by("pk")),
        list(BudgetLine.objects.values_list("pk", "year", "funder", "planned", "spent").order_by("pk")),
        list(IndicatorValue.objects.values_list("pk", "value").order_by("pk")),
        HistoryEntry.objects.count(),
    )


@pytest.fixture
def pilot(world):
    return bearer(token_of(world.users["pilote_caf"]))


def _post(client, name, kwargs, body, headers, raw=False):
    data = body if raw else json.dumps(body)
    return client.post(reverse(f"api:v1:{name}", kwargs=kwargs), data, "application/json", headers=headers)


def _french(response) -> str:
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail
    assert "Not Found" not in detail and "Unauthorized" not in detail and "field required" not in detail
    return detail


def test_junk_ids_and_paging(client, world, plan, pilot):
    before = _state()
    for url, status in [
        ("/api/dossiers/abc", 422),
        ("/api/dossiers/-1", 422),
        ("/api/dossiers/0", 422),
        ("/api/dossiers/99999999999999999999", 422),
        (f"/api/dossiers/{world.ctg.pk}/fiches/1.5", 422),
        ("/api/dossiers/987654", 404),
        ("/api/dossiers?limit=-1", 422),
        ("/api/dossiers?limit=0", 422),
        ("/api/dossiers?limit=101", 422),
        ("/api/dossiers?limit=dix", 422),
        ("/api/dossiers?offset=-5", 422),
        ("/api/territoires", 422),
        ("/api/territoires/ZZZ/portrait", 404),
    ]:
        response = client.get(url, headers=pilot)
        assert response.status_code == status, url
        _french(response)
        if status == 422:
            assert response.json()["errors"], url
    assert _state() == before


def test_pagination_limits_and_counts(client, world, plan, pilot):
    from ctg.plans import services

    for i in range(3):
        services.fiche_create(
            ctg=world.ctg, actor=world.users["pilote_caf"], title=f"F{i}", objectives=[plan.operational]
        )
    url = reverse("api:v1:fiches", kwargs={"pk": world.ctg.pk})
    page = client.get(f"{url}?limit=2&offset=1", headers=pilot).json()
    assert page["count"] == 4 and len(page["items"]) == 2
    assert [f["title"] for f in page["items"]] == ["F0", "F1"]
    assert client.get(f"{url}?limit=100", headers=pilot).status_code == 200


def test_a_string_where_a_number_is_expected_and_broken_json(client, world, plan, pilot):
    before = _state()
    kwargs = {"pk": world.ctg.pk, "fiche_pk": plan.fiche.pk}
    response = _post(
        client, "budget_set", kwargs, {"year": "deux mille", "funder": "caf", "planned": "1"}, pilot
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "Un nombre entier est attendu."
    response = _post(client, "budget_set", kwargs, "{pas du json", pilot, raw=True)
    assert response.status_code == 400
    assert "JSON" in _french(response)
    response = _post(client, "enjeu_create", {"pk": world.ctg.pk}, {"description": "sans titre"}, pilot)
    assert response.status_code == 422
    assert response.json()["errors"][0] == {"field": "title", "message": "Ce champ est obligatoire."}
    assert _state() == before


def test_a_negative_amount_an_unknown_funder_a_year_outside_the_period(client, world, plan, pilot):
    before = _state()
    kwargs = {"pk": world.ctg.pk, "fiche_pk": plan.fiche.pk}
    year = world.ctg.start_year
    for body, field in [
        ({"year": year, "funder": "caf", "planned": "-10"}, "planned"),
        ({"year": year, "funder": "banque", "planned": "10"}, "funder"),
        ({"year": 1990, "funder": "caf", "planned": "10"}, "year"),
    ]:
        response = _post(client, "budget_set", kwargs, body, pilot)
        assert response.status_code == 400, body
        assert field in response.json()["errors"], response.json()
        _french(response)
    response = _post(client, "budget_set", kwargs, {"year": year, "funder": "caf", "planned": "1e30"}, pilot)
    assert response.status_code in (400, 422)
    assert _state() == before


def test_a_fiche_of_another_dossier_and_objectives_of_another_dossier(client, world, plan, other_plan, pilot):
    before = _state()
    response = _post(
        client,
        "fiches",
        {"pk": world.ctg.pk},
        {"title": "Intruse", "objectives": [other_plan.operational.pk]},
        pilot,
    )
    assert response.status_code == 400
    assert "objectives" in response.json()["errors"]
    response = _post(
        client,
        "budget_set",
        {"pk": world.ctg.pk, "fiche_pk": other_plan.fiche.pk},
        {"year": world.ctg.start_year, "funder": "caf", "planned": "1"},
        pilot,
    )
    assert response.status_code == 404
    _french(response)
    assert _state() == before


def test_a_stale_version_of_the_fiche_is_refused(client, world, plan, pilot):
    kwargs = {"pk": world.ctg.pk, "fiche_pk": plan.fiche.pk}
    version = plan.fiche.version
    assert _post(client, "fiche", kwargs, {"version": version, "title": "Première"}, pilot).status_code == 200
    before = _state()
    response = _post(client, "fiche", kwargs, {"version": version, "title": "Seconde"}, pilot)
    assert response.status_code == 409
    _french(response)
    assert _state() == before
    response = _post(client, "fiche", kwargs, {"title": "Sans version"}, pilot)
    assert response.status_code == 422
    assert _state() == before


def test_an_invalid_indicator_value_and_a_bad_status(client, world, plan, pilot):
    before = _state()
    kwargs = {"pk": world.ctg.pk, "fiche_pk": plan.fiche.pk, "indicator_pk": plan.indicator.pk}
    response = _post(
        client,
        "indicator_value_set",
        kwargs,
        {"year": world.ctg.start_year, "kind": "espoir", "value": 1},
        pilot,
    )
    assert response.status_code == 400
    response = _post(
        client,
        "fiche",
        {"pk": world.ctg.pk, "fiche_pk": plan.fiche.pk},
        {"version": plan.fiche.version, "status": "termine_peut_etre"},
        pilot,
    )
    assert response.status_code == 400
    _french(response)
    assert _state() == before


def test_revoked_and_missing_tokens_on_private_endpoints(client, world, plan):
    token, raw = api_services.token_create(user=world.users["pilote_caf"], name="Vieux")
    api_services.token_revoke(token=token, actor=world.users["pilote_caf"])
    before = _state()
    url = reverse("api:v1:enjeu_create", kwargs={"pk": world.ctg.pk})
    for headers in (bearer(raw), {}):
        response = client.post(url, json.dumps({"title": "Pirate"}), "application/json", headers=headers)
        assert response.status_code == 401
        assert "jeton" in _french(response)
        assert (
            client.get(reverse("api:v1:plan", kwargs={"pk": world.ctg.pk}), headers=headers).status_code
            == 401
        )
    assert _state() == before


def test_user_text_stays_a_string(client, world, plan, pilot):
    title = '<script>alert("x")</script> & « 1 000 € » = 2+2'
    response = _post(
        client, "enjeu_create", {"pk": world.ctg.pk}, {"title": title, "description": "=SUM(A1)"}, pilot
    )
    assert response.status_code == 201
    created = response.json()
    assert created["title"] == title and created["description"] == "=SUM(A1)"
    tree = client.get(reverse("api:v1:plan", kwargs={"pk": world.ctg.pk}), headers=pilot).json()
    assert title in [e["title"] for e in tree]
    assert Enjeu.objects.get(pk=created["id"]).title == title


def test_organisations_outside_the_dossiers_scope_are_refused(client, world, plan, pilot):
    caf_tarn = world.ctg.caf
    caf_aude = world.other_ctg.caf
    kwargs = {"pk": world.ctg.pk, "fiche_pk": plan.fiche.pk}
    before = _state()
    for body in (
        {"version": plan.fiche.version, "partners": [caf_aude.pk]},
        {"version": plan.fiche.version, "pilot_organisation": caf_aude.pk},
        {"version": plan.fiche.version, "partners": [987654]},
    ):
        response = _post(client, "fiche", kwargs, body, pilot)
        assert response.status_code == 400, (body, response.content)
        _french(response)
    assert _state() == before
    assert not plan.fiche.partners.exists()
    response = _post(
        client, "fiche", kwargs, {"version": plan.fiche.version, "partners": [caf_tarn.pk]}, pilot
    )
    assert response.status_code == 200, response.content
    assert [p["id"] for p in response.json()["partners"]] == [caf_tarn.pk]
