"""Import of an official statistics file from the browser: the same checks and report as `ctg import_data`;
the journal of the imports, and their undo (`ctg import_data --undo`).

Who may import or undo is a platform operation of the permission table (`ctg.organisations.permissions`):
the checks of scope are in the services (`importers.save_datasets`, `importers.undo_import`), these views only
keep out those who have no such operation (403) and hide another département's imports from a CAF (404)."""

import tempfile
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

from ctg.diagnostics.importers import (
    FORMATS,
    DatasetError,
    disk_error_message,
    import_datasets,
    undo_blockers,
    undo_import,
)
from ctg.diagnostics.models import DatasetImport
from ctg.diagnostics.scope import can_import_statistics, can_undo, check_undo_scope, import_scope
from ctg.forms import DsfrForm
from ctg.organisations.permissions import PlatformOp, platform_allows, statistics_scope

__all__ = ["can_import_statistics", "import_list", "import_statistics", "import_undo"]

IMPORTS_PER_PAGE = 50
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


@login_required
@require_http_methods(["GET", "POST"])
def import_statistics(request):
    if not can_import_statistics(request.user):
        raise PermissionDenied(FORBIDDEN)
    form = ImportForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    status = 200
    report = None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                records = _import_upload(request, upload, form.cleaned_data)
            except DatasetError as error:
                form.add_error("file", f"Import refusé, rien n'a été modifié. {error}")
            else:
                years = ", ".join(str(r.year) for r in records)
                messages.success(
                    request,
                    f"{records[0].source_name} importé : {records[0].get_kind_display()}, "
                    f"millésime{'s' if len(records) > 1 else ''} {years}.",
                )
                request.session["ctg_last_imports"] = [r.pk for r in records]
                return redirect("statistics_import")
    last = request.session.pop("ctg_last_imports", None)
    if last:
        report = list(DatasetImport.objects.filter(pk__in=last).order_by("year"))
    return render(
        request,
        "diagnostics/import.html",
        {
            "title": "Importer des statistiques",
            "nav": "statistics",
            "form": form,
            "report": report,
            "scope_departements": sorted(import_scope(request.user) or []),
            "imports": DatasetImport.objects.select_related("imported_by")[:20],
            "breadcrumb_data": {"current": "Importer des statistiques"},
        },
        status=status,
    )


def _import_upload(request, upload, data) -> list[DatasetImport]:
    """The upload written to a scratch folder (its name kept: the CAF file gives its vintage in its name,
    inseecaf2021.csv), then imported with the person's scope."""
    folder = Path(settings.DATA_DIR) / "uploads"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder) as scratch:
            path = Path(scratch) / Path(upload.name).name
            with open(path, "wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            return import_datasets(
                path,
                kind=data["kind"] or None,
                year=data["year"],
                imported_by=request.user,
                scope=import_scope(request.user),
            )
    except OSError as error:  # the upload could not be written (full disk, rights)
        raise DatasetError(f"{Path(upload.name).name} : {disk_error_message(error, folder)}") from None


@login_required
@require_http_methods(["GET"])
def import_list(request):
    """The journal of the imports: who, when, which file (SHA-256), what it wrote, and the undo."""
    if not can_import_statistics(request.user):
        raise PermissionDenied(FORBIDDEN)
    page = Paginator(
        DatasetImport.objects.select_related("imported_by", "undone_by").order_by("-pk"), IMPORTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    rows = [(record, not record.undone_at and can_undo(request.user, record)) for record in page]
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
