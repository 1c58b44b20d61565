"""The demo dossier of issue 5: signed by every party (dated, with a fictitious signed copy)."""

from io import BytesIO

from django.core.management import call_command
from pypdf import PdfReader

from ctg.demo.loader import demo_dossier
from tests.demo.test_load_demo import albigeois  # noqa: F401


def test_demo_is_signed_by_every_party_with_fictitious_copies(albigeois):  # noqa: F811
    call_command("load_demo")
    ctg = demo_dossier()
    signatories = list(ctg.signatories.select_related("organisation"))
    assert len(signatories) == 3 and all(s.signed_on for s in signatories)
    caf = next(s for s in signatories if s.organisation_id == ctg.caf_id)
    assert ctg.signature_date == caf.signed_on  # the CAF signs last
    assert all(s.signed_on.year == ctg.start_year for s in signatories)
    text = PdfReader(BytesIO(caf.signed_scan.read())).pages[0].extract_text()
    assert "fictif" in text and caf.signer_name in text


def test_demo_has_its_governance_post_and_generated_convention(albigeois):  # noqa: F811
    from django.utils import timezone

    from ctg.core.models import HistoryEntry
    from ctg.governance.models import Meeting

    call_command("load_demo")
    ctg = demo_dossier()
    bodies = {b.kind: b for b in ctg.bodies.all()}
    assert {"copil", "cotech"} <= set(bodies) and all(bodies[k].members.exists() for k in ("copil", "cotech"))
    past = ctg.meetings.filter(status=Meeting.Status.HELD, starts_at__lt=timezone.now())
    assert past.count() == 3
    assert all(m.minutes and m.decisions.exists() for m in past)
    applied = [d for m in past for d in m.decisions.all() if d.applied_at and d.fiche_id]
    assert len(applied) == 1
    changed = HistoryEntry.objects.caused_by(applied[0]).filter(
        item_type="ficheaction", item_id=applied[0].fiche_id
    )
    assert changed.exists()
    post = ctg.coordinator_post
    # Two yearly fundings recorded as amounts, then the next year followed through its funding convention
    # (requested, decided, generated, signed, advance paid: ctg/demo/post_funding.py).
    fundings = sorted(post.fundings.all(), key=lambda funding: funding.year)
    assert [f.year for f in fundings] == [ctg.start_year, ctg.start_year + 1, ctg.start_year + 2]
    assert [f.follows_convention for f in fundings] == [False, False, True]
    assert fundings[2].signed_on is not None and fundings[2].advance_paid > 0
    version = ctg.convention_versions.order_by("-number").first()
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(version.pdf.read())).pages)
    assert "Anne Lefèvre (fictive)" in text and ctg.period_label in text
    assert ctg.fiches.first().title.split()[0] in text
    call_command("load_demo")  # idempotent: nothing duplicated
    assert ctg.meetings.count() == 4 and ctg.convention_versions.count() == 2 and ctg.bodies.count() == 2
    assert ctg.avenants.count() == 1


def _pdf_text(version) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(version.pdf.read())).pages)
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def test_demo_is_an_accord_cadre_whose_avenant_adds_the_plan_with_its_documents(albigeois):  # noqa: F811
    from ctg.conventions.models import Agreement, Phase

    call_command("load_demo")
    ctg = demo_dossier()
    assert ctg.agreement == Agreement.ACCORD_CADRE and ctg.phase == Phase.MISE_EN_OEUVRE
    avenant = ctg.avenants.get()
    assert (avenant.number, avenant.title) == (1, "Ajout du plan d'action")
    assert ctg.signature_date < avenant.signed_on and "fictif" in avenant.notes
    assert ctg.signature_label.startswith("Accord-cadre signé le") and "1 avenant" in ctg.signature_label
    assert ctg.milestones.filter(title__startswith="Signature de l'avenant n° 1").exists()

    accord, amendment = ctg.convention_versions.order_by("number")
    # The accord-cadre, generated when signed: it calls itself so, and its plan d'action is only the fiche
    # carried over from the previous CTG (the demo plan comes by the avenant).
    assert (accord.label, accord.avenant) == ("Accord-cadre", None)
    text = _pdf_text(accord)
    assert "Accord-cadre de convention territoriale globale" in text and "présente convention" not in text
    assert "Document fictif (démonstration)" in text
    carried = ctg.fiches.get(carried_from__isnull=False)
    assert carried.title in text
    assert not any(fiche.title in text for fiche in ctg.fiches.filter(carried_from__isnull=True))
    # The avenant's document, linked to the recorded avenant, lists the fiches it adds.
    assert (amendment.kind, amendment.avenant, amendment.avenant_number) == ("avenant", avenant, 1)
    assert any(line.startswith("Fiche action ajoutée") for line in amendment.changes)
    text = _pdf_text(amendment)
    assert "Avenant n° 1 à l'accord-cadre de convention territoriale globale" in text
    assert "Document fictif (démonstration)" in text and "Ajout du plan d'action" in text
