"""The yearly funding convention of the coordinator post in Chromium: the post page with a year at each step
(the DSFR stepper, the steps' list, the versions' downloads), the CAF's signature form, refused then
accepted, and the coordination's request form pass axe-core (no serious or critical violation) and trigger
no Content-Security-Policy violation."""

import datetime
from decimal import Decimal

from playwright.sync_api import Page

from ctg.documents import post_convention
from ctg.post.models import PostFunding
from tests.conftest import PASSWORD
from tests.post.factories import FundingFactory, PostFactory

from .axe import assert_accessible
from .test_csp_browser import CspWatch

D = datetime.date


def test_funding_convention_pages_are_accessible(
    transactional_db, world, page: Page, live_server, login, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    ctg = world.ctg
    post = PostFactory(ctg=ctg)
    FundingFactory(post=post, year=2025, advance_paid=Decimal("11250"))  # a line of before the convention
    funding = FundingFactory(
        post=post,
        year=2026,
        amount_requested=Decimal("24000"),
        requested_on=D(2025, 11, 15),
        amount_agreed=Decimal("22500"),
        decided_on=D(2026, 1, 20),
        advance_rate=50,
        advance_paid=0,
    )
    post_convention.generate(funding=funding, actor=world.users["pilote_caf"])
    base = f"/gouvernance/ctg/{ctg.pk}/poste"
    watch = CspWatch(page, live_server.url)

    login(world.users["pilote_caf"].email, PASSWORD)
    watch.visit(f"{base}/", "Poste et conventions annuelles")
    section = page.locator("#convention-2026")
    assert "Convention à signer" in section.inner_text()
    assert section.get_by_role("link", name="DOCX de la convention 2026, version 1").is_visible()
    assert_accessible(page, "Poste et conventions annuelles (CAF)")

    with page.expect_navigation():
        section.get_by_role("link", name="Enregistrer la signature de la convention 2026").click()
    assert_accessible(page, "Signature de la convention")
    page.locator("#id_signed_on").fill("2099-02-03")
    page.locator("#id_signatories").fill("CAF du Tarn\nCC du Test")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer la signature").click()
    assert "ne peut pas être dans le futur" in page.content()
    assert_accessible(page, "Signature refusée")
    assert PostFunding.objects.get(pk=funding.pk).signed_on is None
    page.locator("#id_signed_on").fill("2026-02-03")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer la signature").click()
    assert "Convention signée" in page.locator("#convention-2026").inner_text()
    assert_accessible(page, "Convention signée")

    with page.expect_navigation():
        page.get_by_role("link", name="Modèle de convention de la CAF").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Modèle de convention de financement")
    assert_accessible(page, "Modèle de convention de financement du poste")

    page.context.clear_cookies()
    login(world.users["coordination"].email, PASSWORD)
    watch.visit(f"{base}/", "Poste (coordination)")
    assert_accessible(page, "Poste et conventions annuelles (coordination)")
    with page.expect_navigation():
        page.get_by_role("link", name="Demander un financement").click()
    assert_accessible(page, "Demande de financement")
    watch.assert_none()
