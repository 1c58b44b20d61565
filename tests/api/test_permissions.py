"""The API answers with the permission table of the pages, called with tokens: every role × endpoint, on the
world's dossier and with another dossier's ids (404, nothing changed)."""

import json

import pytest
from django.urls import reverse

from ctg.core.models import HistoryEntry
from ctg.plans.models import BudgetLine, Enjeu, FicheAction, IndicatorValue, StrategicObjective
from tests.api.seed import bearer, token_of
from tests.matrix_helpers import EDITORS, MEMBER_ROLES, OUTSIDERS

pytestmark = pytest.mark.django_db

READS = ["dossier", "parties", "milestones", "structures", "meetings", "plan", "fiches"]


def _expected(role, allowed, ok=200):
    if role in OUTSIDERS:
        return 404
    return ok if role in allowed else 403


@pytest.mark.parametrize("role", MEMBER_ROLES + OUTSIDERS)
def test_reads_follow_the_dossier_visibility(client, world, plan, role):
    headers = bearer(token_of(world.users[role]))
    for name in READS:
        response = client.get(reverse(f"api:v1:{name}", kwargs={"pk": world.ctg.pk}), headers=headers)
        assert response.status_code == _expected(role, MEMBER_ROLES), (name, role)
    url = reverse("api:v1:fiche", kwargs={"pk": world.ctg.pk, "fiche_pk": plan.fiche.pk})
    assert client.get(url, headers=headers).status_code == _expected(role, MEMBER_ROLES)
    listed = client.get(reverse("api:v1:dossiers"), headers=headers).json()["items"]
    assert (world.ctg.pk in [d["id"] for d in listed]) == (role not in OUTSIDERS)


def _writes(w, plan):
    pk = w.ctg.pk
    return [
        ("enjeu_create", {"pk": pk}, {"title": "Nouvel enjeu"}, EDITORS, 201),
        ("enjeu_update", {"pk": pk, "enjeu_pk": plan.enjeu.pk}, {"title": "Renommé"}, EDITORS, 200),
        ("strategic_create", {"pk": pk, "enjeu_pk": plan.enjeu.pk}, {"title": "Objectif"}, EDITORS, 201),
        ("strategic_update", {"pk": pk, "objective_pk": plan.strategic.pk}, {"title": "Obj."}, EDITORS, 200),
        ("operational_create", {"pk": pk, "objective_pk": plan.strategic.pk}, {"title": "Op."}, EDITORS, 201),
        (
            "operational_update",
            {"pk": pk, "objective_pk": plan.operational.pk},
            {"title": "Op2"},
            EDITORS,
            200,
        ),
        ("fiches", {"pk": pk}, {"title": "Fiche", "objectives": [plan.operational.pk]}, EDITORS, 201),
        (
            "fiche",
            {"pk": pk, "fiche_pk": plan.fiche.pk},
            {"version": plan.fiche.version, "status": "en_cours"},
            EDITORS,
            200,
        ),
        (
            "budget_set",
            {"pk": pk, "fiche_pk": plan.fiche.pk},
            {"year": w.ctg.start_year, "funder": "msa", "planned": "20", "spent": "0"},
            EDITORS,
            200,
        ),
        (
            "indicator_value_set",
            {"pk": pk, "fiche_pk": plan.fiche.pk, "indicator_pk": plan.indicator.pk},
            {"year": w.ctg.start_year, "kind": "realised", "value": "4"},
            EDITORS,
            200,
        ),
    ]


def _state():
    return (
        list(Enjeu.objects.values_list("pk", "title").order_by("pk")),
        list(StrategicObjective.objects.values_list("pk", "title").order_by("pk")),
        list(FicheAction.objects.values_list("pk", "title", "status", "version").order_by("pk")),
        list(BudgetLine.objects.values_list("pk", "planned").order_by("pk")),
        list(IndicatorValue.objects.values_list("pk", "value").order_by("pk")),
        HistoryEntry.objects.count(),
    )


@pytest.mark.parametrize("role", MEMBER_ROLES + OUTSIDERS)
def test_writes_follow_the_permission_table(client, world, plan, role):
    headers = bearer(token_of(world.users[role]))
    for name, kwargs, body, allowed, ok in _writes(world, plan):
        before = _state()
        response = client.post(
            reverse(f"api:v1:{name}", kwargs=kwargs), json.dumps(body), "application/json", headers=headers
        )
        expected = _expected(role, allowed, ok)
        assert response.status_code == expected, (name, role, response.content)
        if expected >= 400:
            assert _state() == before, name
        else:
            plan.fiche.refresh_from_db()


def test_another_dossiers_items_are_not_found(client, world, plan, other_plan):
    """Every write of the world's dossier, named with the other dossier's items: 404, nothing changed."""
    headers = bearer(token_of(world.users["pilote_caf"]))
    pk = world.ctg.pk
    other = other_plan
    cases = [
        ("enjeu_update", {"pk": pk, "enjeu_pk": other.enjeu.pk}, {"title": "x"}),
        ("strategic_create", {"pk": pk, "enjeu_pk": other.enjeu.pk}, {"title": "x"}),
        ("strategic_update", {"pk": pk, "objective_pk": other.strategic.pk}, {"title": "x"}),
        ("operational_create", {"pk": pk, "objective_pk": other.strategic.pk}, {"title": "x"}),
        ("operational_update", {"pk": pk, "objective_pk": other.operational.pk}, {"title": "x"}),
        ("fiche", {"pk": pk, "fiche_pk": other.fiche.pk}, {"version": other.fiche.version, "title": "x"}),
        (
            "budget_set",
            {"pk": pk, "fiche_pk": other.fiche.pk},
            {"year": 2025, "funder": "caf", "planned": "1"},
        ),
        (
            "indicator_value_set",
            {"pk": pk, "fiche_pk": other.fiche.pk, "indicator_pk": other.indicator.pk},
            {"year": 2025, "kind": "target", "value": "1"},
        ),
        (
            "indicator_value_set",
            {"pk": pk, "fiche_pk": plan.fiche.pk, "indicator_pk": other.indicator.pk},
            {"year": 2025, "kind": "target", "value": "1"},
        ),
    ]
    for name, kwargs, body in cases:
        before = _state()
        response = client.post(
            reverse(f"api:v1:{name}", kwargs=kwargs), json.dumps(body), "application/json", headers=headers
        )
        assert response.status_code == 404, (name, response.content)
        assert _state() == before, name
    response = client.get(
        reverse("api:v1:fiche", kwargs={"pk": pk, "fiche_pk": other.fiche.pk}), headers=headers
    )
    assert response.status_code == 404
    # The other dossier itself, with its own ids: not found for a person outside it.
    response = client.get(reverse("api:v1:plan", kwargs={"pk": world.other_ctg.pk}), headers=headers)
    assert response.status_code == 404


def test_a_communal_referent_edits_only_the_fiches_of_their_communes(client, world, plan):
    from ctg.plans import services

    referent = world.users["referent_communal"]
    commune = world.ctg.communes.order_by("pk").first()
    mine = services.fiche_create(
        ctg=world.ctg,
        actor=world.users["pilote_caf"],
        title="Fiche de ma commune",
        objectives=[plan.operational],
        all_communes=False,
        communes=[commune],
    )
    headers = bearer(token_of(referent))
    body = {"year": world.ctg.start_year, "funder": "communes", "planned": "50"}
    url = reverse("api:v1:budget_set", kwargs={"pk": world.ctg.pk, "fiche_pk": mine.pk})
    assert client.post(url, json.dumps(body), "application/json", headers=headers).status_code == 200
    url = reverse("api:v1:budget_set", kwargs={"pk": world.ctg.pk, "fiche_pk": plan.fiche.pk})
    response = client.post(url, json.dumps(body), "application/json", headers=headers)
    assert response.status_code == 403
    assert not BudgetLine.objects.filter(fiche=plan.fiche, funder="communes").exists()
