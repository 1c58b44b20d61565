"""Signatures in Chromium: the coordination records each party's signature (date and signed copy), then
moves the dossier to « Mise en œuvre », which the home page offers only once everybody has signed."""

import html

from ctg.conventions.models import Ctg, Phase
from ctg.territories import french
from tests.conftest import PASSWORD
from tests.conventions.test_signatures import PDF
from tests.factories import SignatoryFactory

from .axe import assert_accessible


def test_signatures_then_signed_status_in_the_browser(transactional_db, world, page, live_server, login):
    ctg = world.ctg
    Ctg.objects.filter(pk=ctg.pk).update(phase=Phase.PLAN_ACTION)
    caf = SignatoryFactory(ctg=ctg, organisation=ctg.caf, signer_name="Anne Lefèvre", position=0)
    epci = SignatoryFactory(ctg=ctg, signer_name="Jean Dupuis", position=1)
    login(world.users["coordination"].email, PASSWORD)

    page.goto(f"{live_server.url}/ctg/{ctg.pk}/")
    assert f"{caf.organisation} n'a pas encore signé" in page.content()
    assert page.get_by_role("button", name="Passer à « Mise en œuvre »").count() == 0

    page.goto(f"{live_server.url}/ctg/{ctg.pk}/parties/")
    assert_accessible(page, "Signataires à signer")
    for signatory, day in ((epci, "2025-01-30"), (caf, "2025-02-08")):
        link = page.get_by_role(
            "link", name=f"Enregistrer la signature {french.organisation_of(signatory.organisation.name)}"
        )
        with page.expect_navigation():
            link.click()
        assert_accessible(page, "Saisie d'une signature")
        page.get_by_label("Date de signature").fill(day)
        page.get_by_label("Exemplaire signé").set_input_files(
            {"name": "signee.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        with page.expect_navigation():
            page.get_by_role("button", name="Enregistrer la signature").click()
        assert (
            f"La signature {french.organisation_of(signatory.organisation.name)} est enregistrée."
            in html.unescape(page.content())
        )

    assert "Signé le 30/01/2025" in page.content() and "Signé le 08/02/2025" in page.content()
    assert "Convention complète signée le 8 février 2025" in page.content()
    assert_accessible(page, "Signataires signés")

    page.goto(f"{live_server.url}/ctg/{ctg.pk}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Passer à « Mise en œuvre »").click()
    ctg.refresh_from_db()
    assert ctg.phase == Phase.MISE_EN_OEUVRE
    caf.refresh_from_db()
    assert caf.signature_recorded_by == world.users["coordination"]
