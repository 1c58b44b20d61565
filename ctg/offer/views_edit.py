"""Entering and changing the structures of the offer of services (issue 12): the dossier's editors (`Op.EDIT`,
who edit its diagnostic) add a structure in a commune of the dossier's territory, change it, set its status
(ouvert, en projet with its expected opening, fermé: never deleted). Every write goes through
`ctg.offer.services`, which records who changed what in the structure's history.

A structure is shared by every dossier whose territory covers its commune: the editors of any of them may
change it; one outside the territory is not found (404).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from ctg.conventions.frame import apply_errors, ctg_view, dossier_context
from ctg.offer import selectors, services
from ctg.offer.forms import SOURCE_FORM, StructureForm
from ctg.offer.models import Structure
from ctg.organisations.permissions import Op


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
