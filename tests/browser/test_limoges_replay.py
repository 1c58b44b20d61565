"""Limoges Métropole's CTG replayed through the UI only: a CAF adviser of the CAF de la Haute-Vienne creates
the dossier on Limoges Métropole minus Limoges, adds the CAF and the EPCI as signatories, records the
accord-cadre signed by both on 21 November 2022 while the dossier is still in préparation, moves it to
diagnostic with a month-only milestone, runs the governance (a coordination committee, a held meeting with a
decision, ateliers), then moves to the plan d'action and adds the avenant that brings it. Every main page
passes axe-core on the way."""

import datetime
import html
import re

from playwright.sync_api import expect

from ctg.conventions.models import Agreement, Ctg, DatePrecision, Phase
from ctg.organisations.models import Organisation
from tests.conftest import PASSWORD
from tests.conventions.test_territory import Limoges
from tests.factories import OrganisationFactory

from .axe import assert_accessible

TITLE = "CTG Limoges Métropole 2023-2026"


def _text(page) -> str:
    return html.unescape(page.content())


def test_limoges_metropole_replayed_through_the_ui(transactional_db, page, live_server, login):
    limoges = Limoges()
    epci_org = OrganisationFactory(
        kind=Organisation.Kind.EPCI,
        name="Limoges Métropole",
        epci=limoges.epci,
        departement=limoges.departement,
    )
    login(limoges.adviser.email, PASSWORD)

    # 1. The dossier on the EPCI minus Limoges.
    page.goto(f"{live_server.url}/ctg/")
    page.get_by_role("link", name="Nouveau dossier CTG").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouveau dossier CTG")
    assert_accessible(page, "Création d'un dossier")
    page.get_by_label("Intitulé").fill(TITLE)
    page.get_by_text("L'EPCI sauf certaines communes", exact=True).click()  # the label takes the click
    page.locator("#id_epci").select_option(label="Limoges Métropole")
    page.locator("#id_excluded_codes").fill("Limoges")
    page.get_by_label("Année de début").fill("2023")
    page.get_by_label("Année de fin").fill("2026")
    page.get_by_text("Petite enfance (0-3 ans)").click()
    page.get_by_role("button", name="Créer le dossier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("Limoges Métropole, communes membres hors Limoges").first).to_be_visible()
    ctg = Ctg.objects.get(title=TITLE)
    assert ctg.epci == limoges.epci and list(ctg.excluded_communes.all()) == [limoges["Limoges"]]
    assert limoges["Limoges"] not in ctg.communes.all() and ctg.communes.count() == 5
    assert ctg.phase == Phase.PREPARATION

    # 2. The agreement kind, chosen before the first signature, then the signatories and their signature.
    page.get_by_role("link", name="Modifier", exact=True).first.click()
    page.get_by_text("Accord-cadre", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer").first.click()
    ctg.refresh_from_db()
    assert ctg.agreement == Agreement.ACCORD_CADRE

    page.goto(f"{live_server.url}/ctg/{ctg.pk}/parties/")
    for organisation, signer, capacity in (
        (limoges.caf, "Anne Lefèvre", "Directrice"),
        (epci_org, "Guillaume Guérin", "Président"),
    ):
        select = page.locator("#id_signataire_organisation")
        group = select.locator("optgroup").filter(has=page.locator(f"option[value='{organisation.pk}']"))
        expect(group).to_have_count(1)
        select.select_option(value=str(organisation.pk))
        page.locator("#id_signataire_signer_name").fill(signer)
        page.locator("#id_signataire_signer_capacity").fill(capacity)
        with page.expect_navigation():
            page.get_by_role("button", name="Ajouter le signataire").click()
        expect(page.get_by_role("cell", name=organisation.name, exact=False).first).to_be_visible()
    assert list(ctg.signatories.values_list("organisation", flat=True)) == [limoges.caf.pk, epci_org.pk]
    # The select offers the organisations of the territory only: the EPCI is now a signatory, gone from it.
    expect(page.locator(f"#id_signataire_organisation option[value='{epci_org.pk}']")).to_have_count(0)
    assert_accessible(page, "Parties à signer")

    form = page.locator("form").filter(has=page.get_by_role("button", name="Enregistrer les signatures"))
    for checkbox in form.get_by_role("checkbox").all():
        checkbox.check(force=True)
    form.get_by_label("Date de signature").fill("2022-11-21")
    with page.expect_navigation():
        form.get_by_role("button", name="Enregistrer les signatures").click()
    assert _text(page).count("Signé le 21/11/2022") == 2
    assert_accessible(page, "Parties signées")
    ctg.refresh_from_db()
    assert [s.signed_on for s in ctg.signatories.all()] == [datetime.date(2022, 11, 21)] * 2
    assert ctg.phase == Phase.PREPARATION

    page.goto(f"{live_server.url}/ctg/{ctg.pk}/")
    expect(page.get_by_text("Accord-cadre signé le 21 novembre 2022").first).to_be_visible()
    assert_accessible(page, "Synthèse et barre d'étapes")

    # 3. Diagnostic, with a month-only milestone.
    with page.expect_navigation():
        page.get_by_role("button", name="Passer à « Diagnostic »").click()
    ctg.refresh_from_db()
    assert ctg.phase == Phase.DIAGNOSTIC
    page.get_by_role("link", name="Calendrier").first.click()
    page.locator("#id_kind").select_option(label="Lancement du diagnostic")
    page.get_by_label("Intitulé").fill("Lancement du diagnostic")
    # The month is typed as its help text suggests (a text field: Chromium keeps what is typed).
    page.locator("#id_month").fill("octobre 2023")
    with page.expect_navigation():
        page.get_by_role("button", name="Ajouter le jalon").click()
    expect(page.get_by_text("Le jalon est ajouté.")).to_be_visible()
    timeline = page.locator("ol.ctg-timeline")
    expect(timeline).to_contain_text("octobre 2023")
    launch = ctg.milestones.get(title="Lancement du diagnostic")
    assert (launch.date_precision, launch.date.year, launch.date.month) == (DatePrecision.MONTH, 2023, 10)
    page.locator("#id_kind").select_option(label="Recrutement du chargé de coopération")
    page.get_by_label("Intitulé").fill("Recrutement du chargé de coopération")
    page.locator("#id_date").fill("2023-11-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Ajouter le jalon").click()
    expect(page.get_by_text("Le jalon est ajouté.")).to_be_visible()
    expect(timeline).to_contain_text(re.compile(r"1(er)? novembre 2023"))
    assert ctg.milestones.get(title="Recrutement du chargé de coopération").date == datetime.date(2023, 11, 1)
    expect(timeline).to_contain_text("Recrutement du chargé de coopération")
    assert_accessible(page, "Calendrier")

    # 4. Governance: the coordination committee, its past meeting held with a decision, then the ateliers.
    page.get_by_role("link", name="Gouvernance", exact=True).click()
    page.get_by_role("link", name="Ajouter une instance").click()
    page.locator("#id_kind").select_option(label="Comité de coordination")
    page.locator("#id_name").fill("Comité de coordination")
    page.get_by_role("button", name="Enregistrer l'instance").click()
    expect(page.get_by_text("L'instance « Comité de coordination » est créée.")).to_be_visible()
    page.get_by_role("link", name="Planifier une réunion de l'instance « Comité de coordination »").click()
    page.locator("#id_title").fill("Restitution du portrait")
    page.locator("#id_starts_at").fill("2024-03-11T14:00")
    page.locator("#id_place").fill("Limoges Métropole, salle du conseil")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer la réunion").click()
    expect(
        page.get_by_text(re.compile(r"La réunion « .*Restitution du portrait.* » est planifiée"))
    ).to_be_visible()
    page.get_by_role("button", name="Marquer comme tenue").click()
    expect(page.get_by_text("La réunion est marquée comme tenue.")).to_be_visible()
    page.locator("#id_text").fill("Le comité valide le portrait de territoire.")
    page.get_by_role("button", name="Ajouter la décision").click()
    expect(page.get_by_text("La décision est ajoutée.")).to_be_visible()
    expect(page.get_by_text("Le comité valide le portrait de territoire.")).to_be_visible()
    assert_accessible(page, "Réunion tenue")
    meeting = ctg.bodies.get(name="Comité de coordination").meetings.get(title="Restitution du portrait")
    assert meeting.status == meeting.Status.HELD and meeting.decisions.count() == 1

    page.get_by_role("link", name="Gouvernance", exact=True).click()
    page.get_by_role("link", name="Planifier une réunion de l'instance « Comité de coordination »").click()
    page.locator("#id_title").fill("Ateliers")
    page.locator("#id_starts_at").fill("2024-05-23T09:30")
    page.locator("#id_place").fill("Limoges Métropole, salle du conseil")
    page.get_by_role("button", name="Enregistrer la réunion").click()
    expect(page.get_by_text(re.compile(r"La réunion « .*Ateliers.* » est planifiée"))).to_be_visible()

    # 5. The plan d'action, brought by an avenant signed after the accord-cadre.
    page.get_by_role("link", name="Synthèse").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Passer à « Plan d'action »").click()
    ctg.refresh_from_db()
    assert ctg.phase == Phase.PLAN_ACTION
    page.goto(f"{live_server.url}/ctg/{ctg.pk}/parties/")
    page.get_by_label("Objet de l'avenant").fill("Ajout du plan d'action")
    page.get_by_label("Signé le").fill("2024-10-04")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer l'avenant").click()
    expect(page.get_by_text("Ajout du plan d'action").first).to_be_visible()
    avenant = ctg.avenants.get()
    assert (avenant.number, avenant.signed_on) == (1, datetime.date(2024, 10, 4))
    page.goto(f"{live_server.url}/ctg/{ctg.pk}/")
    expect(page.get_by_text("Accord-cadre signé le 21 novembre 2022 · 1 avenant").first).to_be_visible()
