# ruff: noqa: F811 (the fixture `past` is imported from tests/conventions/test_renewal.py)
"""The renew page with its choices and the comparison page pass axe-core; a person unchecks a fiche, the
new CTG is created without it and the comparison says it was not carried over."""

from playwright.sync_api import expect

from ctg.conventions.models import Ctg
from tests.conftest import PASSWORD
from tests.conventions.test_renewal import past  # noqa: F401

from .axe import assert_accessible


def test_renew_with_choices_then_compare(transactional_db, world, past, page, live_server, login):
    login(world.users["pilote_caf"].email, PASSWORD)
    page.goto(f"{live_server.url}/ctg/{past['ctg'].pk}/renouveler/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Renouveler la CTG")
    box = page.get_by_role("checkbox", name="Relais petite enfance itinérant")
    expect(box).to_be_checked()
    assert_accessible(page, "Renouveler la CTG, avec ses choix")
    # Unchecking the fiche, its indicators left checked: refused, nothing created, the choices kept.
    box.uncheck(force=True)  # the DSFR label covers the box
    with page.expect_navigation():
        page.get_by_role("button", name="Créer le dossier de renouvellement").click()
    expect(page.get_by_text("Un indicateur n'est repris qu'avec sa fiche action")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Relais petite enfance itinérant")).not_to_be_checked()
    assert Ctg.objects.filter(previous=past["ctg"]).count() == 0
    assert_accessible(page, "Renouvellement refusé, choix gardés")
    for name in ("Places d'accueil", "Familles reçues"):
        page.get_by_role("checkbox", name=name).uncheck(force=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Créer le dossier de renouvellement").click()
    new = Ctg.objects.get(previous=past["ctg"])
    assert not new.fiches.exists() and new.bodies.count() == 1
    page.goto(f"{live_server.url}/plan/ctg/{new.pk}/comparaison/")
    expect(page.get_by_role("heading", level=1)).to_have_text("CTG 2025–2028 / 2029–2032")
    expect(page.get_by_text("0 reprise, 0 nouvelle, 3 non reprises")).to_be_visible()
    assert_accessible(page, "Comparaison des deux CTG")
