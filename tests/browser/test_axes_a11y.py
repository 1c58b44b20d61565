"""The pages of the axes of the Schéma départemental des services aux familles (issue 14) render in Chromium
and pass axe-core (no serious or critical violation): the list with its coverage table (the CAF, then the
Département's services, read only), the form (empty and with its errors), the deletion of a cited axis, and
the enjeu's form with the axes' checkboxes; the CAF adds an axis from the form."""

from ctg.organisations.models import Organisation, SchemaAxis
from ctg.organisations.schema_axes import axis_create
from ctg.plans.services.schema_axes import enjeu_axes_set
from tests.conftest import PASSWORD
from tests.factories import OrganisationFactory, UserFactory
from tests.plans.factories import EnjeuFactory

from .axe import assert_accessible


def test_axes_pages_are_accessible(transactional_db, world, page, live_server, login):
    caf = world.ctg.caf
    first = axis_create(actor=None, caf=caf, departement="81", code="1", title="Accueil du jeune enfant")
    axis_create(actor=None, caf=caf, departement="81", code="2", title="Parentalité")
    enjeu = EnjeuFactory(ctg=world.ctg, title="Petite enfance")
    enjeu_axes_set(enjeu=enjeu, axes=[first], actor=None)
    base = f"{live_server.url}/caf/81/axes/"

    login(world.users["pilote_caf"].email, PASSWORD)
    assert page.goto(base).status == 200
    assert page.get_by_role("heading", name="Couverture des axes par les CTG").is_visible()
    assert_accessible(page, "Axes du schéma et couverture (CAF)")
    assert page.goto(f"{base}nouveau/").status == 200
    assert_accessible(page, "Formulaire d'un axe")
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_text("L'intitulé de l'axe est obligatoire.").first.is_visible()
    assert_accessible(page, "Formulaire d'un axe avec ses erreurs")
    page.locator("#id_code").fill("3")
    page.locator("#id_title").fill("Jeunesse")
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_text("L'axe 3 est ajouté.").is_visible()
    assert SchemaAxis.objects.filter(caf=caf, code="3", title="Jeunesse").exists()
    assert page.goto(f"{base}{first.pk}/supprimer/").status == 200
    assert_accessible(page, "Suppression d'un axe cité")
    assert page.goto(f"{live_server.url}/plan/ctg/{world.ctg.pk}/enjeux/{enjeu.pk}/modifier/").status == 200
    assert page.get_by_label("Axe 2 — Parentalité").is_visible()
    assert_accessible(page, "Formulaire d'un enjeu avec les axes du schéma")

    page.context.clear_cookies()
    reader = UserFactory(
        email="enfance@departement.fr",
        organisation=OrganisationFactory(
            kind=Organisation.Kind.SERVICE_DEPARTEMENT,
            name="Direction enfance famille",
            departement=caf.departement,
        ),
    )
    login(reader.email, PASSWORD)
    assert page.goto(base).status == 200
    assert not page.get_by_role("link", name="Ajouter un axe").count()
    assert_accessible(page, "Axes du schéma et couverture (services du Département)")
