"""Import of an official statistics file from the browser: the same checks and report as `ctg import_data`."""

import tempfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ctg.diagnostics.importers import FORMATS, DatasetError, import_datasets
from ctg.diagnostics.models import DatasetImport
from ctg.diagnostics.scope import can_import_statistics, import_scope
from ctg.forms import DsfrForm

__all__ = ["can_import_statistics", "import_statistics"]

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
        raise PermissionDenied(
            "Seuls les gestionnaires des données de la plateforme et les CAF (pour leur département) "
            "importent des statistiques."
        )
    form = ImportForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    status = 200
    report = None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            folder = Path(settings.DATA_DIR) / "uploads"
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=folder) as scratch:
                # The original name is kept: the CAF file gives its vintage in its name (inseecaf2021.csv).
                path = Path(scratch) / Path(upload.name).name
                with open(path, "wb") as handle:
                    for chunk in upload.chunks():
                        handle.write(chunk)
                try:
                    records = import_datasets(
                        path,
                        kind=form.cleaned_data["kind"] or None,
                        year=form.cleaned_data["year"],
                        imported_by=request.user,
                        scope=import_scope(request.user),
                    )
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
