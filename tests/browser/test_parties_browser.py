"""The parties of a convention in Chromium: the organisation select is grouped and searchable (the search
input filters its options), a commune of the territory signs directly, and one date is recorded for several
parties at once."""

import html

from ctg.conventions.models import Signatory
from ctg.organisations.models import Organisation
from tests.conftest import PASSWORD
from tests.factories import OrganisationFactory, SignatoryFactory
from tests.test_permission_matrix import _drafted_signatory

from .axe import assert_accessible


def _visible_options(page, select) -> list[str]:
    return page.eval_on_selector_all(
        f"{select} option",
        "options => options.filter(o => !o.hidden && o.value).map(o => o.textContent.trim())",
    )


def test_search_the_select_then_sign_together(transactional_db, world, page, live_server, login):
    ctg = world.ctg
    tarn = ctg.caf.departement
    OrganisationFactory(kind=Organisation.Kind.SERVICE_DEPARTEMENT, name="PMI du Tarn", departement=tarn)
    for n in range(8):
        OrganisationFactory(kind=Organisation.Kind.ASSOCIATION, name=f"Association {n}", departement=tarn)
    OrganisationFactory(
        kind=Organisation.Kind.DEPARTEMENT,
        name="Conseil départemental de l'Aude",
        departement=world.other_ctg.caf.departement,
    )
    _drafted_signatory(world)  # a dossier whose signatures may be recorded (the matrix's own set-up)
    Signatory.objects.filter(ctg=ctg).delete()
    SignatoryFactory(ctg=ctg, organisation=ctg.caf, signer_name="Anne Lefèvre", position=0)
    login(world.users["coordination"].email, PASSWORD)

    page.goto(f"{live_server.url}/ctg/{ctg.pk}/parties/")
    assert_accessible(page, "Signataires et partenaires, liste filtrable")
    options = _visible_options(page, "#id_signataire_organisation")
    assert "PMI du Tarn" in options and "Conseil départemental de l'Aude" not in options
    page.get_by_label("Rechercher dans « Organisation signataire »").fill("pmi")
    assert _visible_options(page, "#id_signataire_organisation") == ["PMI du Tarn"]

    # A commune of the territory signs directly.
    commune = ctg.communes.order_by("code").first()
    page.get_by_label("Rechercher dans « Organisation signataire »").fill(commune.name)
    page.select_option("#id_signataire_organisation", value=f"commune:{commune.code}")
    page.get_by_label("Nom du signataire").fill("Camille Maire")
    page.get_by_label("Qualité").first.fill("Maire")
    with page.expect_navigation():
        page.get_by_role("button", name="Ajouter le signataire").click()
    assert "Le signataire est ajouté." in html.unescape(page.content())
    mayor = Signatory.objects.get(ctg=ctg, signer_name="Camille Maire")
    assert mayor.organisation.commune == commune

    # One date for both parties.
    page.get_by_label("Anne Lefèvre", exact=False).check(force=True)
    page.get_by_label("Camille Maire", exact=False).check(force=True)
    page.locator("#id_signatures-signed_on").fill("2025-02-08")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer les signatures").click()
    assert "2 signatures enregistrées le 08/02/2025." in html.unescape(page.content())
    signed = Signatory.objects.filter(ctg=ctg).values_list("signed_on", flat=True)
    assert [str(day) for day in signed] == ["2025-02-08", "2025-02-08"]
    assert page.content().count("Signé le 08/02/2025") == 2
    assert_accessible(page, "Signataires signés ensemble")
