"""Entering and changing the structures of the offer of services (issue 12): the dossier's editors (`Op.EDIT`,
who edit its diagnostic) add a structure in a commune of the dossier's territory, change it, set its status
(ouvert, en projet with its expected opening, fermé: never deleted). Every write goes through
`ctg.offer.services`, which records who changed what in the structure's history.

A structure is shared by every dossier whose territory covers its commune: the editors of any of them may
change it; one outside the territory is not found (404).
"""

import hashlib
import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from ctg.conventions.frame import apply_errors, ctg_view, dossier_context
from ctg.jobs.views import job_started
from ctg.offer import funding, selectors, services, template_import
from ctg.offer.forms import (
    SOURCE_FORM,
    StructureForm,
    TemplateImportForm,
    communes_by_code,
    territory_communes,
)
from ctg.offer.models import Structure
from ctg.offer.views import XLSX_TYPE
from ctg.organisations.permissions import Op
from ctg.rendering import attachment, ctg_file_name


def _page(request, ctg, role, form, *, title, structure=None, status=200):
    list_url = reverse("offer:list", args=[ctg.pk])
    back_url = reverse("offer:structure", args=[ctg.pk, structure.pk]) if structure else list_url
    context = dossier_context(
        ctg,
        role,
        "diagnostic",
        title,
        diagnostic_nav="offer",
        form=form,
        heading=title,
        structure=structure,
        back_url=back_url,
        back_label="Retour à la structure" if structure else "Retour à l'offre de services",
        submit="Enregistrer la structure" if structure is None else "Enregistrer les modifications",
    )
    context["breadcrumb_data"]["links"].append({"url": list_url, "title": "Offre de services"})
    return render(request, "offer/edit.html", context, status=status)


@ctg_view(Op.EDIT, methods=("GET", "POST"))
def structure_add(request, ctg, role):
    territory, _structures = selectors.structures_of_ctg(ctg)
    form = StructureForm(request.POST or None, territory=territory, instance=Structure(source=SOURCE_FORM))
    if request.method == "POST" and form.is_valid():
        try:
            structure = services.structure_create(
                actor=request.user, values={**form.values(), "source": SOURCE_FORM}
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Structure « {structure.name} » ajoutée.")
            return redirect("offer:structure", ctg.pk, structure.pk)
    status = 400 if request.method == "POST" else 200
    return _page(request, ctg, role, form, title="Ajouter une structure", status=status)


@ctg_view(Op.EDIT, methods=("GET", "POST"))
def structure_edit(request, ctg, role, structure_pk):
    territory, _structures = selectors.structures_of_ctg(ctg)
    structure = selectors.structure_in_territory(territory, structure_pk)
    if structure is None:
        raise Http404("Aucune structure de ce numéro dans le territoire de ce dossier.")
    # The form works on its own copy: `structure` stays as saved until the service writes.
    copy = Structure.objects.get(pk=structure.pk)
    form = StructureForm(request.POST or None, territory=territory, instance=copy)
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.structure_edit(
                structure,
                actor=request.user,
                values=form.values(),
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            text = "Modifications enregistrées." if changes else "Aucune modification : rien n'a changé."
            messages.success(request, text)
            return redirect("offer:structure", ctg.pk, structure.pk)
    status = 400 if request.method == "POST" else 200
    return _page(
        request, ctg, role, form, title=f"Modifier « {structure.name} »", structure=structure, status=status
    )


# --- the template: download, import (upload → preview → confirm) ----------------------------------------

PENDING_KEY = "ctg_offer_template"


@ctg_view(Op.EDIT)
def template_csv(request, ctg, role):
    _territory, structures = selectors.structures_of_ctg(ctg)
    name = f"{ctg_file_name(ctg, 'modele-offre-de-services')}.csv"
    return attachment(template_import.template_csv(structures), "text/csv; charset=utf-8", name)


@ctg_view(Op.EDIT)
def template_xlsx(request, ctg, role):
    territory, structures = selectors.structures_of_ctg(ctg)
    content = template_import.template_xlsx(structures, territory_communes(territory))
    return attachment(content, XLSX_TYPE, f"{ctg_file_name(ctg, 'modele-offre-de-services')}.xlsx")


def _import_page(request, ctg, role, form, *, status=200, plan=None, token=""):
    list_url = reverse("offer:list", args=[ctg.pk])
    context = dossier_context(
        ctg,
        role,
        "diagnostic",
        "Importer le modèle de l'offre de services" if plan is None else "Vérifier l'import du modèle",
        diagnostic_nav="offer",
        form=form,
        plan=plan,
        token=token,
        list_url=list_url,
        columns=template_import.COLUMNS,
        funding_choices=funding.choices(),
        accessibility_choices=Structure.Accessibility.choices,
        csv_url=reverse("offer:template_csv", args=[ctg.pk]),
        xlsx_url=reverse("offer:template_xlsx", args=[ctg.pk]),
    )
    context["breadcrumb_data"]["links"].append({"url": list_url, "title": "Offre de services"})
    name = "offer/template_import.html" if plan is None else "offer/template_import_preview.html"
    return render(request, name, context, status=status)


@ctg_view(Op.EDIT, methods=("GET", "POST"))
def template_upload(request, ctg, role):
    """Step 1: the upload, checked and planned (nothing written) → the preview; step 2 (`token` and
    « confirm »): the lines kept in the person's session planned again against the inventory as it is now,
    then written, all or nothing; « cancel » forgets them."""
    territory, _structures = selectors.structures_of_ctg(ctg)
    if request.method == "POST" and "token" in request.POST:
        return _template_confirm(request, ctg, role, territory)
    form = TemplateImportForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            try:
                rows = template_import.read_file(data, upload.name)
                plan = template_import.plan(
                    rows, upload.name, hashlib.sha256(data).hexdigest(), communes_by_code(territory)
                )
            except template_import.TemplateError as error:
                form.add_error("file", f"Import refusé, rien n'a été modifié. {error}")
            else:
                token = secrets.token_urlsafe(16)
                request.session[PENDING_KEY] = {
                    "token": token,
                    "ctg": ctg.pk,
                    "filename": upload.name,
                    "sha256": plan.sha256,
                    "rows": rows,
                }
                return _import_page(request, ctg, role, None, plan=plan, token=token)
        return _import_page(request, ctg, role, form, status=400)
    return _import_page(request, ctg, role, form)


def _template_confirm(request, ctg, role, territory):
    pending = request.session.get(PENDING_KEY) or {}
    if pending.get("token") != request.POST.get("token") or pending.get("ctg") != ctg.pk:
        messages.error(request, "Cet import n'est plus disponible : déposez le fichier à nouveau.")
        return redirect("offer:template_import", ctg.pk)
    request.session.pop(PENDING_KEY, None)
    if request.POST.get("action") != "confirm":
        messages.info(request, "Import abandonné : rien n'a été modifié.")
        return redirect("offer:template_import", ctg.pk)
    if request.htmx:  # the page's script: written by the worker, its progress shown inline
        from ctg.offer.jobs import template_import_enqueue

        job = template_import_enqueue(
            ctg=ctg,
            actor=request.user,
            filename=pending["filename"],
            sha256=pending["sha256"],
            rows=pending["rows"],
        )
        return job_started(request, job)
    rows = [(number, cells) for number, cells in pending["rows"]]
    try:
        with services.source_lock(services.SOURCE_TEMPLATE):
            communes = communes_by_code(territory)
            plan = template_import.plan(rows, pending["filename"], pending["sha256"], communes)
            record = services.template_apply(plan, actor=request.user)
    except (template_import.TemplateError, ValidationError) as error:
        text = error.messages[0] if isinstance(error, ValidationError) else str(error)
        messages.error(request, f"Import refusé, rien n'a été modifié. {text}")
        return redirect("offer:template_import", ctg.pk)
    messages.success(
        request,
        f"Modèle importé : {record.created} structure(s) créée(s), {record.updated} mise(s) à jour, "
        f"{record.unchanged} inchangée(s).",
    )
    return redirect("offer:list", ctg.pk)
