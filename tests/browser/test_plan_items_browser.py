"""The coordination, in Chromium, deletes a budget line of a fiche action (after confirming), renames one of
its indicators and deletes it. The fiche page, the confirmation pages and the indicator form pass axe-core."""

import re

from playwright.sync_api import expect

from ctg.plans import services
from ctg.plans.models import BudgetLine, IndicatorValue, PlanIndicator
from tests.conftest import PASSWORD

from .axe import assert_accessible


def _fiche(world):
    actor = world.users["coordination"]
    enjeu = services.enjeu_create(ctg=world.ctg, actor=actor, title="Accès aux modes d'accueil")
    strategic = services.strategic_objective_create(enjeu=enjeu, actor=actor, title="Développer l'offre")
    operational = services.operational_objective_create(
        strategic=strategic, actor=actor, title="Ouvrir une micro-crèche"
    )
    fiche = services.fiche_create(
        ctg=world.ctg, actor=actor, title="Micro-crèche du bourg", objectives=[operational]
    )
    services.budget_set(fiche=fiche, actor=actor, year=2026, funder="caf", planned="1200", spent="")
    services.budget_set(fiche=fiche, actor=actor, year=2026, funder="epci", planned="800", spent="")
    indicator = services.indicator_create(fiche=fiche, actor=actor, label="Places créées", unit="places")
    services.indicator_value_set(indicator=indicator, actor=actor, year=2026, kind="target", value="10")
    return fiche, indicator


def test_coordination_deletes_a_line_edits_and_deletes_an_indicator(
    transactional_db, world, page, live_server, login
):
    fiche, indicator = _fiche(world)
    login(world.users["coordination"].email, PASSWORD)
    page.goto(f"{live_server.url}/plan/ctg/{world.ctg.pk}/fiches/{fiche.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Micro-crèche du bourg"))
    budget = page.locator("table").filter(has_text="Financeur")
    expect(budget).to_contain_text("EPCI")
    assert_accessible(page, "Fiche action avec ses boutons de suppression")

    # Deleting the CAF 2026 line: a confirmation page first, then the fiche again without it.
    page.get_by_role("link", name="Supprimer la ligne CAF 2026").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supprimer la ligne de budget « CAF 2026 »")
    expect(page.get_by_text("Prévu : 1200 €, réalisé : 0 €.")).to_be_visible()
    assert_accessible(page, "Confirmation de la suppression d'une ligne de budget")
    assert BudgetLine.objects.filter(fiche=fiche).count() == 2
    page.get_by_role("button", name="Supprimer la ligne de budget").click()
    expect(page.get_by_text("La ligne de budget « CAF 2026 » est supprimée.")).to_be_visible()
    expect(page.get_by_role("link", name="Supprimer la ligne CAF 2026")).to_have_count(0)
    expect(page.get_by_role("link", name="Supprimer la ligne EPCI 2026")).to_be_visible()
    history = page.locator("table").filter(has_text="Avant → après")
    expect(history).to_contain_text(
        "Ligne de budget supprimée de « Micro-crèche du bourg » : budget 2026 CAF"
    )
    assert list(BudgetLine.objects.filter(fiche=fiche).values_list("funder", flat=True)) == ["epci"]

    # Renaming the indicator; a first try with an empty label is refused.
    page.get_by_role("link", name="Modifier l'indicateur « Places créées »").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modifier l'indicateur « Places créées »")
    assert_accessible(page, "Modification d'un indicateur")
    page.locator("#id_indicateur-label").fill("")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Ce champ est obligatoire.")).to_be_visible()
    assert_accessible(page, "Modification d'un indicateur avec une erreur")
    page.locator("#id_indicateur-label").fill("Places d'accueil créées")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("L'indicateur est enregistré.")).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile("Places d'accueil créées \\(places\\)"))
    ).to_be_visible()
    assert PlanIndicator.objects.get(pk=indicator.pk).label == "Places d'accueil créées"

    # Deleting the indicator, with its target value.
    page.get_by_role("link", name="Supprimer l'indicateur « Places d'accueil créées »").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Supprimer l'indicateur « Places d'accueil créées »"
    )
    expect(page.get_by_text("Sa valeur saisie (cible ou réalisée) sera supprimée aussi.")).to_be_visible()
    assert_accessible(page, "Confirmation de la suppression d'un indicateur")
    page.get_by_role("button", name="Supprimer l'indicateur").click()
    expect(page.get_by_text("L'indicateur « Places d'accueil créées » est supprimé.")).to_be_visible()
    expect(page.get_by_text("Aucun indicateur.")).to_be_visible()
    expect(history).to_contain_text(
        "Indicateur supprimé de « Micro-crèche du bourg » : « Places d'accueil créées »"
    )
    assert not PlanIndicator.objects.filter(pk=indicator.pk).exists()
    assert not IndicatorValue.objects.filter(indicator_id=indicator.pk).exists()
    assert_accessible(page, "Fiche action après les suppressions")
