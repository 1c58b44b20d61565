"""A scenario of the offer turned into a fiche action, or attached to an existing one, pre-fills the fiche's
budget from its simulated funding (issue 14, item 3): CAF lines per year equal to the simulation, the
collectivité's remaining cost, written through the plan's budget service (history); what could not be computed
is left out and said in the success message; bad requests change nothing."""

from decimal import Decimal

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import escape

from ctg.core.models import HistoryEntry
from ctg.funding.simulate import simulate
from ctg.offer import scenario_funding, scenarios
from ctg.plans.models import BudgetLine, FicheAction
from ctg.plans.services.fiche_items import budget_set
from tests.plans.factories import FicheFactory, OperationalObjectiveFactory


def _micro_creche(w, *, tranche="1", name="Micro-crèche de 12 places", **funding):
    scenario = scenarios.scenario_create(
        ctg=w.ctg,
        actor=None,
        name=name,
        lines=[{"type": "eaje_micro_creche", "places": 12, "commune": w.ctg.communes.first(), "year": 2025}],
    )
    values = {"bonus_tranche": tranche, **funding}
    scenario_funding.line_funding_set(line=scenario.lines.get(), actor=None, values=values)
    return scenario


def _budget(fiche) -> dict:
    return {(b.year, b.funder): b.planned for b in BudgetLine.objects.filter(fiche=fiche)}


def snapshot():
    return {
        "fiches": list(FicheAction.objects.order_by("pk").values_list("pk", "title", "source_scenario")),
        "budget": list(BudgetLine.objects.order_by("pk").values()),
        "history": HistoryEntry.objects.count(),
    }


def test_a_micro_creche_becomes_a_fiche_with_its_caf_and_remaining_cost_per_year(client, world):
    OperationalObjectiveFactory(strategic__enjeu__ctg=world.ctg)
    scenario = _micro_creche(world)
    client.force_login(world.users["coordination"])
    response = client.post(reverse("plans:scenario_fiche", args=[world.ctg.pk, scenario.pk]), follow=True)
    fiche = FicheAction.objects.get(source_scenario=scenario)
    years = range(2025, 2029)  # the CTG's period, from the opening year
    expected = simulate(
        [{"id": y, "kind": "eaje_new_places", "places": 12, "tranche": "1", "year": y} for y in years],
        caf=world.ctg.caf,
    )
    caf = {r["id"]: r["amount_eur_per_year"] for r in expected}
    assert set(caf.values()) == {Decimal("43200.00")}
    remaining = simulate(
        [
            {"id": y, "kind": "remaining_cost", "places": 12, "other_funding": str(caf[y]), "year": y}
            for y in years
        ],
        caf=world.ctg.caf,
    )
    collectivity = {r["id"]: r["amount_eur_per_year"] for r in remaining}
    assert collectivity[2025] == Decimal("148800.00")  # 12 × 16 000 € − 43 200 €
    budget = _budget(fiche)
    # The world's CTG is an EPCI's: the collectivité is the EPCI.
    assert budget == {
        **{(y, "caf"): caf[y] for y in years},
        **{(y, "epci"): collectivity[y] for y in years},
    }
    # Through the plan's budget service: one history line per budget line, on the fiche.
    assert HistoryEntry.objects.filter(action="budget", item_id=fiche.pk).count() == 8
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "budget prérempli" in text and "non repris" not in text
    page = response.content.decode()
    assert "43\u00a0200" in page or "43 200" in page or "43200" in page


def test_amounts_not_computed_are_left_out_and_said(client, world):
    OperationalObjectiveFactory(strategic__enjeu__ctg=world.ctg)
    scenario = _micro_creche(world, tranche="2", participation_horaire="0,70")
    client.force_login(world.users["pilote_caf"])
    response = client.post(reverse("plans:scenario_fiche", args=[world.ctg.pk, scenario.pk]))
    fiche = FicheAction.objects.get(source_scenario=scenario)
    # Only the computed bonus mixité (12 × 2 100 €) is kept; no remaining cost without the whole CAF funding.
    assert _budget(fiche) == {(y, "caf"): Decimal("25200.00") for y in range(2025, 2029)}
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "Montants non repris" in text and "tranche 2" in text and "Reste à charge" in text


def test_a_scenario_is_attached_to_an_existing_fiche_keeping_its_budget(client, world):
    fiche = FicheFactory(ctg=world.ctg, title="Développer l'accueil du jeune enfant")
    budget_set(fiche=fiche, actor=None, year=2025, funder="caf", planned="1000", spent="250")
    scenario = _micro_creche(world)
    client.force_login(world.users["coordination"])
    url = reverse("plans:scenario_fiche", args=[world.ctg.pk, scenario.pk])
    page = client.get(url).content.decode()
    assert "Ou rattacher le scénario à une fiche existante" in page and escape(fiche.title) in page
    response = client.post(url, {"fiche": fiche.pk})
    assert response.status_code == 302 and response.url == reverse(
        "plans:fiche_detail", args=[world.ctg.pk, fiche.pk]
    )
    fiche.refresh_from_db()
    assert fiche.source_scenario == scenario
    budget = _budget(fiche)
    assert budget[(2025, "caf")] == Decimal("1000")  # the plan's own line is left unchanged
    assert BudgetLine.objects.get(fiche=fiche, year=2025, funder="caf").spent == Decimal("250")
    assert budget[(2026, "caf")] == Decimal("43200.00") and budget[(2025, "epci")] == Decimal("148800.00")
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "rattaché" in text and "CAF 2025 : déjà au budget de la fiche, inchangé" in text
    assert HistoryEntry.objects.filter(
        action="scenario", item_id=scenario.pk, changes__has_key="fiche"
    ).exists()


def test_bad_attachments_change_nothing(client, world):
    theirs = FicheFactory(ctg=world.other_ctg, title="Fiche voisine")
    made = FicheFactory(ctg=world.ctg, title="Fiche d'un autre scénario")
    made.source_scenario = _micro_creche(world, name="Autre scénario")
    made.save(update_fields=["source_scenario"])
    free = FicheFactory(ctg=world.ctg, title="Fiche libre")
    scenario = _micro_creche(world)
    client.force_login(world.users["coordination"])
    url = reverse("plans:scenario_fiche", args=[world.ctg.pk, scenario.pk])
    page = client.get(url).content.decode()
    assert "Fiche voisine" not in page and "Fiche d&#x27;un autre scénario" not in page
    before = snapshot()
    for data in ({"fiche": theirs.pk}, {"fiche": made.pk}, {"fiche": "abc"}, {"fiche": ""}):
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert "fiche action de ce dossier" in response.content.decode(), data
        assert snapshot() == before, data
    # Attached once: a second attachment (or a new fiche) is refused.
    assert client.post(url, {"fiche": free.pk}).status_code == 302
    other_free = FicheFactory(ctg=world.ctg, title="Encore une fiche")
    again = snapshot()
    assert client.post(url, {"fiche": other_free.pk}).status_code == 400
    assert snapshot() == again
    # Another dossier's scenario is not found.
    foreign = scenarios.scenario_create(
        ctg=world.other_ctg,
        actor=None,
        name="Scénario voisin",
        lines=[
            {"type": "eaje_creche", "places": 10, "commune": world.other_ctg.communes.first(), "year": 2026}
        ],
    )
    again = snapshot()
    assert (
        client.post(
            reverse("plans:scenario_fiche", args=[world.ctg.pk, foreign.pk]), {"fiche": free.pk}
        ).status_code
        == 404
    )
    assert snapshot() == again
