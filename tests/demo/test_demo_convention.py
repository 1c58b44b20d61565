"""The demo dossier of issue 5: signed by every party (dated, with a fictitious signed copy)."""

from io import BytesIO

from django.core.management import call_command
from pypdf import PdfReader

from ctg.conventions.models import Ctg
from tests.demo.test_load_demo import albigeois  # noqa: F401


def test_demo_is_signed_by_every_party_with_fictitious_copies(albigeois):  # noqa: F811
    call_command("load_demo")
    ctg = Ctg.objects.get()
    signatories = list(ctg.signatories.select_related("organisation"))
    assert len(signatories) == 3 and all(s.signed_on for s in signatories)
    caf = next(s for s in signatories if s.organisation_id == ctg.caf_id)
    assert ctg.signature_date == caf.signed_on  # the CAF signs last
    assert all(s.signed_on.year == ctg.start_year for s in signatories)
    text = PdfReader(BytesIO(caf.signed_scan.read())).pages[0].extract_text()
    assert "fictif" in text and caf.signer_name in text
