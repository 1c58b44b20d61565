"""The yearly funding convention's surfaces of the XSS audit (tests/security/test_xss_surfaces.py's payloads
and checks): the dossier's title, the person, the missions, the employer and the signatories typed with every
payload come back escaped in the post page, and as literal text in the generated DOCX and PDF (the footer's
CSS string included); `{{ 7*7 }}` is never run."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from ctg.post.models import PostFunding
from tests.factories import OrganisationFactory
from tests.post.factories import FundingFactory, PostFactory
from tests.security.test_xss_surfaces import PAYLOADS, P, check_docx, check_html, check_pdf

D = datetime.date


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_payloads_are_escaped_in_the_page_the_docx_and_the_pdf(client, world):
    ctg = world.ctg
    ctg.title = P
    ctg.save()
    employer = OrganisationFactory(name=f"{P} employeur")
    post = PostFactory(ctg=ctg, person_name=P, missions=P, employer=employer)
    FundingFactory(
        post=post,
        year=2026,
        amount_requested=Decimal("24000"),
        requested_on=D(2025, 11, 15),
        amount_agreed=Decimal("22500"),
        decided_on=D(2026, 1, 20),
        advance_rate=50,
        advance_paid=0,
    )
    client.force_login(world.users["pilote_caf"])
    kwargs = {"pk": ctg.pk, "year": 2026}
    assert client.post(reverse("documents:post_convention_generate", kwargs=kwargs)).status_code == 302
    # The signatories typed in the form (the form path: DsfrForm cleans, the service stores).
    response = client.post(
        reverse("post:convention_sign", kwargs=kwargs), {"signed_on": "2026-02-03", "signatories": P}
    )
    assert response.status_code == 302
    assert PostFunding.objects.get(post=post, year=2026).signatories == P

    page = client.get(reverse("post:detail", kwargs={"pk": ctg.pk})).content.decode()
    check_html(page, "page du poste (convention annuelle)")

    files = {**kwargs, "number": 1}
    docx = client.get(reverse("documents:post_convention_docx", kwargs=files))
    check_docx(b"".join(docx.streaming_content), "convention de financement du poste (DOCX)")
    pdf = client.get(reverse("documents:post_convention_pdf", kwargs=files))
    check_pdf(b"".join(pdf.streaming_content), "convention de financement du poste (PDF)", "CTG — ")
    assert len(PAYLOADS) == 7
