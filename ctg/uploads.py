"""Uploaded files: their type is checked by their content, never by their name alone, and their size is
bounded while they are received.

`check_upload(file, field=…, allowed=…, max_bytes=…)` is the one check every upload of a document goes through
(fiche attachments, atelier attachments, signed copies of the convention). It raises a `ValidationError`
keyed by `field` with a French message; it reads only the first bytes (and, for office documents, the zip
directory).
`DOCUMENT_EXTENSIONS` / `DOCUMENT_MAX_BYTES` are the types and size of an attached working document.

`stored_file_response(stored, filename=…)` is the one way a view hands a stored file back (after its own
permission check): an attachment download, never shown inline; 404 when nothing is stored or the file is gone.
"""

import os
import zipfile

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse, Http404

ZIP_MAGIC = b"PK\x03\x04"
# Extension → what its content must be.
KINDS = {
    ".pdf": "pdf",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".docx": "ooxml",
    ".xlsx": "ooxml",
    ".pptx": "ooxml",
    ".odt": "odf",
    ".ods": "odf",
    ".odp": "odf",
    ".csv": "text",
    ".txt": "text",
}
MAGIC = {"pdf": b"%PDF-", "png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff"}
ODF_MIMETYPES = {
    ".odt": b"application/vnd.oasis.opendocument.text",
    ".ods": b"application/vnd.oasis.opendocument.spreadsheet",
    ".odp": b"application/vnd.oasis.opendocument.presentation",
}
OOXML_PARTS = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
# Markup that a browser would run if the file were ever shown inline: never accepted as « text ».
MARKUP_STARTS = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe", b"<head")
TEXT_SAMPLE = 64 * 1024
# A working document attached to an item of the dossier (a fiche, an atelier): office files, PDF, images,
# text.
DOCUMENT_EXTENSIONS = frozenset(KINDS)
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024

LABELS = {
    "ooxml": "document Office",
    "odf": "document OpenDocument",
    "text": "fichier texte",
}


def file_name(file) -> str:
    return os.path.basename(getattr(file, "name", "") or "")


def _head(file, size: int) -> bytes:
    file.seek(0)
    data = file.read(size)
    file.seek(0)
    return data


def _zip_ok(file, extension: str) -> bool:
    if not _head(file, 4).startswith(ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            if extension in ODF_MIMETYPES:
                return "mimetype" in names and archive.read("mimetype").strip() == ODF_MIMETYPES[extension]
            prefix = OOXML_PARTS[extension]
            return "[Content_Types].xml" in names and any(name.startswith(prefix) for name in names)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return False
    finally:
        file.seek(0)


def _text_ok(file) -> bool:
    sample = _head(file, TEXT_SAMPLE)
    if b"\x00" in sample:
        return False
    stripped = sample.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith(MARKUP_STARTS):
        return False
    for encoding in ("utf-8", "cp1252"):
        try:
            # A sample may end inside a multi-byte character: ignore an incomplete last one.
            sample.decode(encoding) if len(sample) < TEXT_SAMPLE else sample[:-4].decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def content_matches(file, extension: str) -> bool:
    kind = KINDS[extension]
    if kind in MAGIC:
        return _head(file, len(MAGIC[kind])) == MAGIC[kind]
    if kind in ("ooxml", "odf"):
        return _zip_ok(file, extension)
    return _text_ok(file)


def check_upload(file, *, field: str, allowed: set[str], max_bytes: int) -> str:
    """Checks the name's extension, the size and the content; returns the extension."""
    name = file_name(file)
    extension = os.path.splitext(name)[1].lower()
    if extension not in allowed:
        accepted = ", ".join(sorted(e.lstrip(".") for e in allowed))
        refused = extension or name
        raise ValidationError({field: f"Type de fichier refusé « {refused} » (acceptés : {accepted})."})
    if file.size > max_bytes:
        raise ValidationError({field: f"Le fichier dépasse {max_bytes // (1024 * 1024)} Mo."})
    if not content_matches(file, extension):
        kind = KINDS[extension]
        label = extension.lstrip(".").upper() if kind in MAGIC else LABELS[kind]
        message = f"Le fichier « {name} » n'est pas un {label} valide (son contenu ne correspond pas)."
        raise ValidationError({field: message})
    return extension


class UploadTooLarge(RequestDataTooBig):
    """The files of a request exceed `CTG_MAX_UPLOAD_BYTES`: answered by `ctg.views.bad_request` (413)."""


class LimitedUploadHandler(FileUploadHandler):
    """Stops receiving a request once its files exceed `CTG_MAX_UPLOAD_BYTES` in all, even when its length
    was not declared: the rest of the body is never read, and the request is refused (413, French page)."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.CTG_MAX_UPLOAD_BYTES:
            raise UploadTooLarge(f"Fichiers de plus de {settings.CTG_MAX_UPLOAD_BYTES} octets.")
        return raw_data

    def file_complete(self, file_size):
        return None


def stored_file_response(
    stored, *, filename: str | None = None, content_type: str | None = None
) -> FileResponse:
    """The download of a stored file (a `FieldFile`, possibly empty): as an attachment named `filename`
    (the stored name's base name by default). Raises Http404 when nothing is stored or the file is missing on
    disk. The caller has checked who may read it."""
    if not stored:
        raise Http404("Fichier introuvable.")
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("Fichier introuvable.") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename or os.path.basename(stored.name),
        **({"content_type": content_type} if content_type else {}),
    )
