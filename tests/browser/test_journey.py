"""A CAF adviser creates a dossier on an EPCI, invites a partner, moves it to « diagnostic », adds a
milestone,
then reads the timeline and the history; every page passes axe-core on the way."""

import re

from playwright.sync_api import expect

from ctg.conventions.models import Ctg, Phase
from tests.conftest import PASSWORD

from .axe import assert_accessible


def test_caf_adviser_journey(transactional_db, world, page, live_server, login):
    login(world.users["pilote_caf"].email, PASSWORD)

    page.goto(f"{live_server.url}/ctg/")
    page.get_by_role("link", name="Nouveau dossier CTG").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouveau dossier CTG")
    assert_accessible(page, "Création d'un dossier")
    page.get_by_label("Intitulé").fill("CTG du Test 2031-2034")
    page.locator("label[for=id_territory_type_0]").click()  # « Tout l'EPCI » (the label takes the click)
    page.locator("#id_epci").select_option(label="CC du Test")
    page.get_by_label("Année de début").fill("2031")
    page.get_by_label("Année de fin").fill("2034")
    page.get_by_text("Petite enfance (0-3 ans)").click()
    page.get_by_text("Parentalité").click()
    page.get_by_role("button", name="Créer le dossier").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("CTG du Test 2031-2034")
    expect(page.get_by_text("Le dossier « CTG du Test 2031-2034 » est créé.")).to_be_visible()
    ctg = Ctg.objects.get(title="CTG du Test 2031-2034")
    assert ctg.communes.count() == 3
    assert_accessible(page, "Synthèse du dossier")

    page.get_by_role("link", name="Membres").click()
    page.get_by_label("Adresse électronique").fill("mission.locale@exemple.fr")
    page.locator("#id_last_name").fill("Bernard")
    page.locator("#id_role").select_option(label="Partenaire")
    page.get_by_role("button", name="Inviter").click()
    expect(page.get_by_text("mission.locale@exemple.fr rejoint le dossier comme Partenaire.")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("mission.locale@exemple.fr"))).to_be_visible()
    assert_accessible(page, "Membres")

    page.get_by_role("link", name="Synthèse").click()
    page.get_by_role("button", name="Passer à « Diagnostic »").click()
    expect(page.get_by_text("Le dossier passe à la phase « Diagnostic ».")).to_be_visible()
    ctg.refresh_from_db()
    assert ctg.phase == Phase.DIAGNOSTIC

    page.get_by_role("link", name="Calendrier").first.click()
    page.locator("#id_kind").select_option(label="Lancement du diagnostic")
    page.get_by_label("Intitulé").fill("Premier atelier du diagnostic")
    page.get_by_label("Date").fill("2031-02-03")
    page.get_by_role("button", name="Ajouter le jalon").click()
    expect(page.get_by_text("Le jalon est ajouté.")).to_be_visible()
    timeline = page.locator("ol.ctg-timeline")
    expect(timeline).to_contain_text("3 février 2031")
    expect(timeline).to_contain_text("Premier atelier du diagnostic")
    assert_accessible(page, "Calendrier")

    page.get_by_role("link", name="Historique").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text("Création du dossier « CTG du Test 2031-2034 »")
    expect(table).to_contain_text("Invitation de")
    expect(table).to_contain_text("Phase : Préparation → Diagnostic")
    expect(table).to_contain_text("Jalon ajouté")
    expect(table).to_contain_text(str(world.users["pilote_caf"]))
    assert_accessible(page, "Historique")
