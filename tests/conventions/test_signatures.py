"""Signatures: each party's signature date and signed copy, recorded with who and when, in any phase of
work; the convention is signed only once every party has signed, and the signed date shows on its pages."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ctg.conventions import services
from ctg.conventions.models import Ctg, Phase, Signatory
from tests.conftest import PASSWORD
from tests.factories import SignatoryFactory

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def drafted(world):
    """The world's dossier in « plan d'action », with the CAF and the EPCI as signatories."""
    Ctg.objects.filter(pk=world.ctg.pk).update(phase=Phase.PLAN_ACTION)
    world.ctg.refresh_from_db()
    caf = SignatoryFactory(ctg=world.ctg, organisation=world.ctg.caf, signer_name="Anne Lefèvre", position=0)
    epci = SignatoryFactory(ctg=world.ctg, signer_name="Jean Dupuis", position=1)
    return world, caf, epci


def _login(client, world, role="coordination"):
    client.login(username=world.users[role].email, password=PASSWORD)


def test_a_signature_is_recorded_with_its_date_scan_author_and_history(drafted):
    world, caf, _ = drafted
    actor = world.users["coordination"]
    scan = SimpleUploadedFile("convention signée.pdf", PDF, content_type="application/pdf")
    services.signature_record(
        signatory=caf, actor=actor, signed_on=datetime.date(2025, 2, 8), signed_scan=scan
    )
    caf.refresh_from_db()
    assert caf.signed_on == datetime.date(2025, 2, 8)
    assert caf.signed_scan.read() == PDF
    assert caf.signature_recorded_by == actor
    assert timezone.now() - caf.signature_recorded_at < datetime.timedelta(minutes=1)
    entry = world.ctg.history.first()
    assert entry.actor == actor and entry.item_type == "signatory" and entry.item_id == caf.pk
    assert entry.labelled_changes["date de signature"] == ["", "08/02/2025"]
    assert entry.labelled_changes["exemplaire signé"][1].endswith(".pdf")


@pytest.mark.parametrize(
    ("signed_on", "scan", "field", "message"),
    [
        (None, None, "signed_on", "obligatoire"),
        ("future", None, "signed_on", "futur"),
        (datetime.date(2020, 1, 1), None, "signed_on", "trop ancienne"),
        (datetime.date(2025, 2, 1), ("scan.docx", PDF), "signed_scan", "Type de fichier refusé"),
        (
            datetime.date(2025, 2, 1),
            ("scan.pdf", b"GIF89a not a pdf"),
            "signed_scan",
            "n'est pas un PDF valide",
        ),
        (datetime.date(2025, 2, 1), ("scan.png", PDF), "signed_scan", "n'est pas un PNG valide"),
    ],
)
def test_bad_signatures_are_refused_and_nothing_is_saved(drafted, signed_on, scan, field, message):
    world, caf, _ = drafted
    if signed_on == "future":
        signed_on = timezone.localdate() + datetime.timedelta(days=1)
    upload = SimpleUploadedFile(scan[0], scan[1]) if scan else None
    with pytest.raises(ValidationError) as error:
        services.signature_record(
            signatory=caf, actor=world.users["coordination"], signed_on=signed_on, signed_scan=upload
        )
    assert message in " ".join(error.value.message_dict[field])
    caf.refresh_from_db()
    assert caf.signed_on is None and not caf.signed_scan and caf.signature_recorded_at is None
    assert not world.ctg.history.filter(action="signature").exists()


def test_a_scan_over_the_size_limit_is_refused(drafted, monkeypatch):
    world, caf, _ = drafted
    monkeypatch.setattr(services.parties, "SCAN_MAX_BYTES", 10)
    with pytest.raises(ValidationError, match="dépasse"):
        services.signature_record(
            signatory=caf,
            actor=world.users["coordination"],
            signed_on=datetime.date(2025, 2, 1),
            signed_scan=SimpleUploadedFile("scan.png", PNG),
        )


def test_an_accord_cadre_is_signed_in_preparation_but_not_once_the_ctg_is_terminee(world):
    actor = world.users["pilote_caf"]
    caf = SignatoryFactory(ctg=world.ctg, organisation=world.ctg.caf)
    assert world.ctg.phase == Phase.PREPARATION
    services.signature_record(signatory=caf, actor=actor, signed_on=datetime.date(2025, 1, 5))
    assert Signatory.objects.get(pk=caf.pk).signed_on == datetime.date(2025, 1, 5)
    other = SignatoryFactory(ctg=world.ctg)
    Ctg.objects.filter(pk=world.ctg.pk).update(phase=Phase.CLOSE)
    with pytest.raises(ValidationError, match="terminée"):
        services.signature_record(signatory=other, actor=actor, signed_on=datetime.date(2025, 1, 5))
    assert Signatory.objects.get(pk=other.pk).signed_on is None


def test_signed_needs_every_signature_and_gives_the_signed_date(drafted):
    world, caf, epci = drafted
    actor = world.users["pilote_caf"]
    ctg = world.ctg
    assert services.signature_blockers(ctg) == [
        f"{caf.organisation} n'a pas encore signé (date de signature à saisir).",
        f"{epci.organisation} n'a pas encore signé (date de signature à saisir).",
    ]
    services.signature_record(signatory=epci, actor=actor, signed_on=datetime.date(2025, 1, 30))
    assert ctg.signature_date is None and not ctg.is_signed
    assert ctg.signature_label == "Convention complète : 1 signature sur 2"
    with pytest.raises(ValidationError, match="pas encore signée"):
        services.ctg_transition(ctg=ctg, actor=actor, to=Phase.MISE_EN_OEUVRE)
    services.signature_record(signatory=caf, actor=actor, signed_on=datetime.date(2025, 2, 8))
    assert ctg.signature_date == datetime.date(2025, 2, 8) and ctg.is_signed
    assert ctg.signature_label == "Convention complète signée le 8 février 2025"
    services.ctg_transition(ctg=ctg, actor=actor, to=Phase.MISE_EN_OEUVRE)
    ctg.refresh_from_db()
    assert ctg.phase == Phase.MISE_EN_OEUVRE


def test_a_signature_is_cancelled_only_before_the_dossier_is_signed(drafted):
    world, caf, epci = drafted
    actor = world.users["coordination"]
    services.signature_record(signatory=caf, actor=actor, signed_on=datetime.date(2025, 2, 8))
    services.signature_clear(signatory=caf, actor=actor)
    caf.refresh_from_db()
    assert caf.signed_on is None
    assert world.ctg.history.first().summary == "Signature de la CAF du Tarn annulée"
    with pytest.raises(ValidationError, match="pas encore signé"):
        services.signature_clear(signatory=caf, actor=actor)
    for signatory in (caf, epci):
        services.signature_record(signatory=signatory, actor=actor, signed_on=datetime.date(2025, 2, 8))
    with pytest.raises(ValidationError, match="ne s'annule plus"):
        services.signature_clear(signatory=caf, actor=actor)


def test_signature_page_records_and_shows_the_signature(client, drafted):
    world, caf, epci = drafted
    _login(client, world)
    url = reverse("conventions:signature", args=[world.ctg.pk, caf.pk])
    assert "Enregistrer la signature" in client.get(url).content.decode()
    response = client.post(
        url, {"signed_on": "2025-02-08", "signed_scan": SimpleUploadedFile("signee.pdf", PDF)}
    )
    assert response.status_code == 302
    page = client.get(reverse("conventions:parties", args=[world.ctg.pk])).content.decode()
    assert "Signé le 08/02/2025" in page
    assert "1 signature enregistrée sur 2" in page
    download = client.get(reverse("conventions:signature_scan", args=[world.ctg.pk, caf.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "convention-signee-" in download["Content-Disposition"]
    missing = client.get(reverse("conventions:signature_scan", args=[world.ctg.pk, epci.pk]))
    assert missing.status_code == 404


def test_signature_page_shows_errors_in_french(client, drafted):
    world, caf, _ = drafted
    _login(client, world)
    url = reverse("conventions:signature", args=[world.ctg.pk, caf.pk])
    response = client.post(url, {"signed_on": "pas une date"})
    assert response.status_code == 400
    assert "Saisissez une date valide" in response.content.decode()
    response = client.post(
        url, {"signed_on": "2025-02-08", "signed_scan": SimpleUploadedFile("x.exe", b"MZ")}
    )
    assert response.status_code == 400
    assert "Type de fichier refusé" in response.content.decode()
    assert not Signatory.objects.get(pk=caf.pk).signed_on


def test_home_page_shows_the_signed_date(client, drafted):
    world, caf, epci = drafted
    for signatory in (caf, epci):
        services.signature_record(
            signatory=signatory, actor=world.users["pilote_caf"], signed_on=datetime.date(2025, 2, 8)
        )
    _login(client, world, "lecture")
    page = client.get(reverse("conventions:detail", args=[world.ctg.pk])).content.decode()
    assert "Convention complète signée le 8 février 2025" in page
