"""Uploads: a document's type is checked by its content, and an oversized upload is refused before it is
received whole."""

import html
import io
import zipfile

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ctg.organisations.permissions import Role
from ctg.plans import services
from ctg.plans.models import Attachment
from tests.plans.factories import OperationalObjectiveFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def _docx_bytes() -> bytes:
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Compte rendu")
    document.save(buffer)
    return buffer.getvalue()


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _odt(mimetype: bytes) -> bytes:
    return _zip({"mimetype": mimetype, "content.xml": b"<office:document-content/>"})


@pytest.fixture
def fiche(world):
    objective = OperationalObjectiveFactory(strategic__enjeu__ctg=world.ctg)
    return services.fiche_create(
        ctg=world.ctg, actor=world.users[Role.COORDINATION], title="Ludothèque", objectives=[objective]
    )


def _client(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def _attach_url(world, fiche):
    return reverse("plans:fiche_attachment", kwargs={"pk": world.ctg.pk, "fiche_pk": fiche.pk})


REFUSED = [
    ("page.pdf", HTML, "n'est pas un PDF valide"),
    ("photo.png", b"GIF89a" + b"\x00" * 20, "n'est pas un PNG valide"),
    ("photo.jpg", PNG, "n'est pas un JPG valide"),
    ("rapport.docx", _zip({"word.txt": b"x"}), "n'est pas un document Office valide"),
    ("tableau.xlsx", _docx_bytes(), "n'est pas un document Office valide"),
    ("rapport.docx", HTML, "n'est pas un document Office valide"),
    ("note.odt", _odt(b"application/vnd.oasis.opendocument.spreadsheet"), "OpenDocument"),
    ("notes.txt", HTML, "n'est pas un fichier texte valide"),
    ("donnees.csv", b"code;nom\x00\x00\x00", "n'est pas un fichier texte valide"),
    ("notes.txt", b"  <svg onload=alert(1)>", "n'est pas un fichier texte valide"),
    ("page.html", HTML, "Type de fichier refusé « .html »"),
    ("sans-extension", b"%PDF-1.4", "Type de fichier refusé « sans-extension »"),
]


@pytest.mark.parametrize(
    ("name", "content", "message"), REFUSED, ids=[f"{n}-{i}" for i, (n, _c, _m) in enumerate(REFUSED)]
)
def test_an_attachment_whose_content_is_not_its_type_is_refused(world, fiche, name, content, message):
    client = _client(world.users[Role.COORDINATION])
    response = client.post(_attach_url(world, fiche), {"piece-file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert not Attachment.objects.exists()


ACCEPTED = [
    ("convention.pdf", b"%PDF-1.7\n%%EOF\n"),
    ("photo.png", PNG),
    ("photo.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 16),
    ("compte-rendu.docx", _docx_bytes()),
    ("note.odt", _odt(b"application/vnd.oasis.opendocument.text")),
    ("notes.txt", "Réunion du 3 mars : « atelier parents ».\n".encode()),
    ("donnees.csv", "code;nom\n81004;Albi\n".encode("cp1252")),
]


@pytest.mark.parametrize(("name", "content"), ACCEPTED, ids=[n for n, _c in ACCEPTED])
def test_a_real_document_is_accepted(world, fiche, name, content):
    client = _client(world.users[Role.COORDINATION])
    response = client.post(_attach_url(world, fiche), {"piece-file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302
    (attachment,) = Attachment.objects.all()
    assert attachment.file.read() == content


def test_a_request_declared_too_large_is_refused_before_its_body_is_read(world, fiche, settings):
    """500 Mo announced: 413 with a French page, and nothing reads the body (the test client's payload
    would fail if anything tried to read past the bytes really sent)."""
    client = _client(world.users[Role.COORDINATION])
    response = client.generic(
        "POST",
        _attach_url(world, fiche),
        b"x" * 10,
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(500 * 1024 * 1024),
    )
    assert response.status_code == 413
    text = response.content.decode()
    assert "Fichier trop volumineux" in text
    assert "L'envoi fait 500 Mo ; la plateforme accepte au plus 110 Mo par envoi." in text.replace(
        "&#x27;", "'"
    )
    assert not Attachment.objects.exists()


def test_a_negative_or_malformed_length_is_refused(world, fiche):
    client = _client(world.users[Role.COORDINATION])
    for length in ("-1", "beaucoup"):
        response = client.generic("POST", _attach_url(world, fiche), b"", CONTENT_LENGTH=length)
        assert response.status_code == 400
        assert "La longueur annoncée de la requête est invalide." in html.unescape(response.content.decode())


def test_files_beyond_the_limit_stop_being_received(world, fiche, settings):
    """Without relying on the declared length: the upload handler stops reading past CTG_MAX_UPLOAD_BYTES."""
    settings.CTG_MAX_UPLOAD_BYTES = 64 * 1024
    client = _client(world.users[Role.COORDINATION], raise_request_exception=False)
    big = SimpleUploadedFile("rapport.pdf", b"%PDF-1.4\n" + b"0" * (256 * 1024))
    response = client.post(_attach_url(world, fiche), {"piece-file": big})
    assert response.status_code == 413
    assert "leur réception a été arrêtée et rien n" in response.content.decode()
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "TRACE", "PROPFIND"])
def test_methods_the_application_does_not_use_are_refused_everywhere(world, fiche, method):
    client = _client(world.users[Role.PILOTE_CAF])
    for url in (reverse("home"), _attach_url(world, fiche), reverse("login")):
        response = client.generic(method, url)
        assert response.status_code == 405, (method, url)
    assert not Attachment.objects.exists()
