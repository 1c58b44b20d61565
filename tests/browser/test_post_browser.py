"""The coordinator post in Chromium: the coordination records the post and prepares and sends the activity
report; the CAF adds the year's funding and accepts the report. Every page and form passes axe-core."""

from decimal import Decimal

from ctg.post.models import ActivityReport, CoordinatorPost, PostFunding
from tests.conftest import PASSWORD

from .axe import assert_accessible


def test_post_funding_and_report_in_the_browser(transactional_db, world, page, live_server, login):
    ctg = world.ctg
    base = f"{live_server.url}/gouvernance/ctg/{ctg.pk}/poste"

    # The coordination records the post.
    login(world.users["coordination"].email, PASSWORD)
    response = page.goto(f"{base}/")
    assert response.ok
    assert page.get_by_role("heading", level=1).inner_text() == "Poste de coordination"
    assert "Le poste de coordination n'est pas renseigné" in page.locator("#missing").inner_text()
    assert_accessible(page, "Poste de coordination (vide)")

    with page.expect_navigation():
        page.get_by_role("link", name="Renseigner le poste").click()
    assert_accessible(page, "Formulaire du poste")
    page.locator("#id_person_name").fill("Claire Martin")
    page.locator("#id_employer").select_option(label="CAF du Tarn")
    page.locator("#id_fte").fill("1,5")
    page.locator("#id_start_date").fill("2025-01-06")
    page.locator("#id_missions").fill("Animer la démarche CTG.")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le poste").click()
    assert "au plus égal à 1" in page.content()
    assert_accessible(page, "Formulaire du poste refusé")
    assert not CoordinatorPost.objects.exists()
    page.locator("#id_fte").fill("1")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le poste").click()
    assert "Claire Martin" in page.locator("#post").inner_text()
    assert "Le financement CAF du poste pour" in page.locator("#missing").inner_text()
    assert_accessible(page, "Poste de coordination renseigné")

    # …prepares and sends the 2025 activity report.
    with page.expect_navigation():
        page.get_by_role("link", name="Rapport 2025").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Rapport d'activité 2025"
    assert_accessible(page, "Rapport d'activité à préparer")
    page.locator("#id_comments").fill("Deux comités de pilotage tenus.")
    page.locator("#id_priorities").fill("Ouvrir l'accueil des 11-14 ans.")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le rapport").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer le rapport à la CAF").click()
    assert "Envoyé le" in page.locator("#report-status").inner_text()
    assert_accessible(page, "Rapport d'activité envoyé")
    report = ActivityReport.objects.get(post__ctg=ctg, year=2025)
    assert report.status == ActivityReport.Status.SENT and report.sent_by == world.users["coordination"]

    # The CAF adds the year's funding and accepts the report.
    page.context.clear_cookies()
    login(world.users["pilote_caf"].email, PASSWORD)
    page.goto(f"{base}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Ajouter un financement").click()
    assert_accessible(page, "Formulaire de financement")
    page.locator("#id_year").fill("2025")
    page.locator("#id_amount_agreed").fill("22 500")
    page.locator("#id_advance_paid").fill("11 250")
    page.locator("#id_balance_paid").fill("30 000")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le financement").click()
    assert "ne peuvent pas dépasser ensemble le montant accordé" in page.content()
    assert_accessible(page, "Formulaire de financement refusé")
    page.locator("#id_balance_paid").fill("11 250")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le financement").click()
    assert "22\u202f500,00 €" in page.locator("#fundings").inner_text()
    assert_accessible(page, "Poste avec son financement")
    assert PostFunding.objects.get(post__ctg=ctg, year=2025).remaining == Decimal("0")

    page.goto(f"{base}/rapport/2025/")
    with page.expect_navigation():
        page.get_by_role("button", name="Accepter le rapport").click()
    status = page.locator("#report-status").inner_text()
    assert "Accepté le" in status and "Ouvrir l'accueil des 11-14 ans." in page.content()
    assert page.get_by_role("button", name="Enregistrer le rapport").count() == 0
    assert_accessible(page, "Rapport d'activité accepté")
    report.refresh_from_db()
    assert report.status == ActivityReport.Status.ACCEPTED and report.accepted_by == world.users["pilote_caf"]
