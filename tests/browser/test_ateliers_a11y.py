"""The ateliers' pages render in Chromium and pass axe-core (no serious or critical violation): the list, the
form (and its errors), the atelier's page with registrations, attendance, contributions, the dot vote and a
finding, for its organiser and for a partner; the partner adds a contribution from the page."""

import datetime

from ctg.ateliers import services
from ctg.ateliers.models import Contribution
from ctg.offer.services import structure_create
from tests.ateliers.factories import FindingFactory
from tests.conftest import PASSWORD

from .axe import assert_accessible


def _atelier(world):
    ctg = world.ctg
    commune = ctg.communes.order_by("code").first()
    values = {"type": "eaje_micro_creche", "name": "Micro-crèche du Test", "commune": commune}
    structure_create(actor=None, values={**values, "capacity": 12, "source": "saisie"})
    pilot = world.users["pilote_caf"]
    atelier = services.atelier_create(
        ctg=ctg,
        actor=pilot,
        title="Petite enfance",
        themes=["petite_enfance", "parentalite"],
        date=datetime.date(2024, 5, 23),
        start_time=datetime.time(14),
        end_time=datetime.time(16, 30),
        commune=commune,
        address="Salle des fêtes",
        capacity=20,
        description="Accueil, présentation des chiffres, tables rondes.",
        status="tenu",
    )
    alex = services.registration_add(
        atelier=atelier, actor=pilot, person_name="Alex Martin", status="inscrit", consent_listed=True
    )
    services.registration_add(atelier=atelier, actor=pilot, person_name="Sam Durand", status="invite")
    services.attendance_set(
        atelier=atelier,
        actor=pilot,
        registrations=[alex.pk],
        members=[world.users["referent_communal"].pk],
    )
    contribution = services.contribution_add(
        atelier=atelier, actor=pilot, text="Trop peu de places le mercredi", theme="petite_enfance"
    )
    services.finding_from_atelier(
        atelier=atelier,
        actor=pilot,
        values={"kind": "besoin", "title": "Places du mercredi insuffisantes"},
        contribution=contribution,
    )
    finding = FindingFactory(ctg=ctg, title="Horaires des crèches trop courts")
    services.dot_vote_set(atelier=atelier, actor=pilot, finding=finding, dots=7)
    services.report_set(atelier=atelier, actor=pilot, report="Synthèse des échanges.")
    return atelier


def test_ateliers_pages_are_accessible(transactional_db, world, page, live_server, login):
    ctg = world.ctg
    atelier = _atelier(world)
    base = f"{live_server.url}/diagnostic/ctg/{ctg.pk}/ateliers/"

    login(world.users["coordination"].email, PASSWORD)
    assert page.goto(base).status == 200
    assert page.get_by_role("link", name="Petite enfance").is_visible()
    assert_accessible(page, "Liste des ateliers")

    assert page.goto(f"{base}ajouter/").status == 200
    assert_accessible(page, "Formulaire d'atelier")
    page.get_by_label("Intitulé").fill("Jeunesse")
    page.get_by_role("button", name="Enregistrer l'atelier").click()
    assert page.get_by_text("Indiquez la date ou, si le jour n'est pas connu, le mois.").is_visible()
    assert_accessible(page, "Formulaire d'atelier avec ses erreurs")

    assert page.goto(f"{base}{atelier.pk}/").status == 200
    assert page.get_by_role("heading", name="Besoins et offre des thématiques de l'atelier").is_visible()
    assert page.get_by_role("table", name="Constats classés par nombre de gommettes").is_visible()
    assert_accessible(page, "Page de l'atelier (organisation)")

    page.context.clear_cookies()
    login(world.users["partenaire"].email, PASSWORD)
    assert page.goto(f"{base}{atelier.pk}/").status == 200
    assert_accessible(page, "Page de l'atelier (partenaire)")
    page.get_by_label("Contribution", exact=True).fill("Un lieu d'accueil parents-enfants manque")
    page.get_by_role("button", name="Ajouter la contribution").click()
    page.wait_for_url(f"{base}{atelier.pk}/#contributions")
    assert page.get_by_text("La contribution est ajoutée.").is_visible()
    assert Contribution.objects.filter(atelier=atelier, created_by=world.users["partenaire"]).exists()
    assert_accessible(page, "Page de l'atelier après une contribution")
