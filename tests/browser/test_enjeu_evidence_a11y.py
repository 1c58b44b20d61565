"""The enjeu's page with a cited row of « Besoins et offre » renders in Chromium and passes axe-core (no
serious or critical violation), for a reader and for an editor (with the forms to cite and remove); the
editor cites a second row from the page."""

from ctg.offer.services import structure_create
from ctg.plans.models import Enjeu
from ctg.plans.services.evidence import evidence_cite
from tests.conftest import PASSWORD
from tests.plans.factories import EnjeuFactory

from .axe import assert_accessible


def test_enjeu_page_with_a_cited_row_is_accessible(transactional_db, world, page, live_server, login):
    ctg = world.ctg
    commune = ctg.communes.order_by("code").first()
    values = {"type": "eaje_micro_creche", "name": "Micro-crèche du Test", "commune": commune}
    structure_create(actor=None, values={**values, "capacity": 12, "source": "saisie"})
    enjeu = EnjeuFactory(ctg=ctg, title="Accès aux modes d'accueil", fields=["petite_enfance"])
    evidence_cite(enjeu=enjeu, actor=None, field="petite_enfance", territory=ctg.epci_id)
    # The inventory changes after the citation: the page shows the current figure beside the cited one.
    values = {"type": "eaje_multi_accueil", "name": "Multi-accueil du Test", "commune": commune}
    structure_create(actor=None, values={**values, "capacity": 20, "source": "saisie"})
    url = f"{live_server.url}/plan/ctg/{ctg.pk}/enjeux/{enjeu.pk}/"

    login(world.users["lecture"].email, PASSWORD)
    response = page.goto(url)
    assert response.status == 200
    assert page.get_by_role("heading", name="Constats chiffrés de l'offre").is_visible()
    assert page.get_by_text("a changé depuis :").first.is_visible()
    assert_accessible(page, "Page de l'enjeu (lecture)")

    page.context.clear_cookies()
    login(world.users["coordination"].email, PASSWORD)
    assert page.goto(url).status == 200
    assert_accessible(page, "Page de l'enjeu (coordination)")
    page.get_by_label("Champ d'intervention").select_option("jeunesse")
    page.get_by_role("button", name="Citer ce constat").click()
    page.wait_for_url(f"{url}#constats-chiffres")
    assert page.get_by_text("Le constat chiffré est cité.").is_visible()
    assert [c["field"] for c in Enjeu.objects.get(pk=enjeu.pk).needs_evidence] == [
        "petite_enfance",
        "jeunesse",
    ]
    assert_accessible(page, "Page de l'enjeu après une citation")
