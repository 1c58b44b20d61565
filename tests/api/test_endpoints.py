"""What the API's reads give and what its writes do: the plan with its budget and indicator values, the
parties and meetings, the portrait's statuses (a secret or missing figure is null, never 0), the writes
recorded in the dossier's history in the name of the token's owner, and the session's CSRF check."""

import json
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from ctg.api.routers import public
from ctg.core.models import HistoryEntry
from ctg.plans.models import BudgetLine, Enjeu
from tests.api.seed import bearer, token_of

pytestmark = pytest.mark.django_db


def test_the_plan_and_a_fiche_with_budget_and_indicator_values(client, world, plan):
    headers = bearer(token_of(world.users["lecture"]))
    tree = client.get(reverse("api:v1:plan", kwargs={"pk": world.ctg.pk}), headers=headers).json()
    assert tree[0]["number"] == "1" and tree[0]["title"] == "Enjeu Petite enfance"
    operational = tree[0]["objectives"][0]["operational"][0]
    assert operational["fiches"] == [plan.fiche.pk]
    fiche = client.get(
        reverse("api:v1:fiche", kwargs={"pk": world.ctg.pk, "fiche_pk": plan.fiche.pk}), headers=headers
    ).json()
    assert fiche["number"] == "1.1.1" and fiche["version"] == plan.fiche.version
    assert fiche["budget"] == [
        {
            "id": plan.line.pk,
            "year": world.ctg.start_year,
            "funder": "caf",
            "planned": "1000.00",
            "spent": "0.00",
        }
    ]
    assert fiche["indicators"][0]["label"] == "Places créées"
    assert fiche["indicators"][0]["values"][0]["kind"] == "target"
    assert float(fiche["indicators"][0]["values"][0]["value"]) == 12


def test_parties_milestones_and_meetings(client, world, plan):
    headers = bearer(token_of(world.users["partenaire"]))
    pk = world.ctg.pk
    parties = client.get(reverse("api:v1:parties", kwargs={"pk": pk}), headers=headers).json()
    roles = {m["role"] for m in parties["members"]}
    assert {"coordination", "referent_communal", "partenaire", "lecture"} <= roles
    milestones = client.get(reverse("api:v1:milestones", kwargs={"pk": pk}), headers=headers).json()
    assert milestones["count"] == 1
    meetings = client.get(reverse("api:v1:meetings", kwargs={"pk": pk}), headers=headers).json()
    assert meetings["items"][0]["title"] == "COPIL de lancement"
    assert meetings["items"][0]["decisions"][0]["text"] == "Le plan est adopté."
    dossier = client.get(reverse("api:v1:dossier", kwargs={"pk": pk}), headers=headers).json()
    assert dossier["role"] == "partenaire" and len(dossier["communes"]) == 3


def _result(id_, value, status):
    indicator = SimpleNamespace(id=id_, label=id_, theme="Population", unit="%")
    return SimpleNamespace(
        indicator=indicator,
        value=SimpleNamespace(value=value, status=status, coverage=0.5, year=2021, note=""),
        source="Insee",
    )


def test_a_secret_or_missing_figure_is_null_never_zero(client, world, monkeypatch):
    commune = world.ctg.communes.order_by("code").first()
    portrait = SimpleNamespace(
        results=[
            _result("ok", 12.5, "ok"),
            _result("partiel", 3.0, "partiel"),
            _result("secret", 0, "secret"),
            _result("absent", 0, "non_disponible"),
        ],
        fictitious_datasets=[],
    )
    monkeypatch.setattr(public, "build_portrait", lambda territory, **kw: portrait)
    answer = client.get(reverse("api:v1:portrait", kwargs={"code": commune.code}))
    assert answer.status_code == 200
    figures = {f["indicator"]: f for f in answer.json()["figures"]}
    assert figures["ok"]["value"] == 12.5 and figures["partiel"]["value"] == 3.0
    assert figures["secret"]["value"] is None and figures["secret"]["status"] == "secret"
    assert figures["absent"]["value"] is None and figures["absent"]["status"] == "non_disponible"
    assert answer.json()["territory"]["code"] == commune.code


def test_a_write_goes_in_the_history_in_the_name_of_the_tokens_owner(client, world, plan):
    coordination = world.users["coordination"]
    headers = bearer(token_of(coordination))
    url = reverse("api:v1:budget_set", kwargs={"pk": world.ctg.pk, "fiche_pk": plan.fiche.pk})
    body = {"year": world.ctg.start_year, "funder": "epci", "planned": "2500.50", "spent": "100"}
    response = client.post(url, json.dumps(body), "application/json", headers=headers)
    assert response.status_code == 200
    line = BudgetLine.objects.get(fiche=plan.fiche, funder="epci")
    assert str(line.planned) == "2500.50"
    entry = HistoryEntry.objects.filter(ctg=world.ctg).order_by("-pk").first()
    assert entry.actor == coordination and "EPCI" in entry.summary


def test_the_session_needs_the_csrf_token_to_write(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["pilote_caf"])
    url = reverse("api:v1:enjeu_create", kwargs={"pk": world.ctg.pk})
    assert browser.get(reverse("api:v1:dossiers")).status_code == 200
    response = browser.post(url, json.dumps({"title": "Sans CSRF"}), "application/json")
    assert response.status_code in (401, 403)
    assert not Enjeu.objects.filter(title="Sans CSRF").exists()
    # A token needs no CSRF token: it is not sent by a browser on its own.
    raw = token_of(world.users["pilote_caf"])
    client = Client(enforce_csrf_checks=True)
    response = client.post(url, json.dumps({"title": "Avec jeton"}), "application/json", headers=bearer(raw))
    assert response.status_code == 201


def test_the_schema_and_the_docs_page(client):
    schema = client.get(reverse("api:v1:openapi-json")).json()
    assert schema["openapi"].startswith("3.")
    assert "/api/dossiers/{pk}/plan" in schema["paths"]
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200
    assert "/api/dossiers/{pk}/fiches/{fiche_pk}/budget" in page.content.decode()
    assert client.get("/api/").status_code == 302


def test_the_offer_of_services_of_the_dossiers_territory(client, world):
    from ctg.offer.services import structure_create

    commune = world.ctg.communes.order_by("code").first()
    for name in ("France services du Test", "Relais petite enfance"):
        structure_create(
            actor=None, values={"type": "france_services", "name": name, "commune": commune, "source": "t"}
        )
    elsewhere = world.other_ctg.communes.first()
    structure_create(
        actor=None,
        values={"type": "france_services", "name": "Ailleurs", "commune": elsewhere, "source": "t"},
    )
    headers = bearer(token_of(world.users["lecture"]))
    url = reverse("api:v1:structures", kwargs={"pk": world.ctg.pk})
    page = client.get(f"{url}?limit=1", headers=headers).json()
    assert page["count"] == 2 and len(page["items"]) == 1
    assert page["items"][0]["commune"] == commune.code
    names = {s["name"] for s in client.get(url, headers=headers).json()["items"]}
    assert names == {"France services du Test", "Relais petite enfance"}
