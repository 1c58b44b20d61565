"""An archive read safely: a ZIP checked whole before anything is written (docs/dossier_archive.md).

Refused with a French message naming the file and, for the JSON, the path of the faulty value: not a ZIP, a
name that leaves the archive (`../`, absolute), too many entries or too many bytes once uncompressed (a zip
bomb), no `dossier.json`, another format or version, a file missing, unexpected or whose SHA-256 differs.
"""

import hashlib
import io
import json
import posixpath
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError

from ctg.transfer import schema

MAX_ENTRIES = 10_000
MAX_RATIO = 200  # uncompressed / compressed, beyond a megabyte


def max_bytes() -> int:
    return int(getattr(settings, "CTG_TRANSFER_MAX_BYTES", 2 * 1024**3))


def refuse(where: str, message: str):
    raise ValidationError(f"{where} : {message}")


def _safe_name(name: str) -> bool:
    if not name or name.startswith(("/", "\\")) or "\\" in name or ":" in name:
        return False
    normal = posixpath.normpath(name)
    return not (normal.startswith("..") or "/../" in f"/{name}/" or normal != name.rstrip("/"))


def read(data: bytes, name: str = "archive") -> tuple[dict, dict[str, bytes]]:
    """`dossier.json` and the files by SHA-256, or a ValidationError."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        refuse(name, "ce fichier n'est pas une archive ZIP.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        refuse(name, "l'archive ZIP est illisible.")
    if len(entries) > MAX_ENTRIES:
        refuse(name, f"l'archive contient plus de {MAX_ENTRIES} fichiers.")
    limit = max_bytes()
    total = 0
    for entry in entries:
        if not _safe_name(entry.filename):
            refuse(
                f"{name}/{entry.filename}", "ce nom sort de l'archive (« ../ » ou chemin absolu) : refusé."
            )
        total += entry.file_size
        if total > limit:
            refuse(name, f"l'archive dépasse {limit} octets une fois décompressée.")
        if entry.file_size > 1024**2 and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            refuse(f"{name}/{entry.filename}", "taux de compression anormal (bombe de décompression).")
    contents = {}
    for entry in entries:
        if entry.is_dir():
            continue
        try:
            with archive.open(entry) as handle:
                content = handle.read(entry.file_size + 1)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
            refuse(f"{name}/{entry.filename}", "fichier illisible dans l'archive.")
        if len(content) > entry.file_size:
            refuse(f"{name}/{entry.filename}", "taille réelle différente de la taille annoncée.")
        contents[entry.filename] = content
    if schema.JSON_NAME not in contents:
        refuse(name, f"l'archive ne contient pas de {schema.JSON_NAME}.")
    try:
        data = json.loads(contents.pop(schema.JSON_NAME).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        refuse(f"{name}/{schema.JSON_NAME}", f"JSON illisible ({error}).")
    where = f"{name}/{schema.JSON_NAME}"
    if not isinstance(data, dict) or data.get("format") != schema.FORMAT:
        refuse(f"{where} $.format", f"ce n'est pas une archive de dossier CTG (« {schema.FORMAT} » attendu).")
    if data.get("version") != schema.VERSION:
        refuse(
            f"{where} $.version",
            f"version {data.get('version')!r} du format, cette instance lit la version {schema.VERSION}.",
        )
    for key, kind in (("objects", dict), ("references", dict), ("files", dict), ("models", list)):
        if not isinstance(data.get(key), kind):
            refuse(f"{where} $.{key}", "valeur absente ou de mauvais type.")
    files = {}
    for digest, entry in data["files"].items():
        path = f"{schema.FILES_DIR}{digest}"
        if not isinstance(entry, dict) or entry.get("path") != path:
            refuse(f"{where} $.files.{digest}", f"chemin attendu : {path}.")
        if path not in contents:
            refuse(f"{name}/{path}", "fichier annoncé dans dossier.json mais absent de l'archive.")
        content = contents.pop(path)
        if hashlib.sha256(content).hexdigest() != digest:
            refuse(f"{name}/{path}", "l'empreinte SHA-256 ne correspond pas : fichier altéré.")
        files[digest] = content
    if contents:
        refuse(f"{name}/{sorted(contents)[0]}", "fichier inattendu, absent de dossier.json.")
    return data, files
