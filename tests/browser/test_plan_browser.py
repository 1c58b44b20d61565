"""The coordination builds a plan d'action in Chromium: an enjeu, a strategic and an operational objective, a
fiche under it; opens the fiche, changes its status, and reads the numbering and the history. The tree, the
fiche page and the fiche form pass axe-core."""

import re

from playwright.sync_api import expect

from ctg.plans.models import FicheAction
from tests.conftest import PASSWORD

from .axe import assert_accessible


def test_coordination_builds_a_plan(transactional_db, world, page, live_server, login):
    login(world.users["coordination"].email, PASSWORD)

    page.goto(f"{live_server.url}/ctg/{world.ctg.pk}/")
    page.get_by_role("link", name="Plan d'action").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan d'action")
    expect(page.get_by_text("Le plan d'action ne contient encore aucun enjeu.")).to_be_visible()

    page.get_by_role("link", name="Ajouter un enjeu").click()
    page.locator("#id_title").fill("Accès aux modes d'accueil")
    page.get_by_text("Petite enfance (0-3 ans)").click()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("L'enjeu est ajouté.")).to_be_visible()
    expect(page.get_by_role("heading", name="Enjeu 1 — Accès aux modes d'accueil")).to_be_visible()

    page.get_by_role("link", name=re.compile("Ajouter un objectif stratégique")).click()
    page.locator("#id_title").fill("Développer l'offre d'accueil")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Objectif 1.1 — Développer l'offre d'accueil")).to_be_visible()

    page.get_by_role("link", name=re.compile("Ajouter un objectif opérationnel")).click()
    page.locator("#id_title").fill("Ouvrir une micro-crèche")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="1.1.1 — Ouvrir une micro-crèche")).to_be_visible()

    page.get_by_role("link", name=re.compile("Ajouter une fiche action")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle fiche action")
    assert_accessible(page, "Nouvelle fiche action")
    page.locator("#id_title").fill("Micro-crèche du bourg")
    page.locator("#id_pilot_person").fill("Claire Martin")
    page.get_by_text("Toutes les communes du territoire").click()  # nothing is chosen for the coordinator
    page.get_by_role("button", name="Enregistrer la fiche").click()
    expect(page.get_by_text("La fiche action est créée.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fiche 1.1.1 — Micro-crèche du bourg")
    expect(page.get_by_text("Objectif opérationnel 1.1.1 — Ouvrir une micro-crèche")).to_be_visible()
    assert_accessible(page, "Fiche action")

    page.get_by_role("link", name="Modifier la fiche").click()
    assert_accessible(page, "Modification de la fiche action")
    page.locator("#id_status").select_option(label="En cours")
    page.get_by_role("button", name="Enregistrer la fiche").click()
    expect(page.get_by_text("La fiche action est enregistrée.")).to_be_visible()
    expect(page.locator(".fr-badges-group")).to_contain_text("En cours")
    history = page.locator("table").filter(has_text="Fiche action créée")
    expect(history).to_contain_text("« À venir » → « En cours »")
    assert FicheAction.objects.get(title="Micro-crèche du bourg").status == "en_cours"

    page.locator("#id_budget-year").fill("2026")
    page.locator("#id_budget-funder").select_option(label="CAF")
    page.locator("#id_budget-planned").fill("1200")
    page.get_by_role("button", name="Enregistrer la ligne de budget").click()
    expect(page.get_by_text("La ligne de budget est enregistrée.")).to_be_visible()
    expect(page.locator("table").filter(has_text="Financeur")).to_contain_text(re.compile(r"1\s200,00 €"))

    page.get_by_role("link", name="Retour au plan d'action").click()
    expect(page.get_by_role("link", name="Fiche 1.1.1 — Micro-crèche du bourg")).to_be_visible()
    expect(page.get_by_text("1 fiche action").first).to_be_visible()
    assert_accessible(page, "Plan d'action")
