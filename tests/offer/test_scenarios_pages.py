"""Scenarios of the offer of services in a dossier: the services and the dossier's history, the pages
(before/after, comparison, « Issue du scénario » on the fiche), « Transformer en fiche action », bad input
that changes nothing, another dossier's scenario (404) and user text escaped on every page."""

import pytest
from django.urls import reverse

from ctg.core.models import HistoryEntry
from ctg.offer import scenarios
from ctg.offer.models import Scenario, ScenarioLine
from ctg.plans.models import FicheAction, IndicatorValue, PlanIndicator
from ctg.plans.services.scenarios import scenario_to_fiche
from tests.plans.factories import OperationalObjectiveFactory

PAYLOAD = "<script>alert('x')</script>"


def _lines(w, **extra):
    return [
        {
            "type": "eaje_micro_creche",
            "places": 12,
            "commune": w.ctg.communes.first(),
            "year": 2026,
            **extra,
        }
    ]


def _scenario(w, name="Micro-crèche de 12 places", actor=None, ctg=None, **extra):
    ctg = ctg or w.ctg
    return scenarios.scenario_create(
        ctg=ctg,
        actor=actor,
        name=name,
        lines=[{**_lines(w)[0], "commune": ctg.communes.first(), **extra}],
    )


def snapshot() -> dict:
    return {
        "scenarios": list(Scenario.objects.order_by("pk").values()),
        "lines": list(ScenarioLine.objects.order_by("pk").values()),
        "history": HistoryEntry.objects.count(),
        "fiches": list(FicheAction.objects.order_by("pk").values_list("pk", "title")),
        "indicators": PlanIndicator.objects.count(),
    }


def test_every_write_is_recorded_in_the_dossier_history(world):
    actor = world.users["coordination"]
    scenario = _scenario(world, actor=actor)
    entries = HistoryEntry.objects.filter(ctg=world.ctg, action="scenario", item_id=scenario.pk)
    assert entries.count() == 1
    first = entries.get()
    assert first.actor == actor and first.item_type == "scenario"
    assert (
        "Micro-crèche de 12 places" in first.summary
        and "micro-crèche de 12 places" in first.changes["line"][1]
    )
    scenarios.scenario_update(scenario=scenario, actor=actor, name="Micro-crèche à la zone industrielle")
    line = scenarios.line_add(
        scenario=scenario, actor=actor, type="mam", places=8, commune=world.ctg.communes.last(), year=2027
    )
    scenarios.line_update(line=line, actor=actor, places=10)
    assert scenarios.line_update(line=ScenarioLine.objects.get(pk=line.pk), actor=actor, places=10) == {}
    scenarios.line_delete(line=ScenarioLine.objects.get(pk=line.pk), actor=actor)
    summaries = list(entries.order_by("id").values_list("summary", flat=True))
    assert len(summaries) == 5
    assert "modifié" in summaries[1] and "ajoutée" in summaries[2]
    assert "modifiée" in summaries[3] and "retirée" in summaries[4]
    update = entries.order_by("id")[1]
    assert update.changes["name"] == ["Micro-crèche de 12 places", "Micro-crèche à la zone industrielle"]
    scenarios.scenario_delete(scenario=Scenario.objects.get(pk=scenario.pk), actor=actor)
    assert not Scenario.objects.filter(pk=scenario.pk).exists()
    assert entries.count() == 6 and "supprimé" in entries.order_by("id").last().summary


def test_the_pages_show_the_scenario_before_and_after(client, world):
    client.force_login(world.users["coordination"])
    commune = world.ctg.communes.first()
    data = {"name": "Micro-crèche du bourg", "type": "eaje_micro_creche", "places": "12"}
    data |= {"commune": commune.code, "year": "2026", "line_name": "Les Petits Pas"}
    response = client.post(reverse("offer:scenario_add", args=[world.ctg.pk]), data)
    scenario = Scenario.objects.get(ctg=world.ctg)
    assert response.status_code == 302 and response.url == reverse(
        "offer:scenario", args=[world.ctg.pk, scenario.pk]
    )
    assert scenario.created_by == world.users["coordination"]
    client.force_login(world.users["lecture"])
    text = client.get(response.url).content.decode()
    assert "Avant et après" in text and "Après (simulé)" in text and "simulé</span>" in text
    assert "Les Petits Pas" in text and commune.name in text
    assert "Transformer en fiche action" not in text and "Supprimer le scénario" not in text
    other = _scenario(world, name="Crèche collective", type="eaje_creche", places=30)
    listing = client.get(reverse("offer:scenarios", args=[world.ctg.pk])).content.decode()
    assert "Micro-crèche du bourg" in listing and "Crèche collective" in listing
    assert "Comparaison des scénarios" in listing
    only = client.get(reverse("offer:scenarios", args=[world.ctg.pk]), {"comparer": [other.pk]})
    header = only.content.decode().split("Comparaison des scénarios")[1]
    assert "Crèche collective" in header and "Micro-crèche du bourg" not in header
    # The needs page leads to the scenarios.
    client.force_login(world.users["pilote_caf"])
    needs_page = client.get(reverse("offer:needs", args=[world.ctg.pk])).content.decode()
    assert "Simuler une nouvelle structure" in needs_page
    assert reverse("offer:scenario_add", args=[world.ctg.pk]) in needs_page


def test_a_scenario_becomes_a_fiche_action_with_its_indicator(client, world):
    objective = OperationalObjectiveFactory(strategic__enjeu__ctg=world.ctg)
    scenario = _scenario(world)
    client.force_login(world.users["coordination"])
    response = client.post(reverse("plans:scenario_fiche", args=[world.ctg.pk, scenario.pk]))
    fiche = FicheAction.objects.get(ctg=world.ctg)
    assert response.url == reverse("plans:fiche_detail", args=[world.ctg.pk, fiche.pk])
    assert fiche.title == scenario.name and list(fiche.objectives.all()) == [objective]
    assert list(fiche.communes.all()) == [world.ctg.communes.first()] and not fiche.all_communes
    assert fiche.fields == ["petite_enfance"]
    indicator = PlanIndicator.objects.get(fiche=fiche)
    assert indicator.label.startswith("Places") and indicator.baseline_value == 0
    target = IndicatorValue.objects.get(indicator=indicator, kind="target")
    assert (target.year, target.value) == (2026, 12)
    assert fiche.source_scenario == scenario
    page = client.get(response.url).content.decode()
    assert "Issue du scénario" in page and scenario.name in page
    # The fiche's creation went through the plan's services: its history is on the fiche.
    assert HistoryEntry.objects.filter(action="fiche", item_id=fiche.pk).exists()
    assert HistoryEntry.objects.filter(
        action="scenario", item_id=scenario.pk, changes__has_key="fiche"
    ).exists()
    # A second click does not create a second fiche.
    before = snapshot()
    client.post(reverse("plans:scenario_fiche", args=[world.ctg.pk, scenario.pk]))
    assert snapshot() == before


def test_several_objectives_ask_which_one(client, world):
    first = OperationalObjectiveFactory(strategic__enjeu__ctg=world.ctg)
    second = OperationalObjectiveFactory(strategic__enjeu__ctg=world.ctg)
    foreign = OperationalObjectiveFactory(strategic__enjeu__ctg=world.other_ctg)
    scenario = _scenario(world)
    client.force_login(world.users["pilote_caf"])
    url = reverse("plans:scenario_fiche", args=[world.ctg.pk, scenario.pk])
    detail = client.get(reverse("offer:scenario", args=[world.ctg.pk, scenario.pk])).content.decode()
    assert url in detail  # « Transformer en fiche action » leads to the plan's page
    page = client.get(url).content.decode()
    assert f'value="{first.pk}"' in page and f'value="{second.pk}"' in page
    assert f'value="{foreign.pk}"' not in page
    before = snapshot()
    for data in ({}, {"objective": foreign.pk}, {"objective": "abc"}):
        response = client.post(url, data)
        assert response.status_code == 400
        assert "fr-alert--error" in response.content.decode() or "fr-error-text" in response.content.decode()
        assert snapshot() == before
    client.post(url, {"objective": second.pk})
    assert list(FicheAction.objects.get(ctg=world.ctg).objectives.all()) == [second]


def test_a_plan_without_objective_refuses_the_fiche_clearly(client, world):
    scenario = _scenario(world)
    client.force_login(world.users["coordination"])
    url = reverse("plans:scenario_fiche", args=[world.ctg.pk, scenario.pk])
    assert "aucun objectif opérationnel" in client.get(url).content.decode()
    before = snapshot()
    response = client.post(url)
    assert response.status_code == 400 and "aucun objectif opérationnel" in response.content.decode()
    assert snapshot() == before


def test_an_opening_year_outside_the_ctg_period_refuses_the_fiche(world):
    OperationalObjectiveFactory(strategic__enjeu__ctg=world.ctg)
    scenario = _scenario(world, year=2040)
    before = snapshot()
    with pytest.raises(scenarios.ValidationError, match="hors de la période"):
        scenario_to_fiche(scenario=scenario, actor=None)
    assert snapshot() == before


def _bad_cases(w):
    inside = w.ctg.communes.first().code
    outside = w.other_ctg.communes.first().code
    good = {
        "name": "Scénario",
        "type": "eaje_micro_creche",
        "places": "12",
        "commune": inside,
        "year": "2026",
    }
    return [
        ("commune hors du territoire", {**good, "commune": outside}),
        ("type inconnu", {**good, "type": "creche_imaginaire"}),
        ("places négatives", {**good, "places": "-4"}),
        ("places démesurées", {**good, "type": "eaje_creche", "places": "100000"}),
        ("micro-crèche de 20 places", {**good, "places": "20"}),
        ("année trop ancienne", {**good, "year": "1990"}),
        ("année trop lointaine", {**good, "year": "2200"}),
        ("places non numériques", {**good, "places": "douze"}),
        ("nom vide", {**good, "name": "   "}),
    ]


def test_bad_input_is_refused_and_changes_nothing(client, world):
    scenario = _scenario(world)
    line = scenario.lines.get()
    client.force_login(world.users["coordination"])
    before = snapshot()
    for label, data in _bad_cases(world):
        response = client.post(reverse("offer:scenario_add", args=[world.ctg.pk]), data)
        assert response.status_code == 400, label
        assert snapshot() == before, label
        line_data = {k: v for k, v in data.items() if k != "name"}
        if label == "nom vide":
            continue
        for url in (
            reverse("offer:scenario_line_add", args=[world.ctg.pk, scenario.pk]),
            reverse("offer:scenario_line_edit", args=[world.ctg.pk, scenario.pk, line.pk]),
        ):
            assert client.post(url, line_data).status_code == 400, label
            assert snapshot() == before, label
    # The services refuse what a form would not send.
    for label, data in _bad_cases(world):
        values = {k: v for k, v in data.items() if k != "name"}
        with pytest.raises(scenarios.ValidationError):
            scenarios.scenario_create(ctg=world.ctg, actor=None, name=data["name"], lines=[values])
        assert snapshot() == before, label


def test_tampered_ids_are_not_found(client, world):
    mine = _scenario(world)
    theirs = _scenario(world, ctg=world.other_ctg, name="Scénario voisin")
    their_line = theirs.lines.get()
    my_line = mine.lines.get()
    client.force_login(world.users["pilote_caf"])
    before = snapshot()
    pk = world.ctg.pk
    gets = [
        reverse("offer:scenario", args=[pk, theirs.pk]),
        reverse("offer:scenario_edit", args=[pk, theirs.pk]),
        reverse("offer:scenario_line_add", args=[pk, theirs.pk]),
        reverse("offer:scenario_line_edit", args=[pk, theirs.pk, their_line.pk]),
        # A line of another scenario under mine.
        reverse("offer:scenario_line_edit", args=[pk, mine.pk, their_line.pk]),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = [
        *gets[1:],
        reverse("offer:scenario_delete", args=[pk, theirs.pk]),
        reverse("plans:scenario_fiche", args=[pk, theirs.pk]),
        reverse("offer:scenario_line_delete", args=[pk, theirs.pk, their_line.pk]),
        reverse("offer:scenario_line_delete", args=[pk, mine.pk, their_line.pk]),
    ]
    for url in posts:
        assert client.post(url, {"name": "x", "type": "mam", "year": "2026"}).status_code == 404, url
    assert snapshot() == before
    # Comparing with another dossier's id shows none of it.
    listing = client.get(reverse("offer:scenarios", args=[pk]), {"comparer": [theirs.pk, mine.pk]})
    assert "Scénario voisin" not in listing.content.decode()
    assert my_line.pk != their_line.pk


def test_a_script_in_a_name_is_escaped_on_every_page(client, world):
    OperationalObjectiveFactory(strategic__enjeu__ctg=world.ctg)
    scenario = _scenario(world, name=PAYLOAD, actor=world.users["pilote_caf"])
    scenarios.scenario_update(scenario=scenario, actor=None, description=PAYLOAD)
    line = scenario.lines.get()
    scenarios.line_update(line=line, actor=None, name=PAYLOAD)
    fiche = scenario_to_fiche(scenario=scenario, actor=None)
    client.force_login(world.users["pilote_caf"])
    pk = world.ctg.pk
    urls = [
        reverse("offer:scenarios", args=[pk]),
        reverse("offer:scenario", args=[pk, scenario.pk]),
        reverse("offer:scenario_edit", args=[pk, scenario.pk]),
        reverse("offer:scenario_line_edit", args=[pk, scenario.pk, line.pk]),
        reverse("offer:scenario_line_add", args=[pk, scenario.pk]),
        reverse("plans:scenario_fiche", args=[pk, scenario.pk]),
        reverse("plans:fiche_detail", args=[pk, fiche.pk]),
        reverse("conventions:history", args=[pk]),
    ]
    for url in urls:
        text = client.get(url).content.decode()
        assert PAYLOAD not in text, url
        assert "&lt;script&gt;" in text, url


def test_a_closure_is_simulated_from_the_page_and_a_structure_elsewhere_is_refused(client, world):
    from ctg.offer.services import structure_create

    def structure(commune, name):
        values = {"type": "eaje_creche", "name": name, "commune": commune, "capacity": 30, "source": "t"}
        return structure_create(actor=None, values=values)

    here = structure(world.ctg.communes.first(), "Crèche des Lilas")
    elsewhere = structure(world.other_ctg.communes.first(), "Crèche voisine")
    scenario = _scenario(world)
    client.force_login(world.users["coordination"])
    url = reverse("offer:scenario_closure_add", args=[world.ctg.pk, scenario.pk])
    form = client.get(url).content.decode()
    assert "Crèche des Lilas" in form and "Crèche voisine" not in form
    before = snapshot()
    for data in ({"structure": elsewhere.pk, "year": "2027"}, {"structure": here.pk, "year": "1800"}):
        assert client.post(url, data).status_code == 400
        assert snapshot() == before
    with pytest.raises(scenarios.ValidationError):
        scenarios.line_add(scenario=scenario, actor=None, kind="fermeture", structure=elsewhere.pk, year=2027)
    assert snapshot() == before
    assert client.post(url, {"structure": here.pk, "year": "2027"}).status_code == 302
    line = scenario.lines.get(kind="fermeture")
    assert line.structure == here and line.type == "eaje_creche"
    here.refresh_from_db()
    assert here.status == "ouvert"  # the inventory is never changed by a scenario
    page = client.get(reverse("offer:scenario", args=[world.ctg.pk, scenario.pk])).content.decode()
    assert "Fermeture d&#x27;une structure existante" in page and "Crèche des Lilas" in page
    comparison = scenarios.compare_scenario(scenario)
    places = next(p for p in comparison.main.fields[0].pairs if p.label == "Places")
    assert (places.before.value, places.after.value) == (30, 12)
