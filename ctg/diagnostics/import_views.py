"""Import of an official statistics file from the browser: the same checks and report as `ctg import_data`;
the journal of the imports, and their undo (`ctg import_data --undo`).

An import takes two steps. The upload is checked and kept on the server (``DATA_DIR/uploads/pending/<token>``,
a random token recorded with the person's id and in their session, valid `PENDING_SECONDS`), and the page
says what the import would change in the store (`importers.preview_datasets`): nothing is written. « Confirmer
l'import » then imports the file kept under that token — only for the person who uploaded it, in the same
session — and deletes it; « Abandonner » deletes it.

Who may import or undo is a platform operation of the permission table (`ctg.organisations.permissions`):
the checks of scope are in the services (`importers.save_datasets`, `importers.undo_import`), these views only
keep out those who have no such operation (403) and hide another département's imports from a CAF (404): the
journal and the latest imports of a CAF adviser list only the imports that wrote figures of their département
(`visible_imports`)."""

import json
import re
import secrets
import shutil
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from ctg.diagnostics import reader
from ctg.diagnostics.importers import (
    FORMATS,
    DatasetError,
    disk_error_message,
    import_datasets,
    prepare_datasets,
    preview_datasets,
    undo_blockers,
    undo_import,
)
from ctg.diagnostics.jobs import statistics_import_enqueue
from ctg.diagnostics.models import DatasetImport
from ctg.diagnostics.scope import can_import_statistics, can_undo, check_undo_scope, import_scope
from ctg.forms import DsfrForm
from ctg.jobs.views import job_started
from ctg.organisations.permissions import PlatformOp, platform_allows, statistics_scope

__all__ = ["can_import_statistics", "import_list", "import_statistics", "import_undo"]

IMPORTS_PER_PAGE = 50
LATEST_IMPORTS = 20  # shown under the import form
FORBIDDEN = (
    "Seuls les gestionnaires des données de la plateforme et les CAF (pour leur département) importent des "
    "statistiques."
)

MAX_UPLOAD_BYTES = 100 * 1024 * 1024


class ImportForm(DsfrForm):
    file = forms.FileField(
        label="Fichier CSV officiel",
        help_text=(
            "Tel que publié : FiLoSoFi communes et dossier complet du recensement (Insee), allocataires CAF "
            "par IRIS (Insee-Cnaf), base permanente des équipements (Insee), taux de couverture de l'accueil "
            "du jeune enfant par commune, EPCI ou département (Cnaf, data.caf.fr). Le format est reconnu "
            "d'après l'en-tête."
        ),
    )
    kind = forms.ChoiceField(
        label="Jeu de données",
        required=False,
        choices=[("", "Reconnaître d'après l'en-tête")]
        + [(k, DatasetImport.Kind(k).label) for k in sorted(FORMATS)],
    )
    year = forms.IntegerField(
        label="Millésime",
        required=False,
        min_value=1990,
        max_value=2100,
        help_text="Seulement si le fichier ne le dit pas.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"Le fichier dépasse {MAX_UPLOAD_BYTES // (1024 * 1024)} Mo.")
        return upload


PENDING_SECONDS = 60 * 60  # an upload waits this long for its confirmation
PENDING_SESSION_KEY = "ctg_pending_imports"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
LOST_UPLOAD = (
    "Le fichier à confirmer est introuvable ou a expiré (il est gardé une heure, pour la personne qui l'a "
    "déposé) : déposez-le de nouveau. Rien n'a été modifié."
)


def _pending_root() -> Path:
    return Path(settings.DATA_DIR) / "uploads" / "pending"


def _sweep_pending() -> None:
    """Remove the uploads whose confirmation time is over."""
    root = _pending_root()
    if not root.is_dir():
        return
    limit = time.time() - PENDING_SECONDS
    for folder in root.iterdir():
        try:
            if folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def _keep_upload(request, upload, data) -> tuple[str, Path]:
    """The upload kept under a new random token, bound to the person (their id, and their session); its name
    is kept (the CAF file gives its vintage in its name, inseecaf2021.csv)."""
    token = secrets.token_urlsafe(24)
    folder = _pending_root() / token
    try:
        folder.mkdir(parents=True, mode=0o700)
        path = folder / (Path(upload.name).name or "fichier.csv")
        with open(path, "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        meta = {"user": request.user.pk, "created": time.time(), "kind": data["kind"], "year": data["year"]}
        (folder / "meta.json").write_text(json.dumps(meta | {"name": path.name}), encoding="utf-8")
    except OSError as error:  # the upload could not be written (full disk, rights)
        shutil.rmtree(folder, ignore_errors=True)
        raise DatasetError(
            f"{Path(upload.name).name} : {disk_error_message(error, _pending_root())}"
        ) from None
    request.session[PENDING_SESSION_KEY] = [*request.session.get(PENDING_SESSION_KEY, [])[-4:], token]
    return token, path


def _pending_upload(request, token: str) -> tuple[Path, dict] | None:
    """The upload kept under `token`, if it is this person's, of this session, and not expired."""
    if not isinstance(token, str) or not TOKEN.match(token):
        return None
    if token not in request.session.get(PENDING_SESSION_KEY, []):
        return None
    folder = _pending_root() / token
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("user") != request.user.pk or time.time() - meta.get("created", 0) > PENDING_SECONDS:
        return None
    path = folder / Path(str(meta.get("name", ""))).name
    return (path, meta) if path.is_file() else None


def _forget_upload(request, token: str) -> None:
    if isinstance(token, str) and TOKEN.match(token):
        shutil.rmtree(_pending_root() / token, ignore_errors=True)
    tokens = request.session.get(PENDING_SESSION_KEY, [])
    if token in tokens:
        request.session[PENDING_SESSION_KEY] = [t for t in tokens if t != token]


def visible_imports(user, imports) -> list[DatasetImport]:
    """The imports `user` sees in the journal: every one for a data manager; for a CAF adviser, those that
    wrote figures of their département (a national file among them), never another département's alone."""
    scope = import_scope(user)
    if scope is None:
        return list(imports)
    return [record for record in imports if scope & set(record.departements or ())]


def _page(request, form, status, report=None, errors=()):
    latest = visible_imports(request.user, DatasetImport.objects.select_related("imported_by"))
    return render(
        request,
        "diagnostics/import.html",
        {
            "title": "Importer des statistiques",
            "nav": "statistics",
            "form": form,
            "report": report,
            "errors": list(errors),
            "scope_departements": sorted(import_scope(request.user) or []),
            "imports": latest[:LATEST_IMPORTS],
            "breadcrumb_data": {"current": "Importer des statistiques"},
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_statistics(request):
    """Step 1: upload (POST with a file) → the preview of what would change; step 2: POST with the token and
    « confirm » → the import, or « cancel »."""
    if not can_import_statistics(request.user):
        raise PermissionDenied(FORBIDDEN)
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request)
    form = ImportForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST":
        _sweep_pending()
        if form.is_valid():
            upload = form.cleaned_data["file"]
            token = None
            try:
                token, path = _keep_upload(request, upload, form.cleaned_data)
                prepared = prepare_datasets(
                    path, kind=form.cleaned_data["kind"] or None, year=form.cleaned_data["year"]
                )
                previews = preview_datasets(
                    prepared, imported_by=request.user, scope=import_scope(request.user)
                )
            except DatasetError as error:
                if token:
                    _forget_upload(request, token)
                form.add_error("file", f"Import refusé, rien n'a été modifié. {error}")
            else:
                return render(
                    request,
                    "diagnostics/import_preview.html",
                    {
                        "title": "Vérifier l'import",
                        "nav": "statistics",
                        "token": token,
                        "source_name": path.name,
                        "previews": previews,
                        "breadcrumb_data": {
                            "links": [{"url": "/statistiques/import/", "title": "Importer des statistiques"}],
                            "current": "Vérifier l'import",
                        },
                    },
                )
        return _page(request, form, 400)
    last = request.session.pop("ctg_last_imports", None)
    report = list(DatasetImport.objects.filter(pk__in=last).order_by("year")) if last else None
    return _page(request, form, 200, report)


def _confirm(request):
    token = request.POST.get("token", "")
    action = request.POST.get("action")
    form = ImportForm()
    pending = _pending_upload(request, token)
    if pending is None or action not in ("confirm", "cancel"):
        return _page(request, form, 400, errors=[LOST_UPLOAD])
    path, meta = pending
    if action == "cancel":
        _forget_upload(request, token)
        messages.info(request, f"Import de {path.name} abandonné : rien n'a été modifié.")
        return redirect("statistics_import")
    if request.htmx:  # the page's script: the import runs as a background job, its progress shown inline
        job = statistics_import_enqueue(
            path=path, kind=meta.get("kind") or None, year=meta.get("year"), actor=request.user
        )
        _forget_upload(request, token)
        return job_started(request, job)
    try:
        records = import_datasets(
            path,
            kind=meta.get("kind") or None,
            year=meta.get("year"),
            imported_by=request.user,
            scope=import_scope(request.user),
        )
    except DatasetError as error:
        return _page(request, form, 400, errors=[f"Import refusé, rien n'a été modifié. {error}"])
    finally:
        _forget_upload(request, token)
    years = ", ".join(str(r.year) for r in records)
    messages.success(
        request,
        f"{records[0].source_name} importé : {records[0].get_kind_display()}, "
        f"millésime{'s' if len(records) > 1 else ''} {years}.",
    )
    request.session["ctg_last_imports"] = [r.pk for r in records]
    return redirect("statistics_import")


@login_required
@require_http_methods(["GET"])
def import_list(request):
    """The journal of the imports: who, when, which file (SHA-256), what it wrote, and the undo."""
    if not can_import_statistics(request.user):
        raise PermissionDenied(FORBIDDEN)
    page = Paginator(
        visible_imports(
            request.user, DatasetImport.objects.select_related("imported_by", "undone_by").order_by("-pk")
        ),
        IMPORTS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    provided: dict[tuple[str, int], dict] = {}
    for record in page:
        if (record.kind, record.year) not in provided:
            provided[record.kind, record.year] = reader.rows_by_import(record.kind, record.year)
    rows = [
        (
            record,
            not record.undone_at and can_undo(request.user, record),
            provided[record.kind, record.year].get(record.pk, 0),
        )
        for record in page
    ]
    return render(
        request,
        "diagnostics/import_list.html",
        {
            "title": "Journal des imports de statistiques",
            "nav": "statistics",
            "page_obj": page,
            "rows": rows,
            "breadcrumb_data": {
                "links": [{"url": "/statistiques/import/", "title": "Importer des statistiques"}],
                "current": "Journal des imports",
            },
        },
    )


class UndoForm(DsfrForm):
    confirm = forms.BooleanField(
        label="Je confirme l'annulation de cet import",
        help_text="Le magasin statistique retrouve, pour chaque millésime, le fichier d'avant cet import.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_undo(request, import_pk):
    """Confirm (GET) and undo (POST) an import; another département's import is not found (404) for a CAF."""
    if not platform_allows(request.user, PlatformOp.UNDO_IMPORT):
        raise PermissionDenied(FORBIDDEN)
    record = get_object_or_404(DatasetImport, pk=import_pk)
    if not can_undo(request.user, record):
        raise Http404("Import introuvable.")
    form = UndoForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                batch = undo_import(record, undone_by=request.user)
            except DatasetError as error:
                form.add_error(None, str(error))
                status = 409
            else:
                years = ", ".join(f"{item.get_kind_display()} {item.year}" for item in batch)
                messages.success(request, f"Import n° {record.pk} annulé : {years} remis comme avant.")
                return redirect("statistics_imports")
    batch = list(DatasetImport.objects.filter(batch=record.batch).order_by("kind", "year"))
    blockers = undo_blockers(record)
    try:
        check_undo_scope(batch, statistics_scope(request.user, PlatformOp.UNDO_IMPORT))
    except DatasetError as error:
        blockers.append(str(error))
    return render(
        request,
        "diagnostics/import_undo.html",
        {
            "title": f"Annuler l'import n° {record.pk}",
            "nav": "statistics",
            "record": record,
            "batch": batch,
            "blockers": blockers,
            "form": form,
            "breadcrumb_data": {
                "links": [{"url": "/statistiques/imports/", "title": "Journal des imports"}],
                "current": f"Annuler l'import n° {record.pk}",
            },
        },
        status=status,
    )
