"""The coordination steers the dossier in Chromium: creates a COPIL with a member, schedules a meeting,
sends the invitation, marks it held, notes attendance, writes the minutes, adds a decision changing a fiche's
status, applies it, and sees the decision in the fiche's history. The governance index, the forms and the
meeting page pass axe-core."""

import datetime
import re

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from ctg.governance.models import Meeting, Participant
from ctg.plans.models import FicheAction
from tests.conftest import PASSWORD
from tests.plans.factories import FicheFactory

from .axe import assert_accessible


def test_coordination_runs_a_copil(transactional_db, world, page, live_server, login):
    ctg = world.ctg
    fiche = FicheFactory(ctg=ctg, title="Relais petite enfance")
    login(world.users["coordination"].email, PASSWORD)

    page.goto(f"{live_server.url}/ctg/{ctg.pk}/")
    page.get_by_role("link", name="Gouvernance", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gouvernance")
    expect(page.get_by_text("Aucune instance n'est encore déclarée.")).to_be_visible()
    assert_accessible(page, "Gouvernance (vide)")

    page.get_by_role("link", name="Ajouter une instance").click()
    assert_accessible(page, "Formulaire d'instance")
    page.locator("#id_kind").select_option(label="Comité de pilotage (COPIL)")
    page.locator("#id_name").fill("COPIL de la CTG")
    page.locator("#id_role").fill("Valide le plan d'action, deux fois par an.")
    page.get_by_role("button", name="Enregistrer l'instance").click()
    expect(page.get_by_text("L'instance « COPIL de la CTG » est créée.")).to_be_visible()

    page.get_by_role("link", name="Ajouter un membre à l'instance « COPIL de la CTG »").click()
    assert_accessible(page, "Formulaire de membre")
    page.locator("#id_organisation").select_option(label="CAF du Tarn")
    page.locator("#id_person_name").fill("Alix Martin")
    page.locator("#id_capacity").fill("Directrice")
    page.locator("#id_email").fill("alix.martin@caf.fr")
    page.get_by_role("button", name="Enregistrer le membre").click()
    expect(page.get_by_text("Alix Martin est membre de « COPIL de la CTG ».")).to_be_visible()
    expect(page.get_by_role("cell", name="Alix Martin alix.martin@caf.fr")).to_be_visible()
    assert_accessible(page, "Gouvernance avec une instance")

    page.get_by_role("link", name="Planifier une réunion de l'instance « COPIL de la CTG »").click()
    assert_accessible(page, "Formulaire de réunion")
    start = timezone.localtime(timezone.now() - datetime.timedelta(days=2)).replace(hour=14, minute=0)
    page.locator("#id_title").fill("Lancement")
    page.locator("#id_starts_at").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_place").fill("Mairie, salle du conseil")
    page.locator("#id_agenda").fill("1. Diagnostic\n2. Plan d'action")
    page.get_by_role("button", name="Enregistrer la réunion").click()
    expect(page.get_by_text("La réunion « Lancement » est planifiée.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("COPIL de la CTG")
    assert_accessible(page, "Réunion prévue")

    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_text("L'invitation est envoyée à 1 personne.")).to_be_visible()
    assert [m.to for m in mail.outbox] == [["alix.martin@caf.fr"]]
    assert mail.outbox[0].attachments[0][0] == "invitation.ics"

    page.get_by_role("button", name="Marquer comme tenue").click()
    expect(page.get_by_text("La réunion est marquée comme tenue.")).to_be_visible()

    page.get_by_label("Présence de Alix Martin (CAF du Tarn)").select_option(label="Présent·e")
    page.get_by_role("button", name="Enregistrer les présences").click()
    expect(page.get_by_text("Les présences sont enregistrées.")).to_be_visible()
    expect(page.get_by_role("cell", name="Présent·e")).to_be_visible()

    page.locator("#id_minutes").fill("Le comité lance le relais petite enfance.")
    page.get_by_role("button", name="Enregistrer le compte rendu").click()
    expect(page.get_by_text("Le compte rendu est enregistré.")).to_be_visible()

    page.locator("#id_text").fill("Le relais petite enfance démarre.")
    page.locator("#id_kind").select_option(label="Changer le statut d'une fiche action")
    page.locator("#id_fiche").select_option(value=str(fiche.pk))
    page.locator("#id_status").select_option(label="En cours")
    page.get_by_role("button", name="Ajouter la décision").click()
    expect(page.get_by_text("La décision est ajoutée.")).to_be_visible()
    expect(
        page.get_by_text("Effet sur le plan : Statut de la fiche « Relais petite enfance » : En cours")
    ).to_be_visible()
    assert_accessible(page, "Réunion tenue avec une décision")

    page.get_by_role("button", name="Appliquer au plan").click()
    expect(page.get_by_text("La décision est appliquée au plan d'action.")).to_be_visible()
    expect(page.get_by_text(re.compile("Appliquée le"))).to_be_visible()

    meeting = Meeting.objects.get()
    assert meeting.status == Meeting.Status.HELD
    assert meeting.participants.get().attendance == Participant.Attendance.PRESENT
    fiche.refresh_from_db()
    assert fiche.status == FicheAction.Status.EN_COURS

    page.get_by_role("link", name="voir la fiche").click()
    history = page.locator("table").filter(has_text="Modifications de la fiche")
    day = timezone.localtime(meeting.starts_at).strftime("%d/%m/%Y")
    decision_line = page.get_by_role(
        "link", name=f"Décision du COPIL de la CTG du {day} : Le relais petite enfance démarre."
    )
    expect(decision_line).to_be_visible()
    expect(history).to_contain_text("« À venir » → « En cours »")
    decision_line.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("COPIL de la CTG")
