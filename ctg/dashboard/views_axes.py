"""The axes of the CAF's Schéma départemental des services aux familles (issue 14), under
/caf/<département>/axes/: the list of each CAF's axes for the département with their coverage by the CTGs
(a table CTG × axis: the enjeux tagged with the axis and the fiches action under them; the axes no CTG covers
named), its CSV, and the pages that create, edit, deactivate, move and delete an axis.

Who: reading is `PlatformOp.VIEW_CAF_DASHBOARD` within `platform_scope` (the CAF's staff of the département,
the Département's services — read only —, the platform's data managers); writing is
`PlatformOp.MANAGE_SCHEMA_AXES` (the CAF's staff, for their own CAF only; the data managers). Without the
operation: 403; another département, another CAF's axis: 404 (not revealed). The writes go through
`ctg.organisations.schema_axes`, which checks the same rules."""

import io
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ctg.conventions.frame import apply_errors
from ctg.conventions.models import Ctg
from ctg.dashboard.forms_axes import AxisCreateForm, AxisForm
from ctg.datafiles import csv_writer
from ctg.organisations import schema_axes as services
from ctg.organisations.models import Organisation, SchemaAxis
from ctg.organisations.permissions import PlatformOp, PlatformRole, platform_role, platform_scope
from ctg.plans.models import Enjeu, FicheAction
from ctg.rendering import attachment
from ctg.territories.models import Departement

FORBIDDEN_READ = (
    "Seuls la CAF du département, les services du Département et les gestionnaires de la plateforme "
    "consultent ces axes."
)
FORBIDDEN_WRITE = "Seul le personnel de la CAF du département modifie les axes de son schéma départemental."
TITLE = "Axes du schéma départemental des services aux familles"


# --- who sees what -------------------------------------------------------------------------------------


def _departement(user, code: str, op: PlatformOp) -> Departement:
    """The département `code` if `user` may do `op` there: 403 without the operation anywhere, 404 outside
    their scope or for an unknown code."""
    scope = platform_scope(user, op)
    if scope is not None and not scope:
        raise PermissionDenied(FORBIDDEN_READ if op == PlatformOp.VIEW_CAF_DASHBOARD else FORBIDDEN_WRITE)
    if scope is not None and code not in scope:
        raise Http404("Département introuvable.")
    return get_object_or_404(Departement, pk=code)


def _cafs(user, departement: Departement) -> list[Organisation]:
    """The CAFs of the département whose axes `user` sees: a CAF's staff, their own CAF only; the others,
    every CAF of the département."""
    if platform_role(user) == PlatformRole.CAF_ADVISER:
        return [user.organisation] if user.organisation.departement_id == departement.pk else []
    return list(_departement_cafs(departement))


def _departement_cafs(departement: Departement):
    return Organisation.objects.filter(kind=Organisation.Kind.CAF, departement=departement).order_by("name")


def _axis(user, departement: Departement, axis_pk: int) -> SchemaAxis:
    """An axis of a CAF `user` sees in the département, else 404."""
    cafs = [caf.pk for caf in _cafs(user, departement)]
    return get_object_or_404(
        SchemaAxis.objects.select_related("caf"), pk=axis_pk, departement=departement, caf_id__in=cafs
    )


def _manageable(user, departement: Departement, axis_pk: int) -> SchemaAxis:
    """An axis `user` may write (403 without the operation, 404 when it is not theirs to see)."""
    axis = _axis(user, departement, axis_pk)
    if not services.can_manage(user, axis.caf, departement.pk):
        raise Http404("Axe introuvable.")
    return axis


def _list_url(departement: Departement, anchor: str = "") -> str:
    url = reverse("dashboard:axes", args=[departement.pk])
    return f"{url}#{anchor}" if anchor else url


# --- coverage --------------------------------------------------------------------------------------------


def departement_ctgs(caf: Organisation, departement: Departement):
    """The dossiers of `caf` in the département: those with a commune there (a dossier on an EPCI across two
    départements is in both)."""
    return (
        Ctg.objects.filter(caf=caf)
        .filter(Q(communes__departement=departement) | Q(epci__communes__departement=departement))
        .distinct()
        .select_related("epci")
        .order_by("title", "pk")
    )


def coverage(caf: Organisation, departement: Departement) -> dict:
    """The axes of `caf` in the département and, for each of its dossiers there, how many enjeux serve each
    axis and how many fiches action are under them; the axes in force that no dossier covers."""
    axes = list(
        SchemaAxis.objects.filter(caf=caf, departement=departement)
        .annotate(cited=Count("enjeux", distinct=True))
        .order_by("position", "code", "id")
    )
    ctgs = list(departement_ctgs(caf, departement))
    enjeux = {
        (row["enjeu__ctg_id"], row["schemaaxis_id"]): row["n"]
        for row in Enjeu.schema_axes.through.objects.filter(schemaaxis__in=axes, enjeu__ctg__in=ctgs)
        .values("enjeu__ctg_id", "schemaaxis_id")
        .annotate(n=Count("enjeu_id", distinct=True))
    }
    fiches = {
        (row["ctg_id"], row["objectives__strategic__enjeu__schema_axes"]): row["n"]
        for row in FicheAction.objects.filter(
            ctg__in=ctgs, objectives__strategic__enjeu__schema_axes__in=axes
        )
        .values("ctg_id", "objectives__strategic__enjeu__schema_axes")
        .annotate(n=Count("id", distinct=True))
    }
    covering = defaultdict(int)
    rows = []
    for ctg in ctgs:
        cells = []
        for axis in axes:
            n_enjeux = enjeux.get((ctg.pk, axis.pk), 0)
            cells.append({"axis": axis, "enjeux": n_enjeux, "fiches": fiches.get((ctg.pk, axis.pk), 0)})
            if n_enjeux:
                covering[axis.pk] += 1
        rows.append({"ctg": ctg, "cells": cells, "covered": sum(1 for c in cells if c["enjeux"])})
    columns = [{"axis": axis, "ctgs": covering[axis.pk]} for axis in axes]
    uncovered = [axis for axis in axes if axis.is_active and not covering[axis.pk]]
    return {"caf": caf, "axes": axes, "rows": rows, "columns": columns, "uncovered": uncovered}


# --- pages -----------------------------------------------------------------------------------------------


def _context(request, departement: Departement, title: str, **extra) -> dict:
    dashboard = reverse("dashboard:departement", args=[departement.pk])
    links = [{"url": dashboard, "title": f"Tableau de bord {departement.name_of}"}]
    if title != TITLE:
        links.append({"url": _list_url(departement), "title": TITLE})
    return {
        "title": f"{title} — {departement.name}",
        "nav": "caf_dashboard",
        "departement": departement,
        "breadcrumb_data": {"links": links, "current": title},
        **extra,
    }


@login_required
@require_http_methods(["GET"])
def axes(request, departement):
    departement = _departement(request.user, departement, PlatformOp.VIEW_CAF_DASHBOARD)
    sections = []
    for caf in _cafs(request.user, departement):
        section = coverage(caf, departement)
        section["can_manage"] = services.can_manage(request.user, caf, departement.pk)
        # The dossiers' titles link to them for those who may open them (the CAF's staff, a superuser).
        section["can_open"] = (
            request.user.is_superuser or platform_role(request.user) == PlatformRole.CAF_ADVISER
        )
        sections.append(section)
    return render(
        request,
        "dashboard/axes.html",
        _context(request, departement, TITLE, sections=sections, several=len(sections) > 1),
    )


CSV_HEADER = [
    "CAF",
    "Département",
    "CTG",
    "Période de la CTG",
    "Numéro de l'axe",
    "Intitulé de l'axe",
    "Axe en vigueur",
    "Enjeux rattachés",
    "Fiches action sous ces enjeux",
]


@login_required
@require_http_methods(["GET"])
def axes_csv(request, departement):
    """The coverage as CSV, one line per CTG and axis; no cell run as a formula (`ctg.datafiles`)."""
    departement = _departement(request.user, departement, PlatformOp.VIEW_CAF_DASHBOARD)
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(CSV_HEADER)
    for caf in _cafs(request.user, departement):
        section = coverage(caf, departement)
        for row in section["rows"]:
            for cell in row["cells"]:
                axis = cell["axis"]
                writer.writerow(
                    [
                        caf.name,
                        departement.name,
                        row["ctg"].title,
                        f"{row['ctg'].start_year}-{row['ctg'].end_year}",
                        axis.code,
                        axis.title,
                        "oui" if axis.is_active else "non",
                        cell["enjeux"],
                        cell["fiches"],
                    ]
                )
    return attachment(
        "\ufeff" + buffer.getvalue(),
        "text/csv; charset=utf-8",
        f"axes-schema-departemental-{departement.pk}.csv",
    )


def _form_page(request, departement, form, heading, status=None, **extra):
    if status is None:
        status = 400 if request.method == "POST" else 200
    return render(
        request,
        "dashboard/axes_form.html",
        _context(request, departement, heading, form=form, heading=heading, **extra),
        status=status,
    )


def _save(request, form, service, **arguments):
    """The service on a valid POST; its refusal on the form (None)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return service(actor=request.user, **arguments, **form.cleaned_data)
    except ValidationError as error:
        apply_errors(form, error)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def axis_create(request, departement):
    departement = _departement(request.user, departement, PlatformOp.MANAGE_SCHEMA_AXES)
    data = request.POST if request.method == "POST" else None
    if platform_role(request.user) == PlatformRole.CAF_ADVISER:
        form = AxisCreateForm(data)
        arguments = {"caf": request.user.organisation}
    else:
        form = AxisCreateForm(data, cafs=_departement_cafs(departement))
        arguments = {}
    axis = _save(request, form, services.axis_create, departement=departement, **arguments)
    if axis is not None:
        messages.success(request, f"L'axe {axis.code} est ajouté.")
        return redirect(_list_url(departement, f"axe-{axis.pk}"))
    return _form_page(request, departement, form, "Ajouter un axe")


@login_required
@require_http_methods(["GET", "POST"])
def axis_edit(request, departement, axis_pk):
    departement = _departement(request.user, departement, PlatformOp.MANAGE_SCHEMA_AXES)
    axis = _manageable(request.user, departement, axis_pk)
    initial = {name: getattr(axis, name) for name in services.EDITABLE}
    form = AxisForm(request.POST if request.method == "POST" else None, initial=initial)
    if _save(request, form, services.axis_update, axis=axis) is not None:
        messages.success(request, f"L'axe {form.cleaned_data['code']} est enregistré.")
        return redirect(_list_url(departement, f"axe-{axis.pk}"))
    return _form_page(request, departement, form, f"Modifier l'axe {axis.code}", axis=axis)


@login_required
@require_http_methods(["POST"])
def axis_active(request, departement, axis_pk):
    """« Retirer du schéma en vigueur » / « Remettre en vigueur »: `is_active` = "1" or "0"."""
    departement = _departement(request.user, departement, PlatformOp.MANAGE_SCHEMA_AXES)
    axis = _manageable(request.user, departement, axis_pk)
    value = request.POST.get("is_active")
    if value not in ("0", "1"):
        messages.error(request, "Choix inconnu : rien n'a été modifié.")
    else:
        try:
            services.axis_update(axis=axis, actor=request.user, is_active=value == "1")
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            state = "remis en vigueur" if value == "1" else "retiré du schéma en vigueur"
            messages.success(request, f"L'axe {axis.code} est {state}.")
    return redirect(_list_url(departement, f"axe-{axis.pk}"))


@login_required
@require_http_methods(["POST"])
def axis_move(request, departement, axis_pk):
    """One place up or down among the CAF's axes of the département (`axes_reorder`)."""
    departement = _departement(request.user, departement, PlatformOp.MANAGE_SCHEMA_AXES)
    axis = _manageable(request.user, departement, axis_pk)
    direction = request.POST.get("direction")
    order = list(
        SchemaAxis.objects.filter(caf=axis.caf, departement=departement)
        .order_by("position", "code", "id")
        .values_list("pk", flat=True)
    )
    index = order.index(axis.pk)
    other = {"up": index - 1, "down": index + 1}.get(direction)
    if other is None:
        messages.error(request, "Sens de déplacement inconnu : rien n'a été modifié.")
    elif 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
        try:
            services.axes_reorder(caf=axis.caf, departement=departement, order=order, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"L'axe {axis.code} est déplacé.")
    return redirect(_list_url(departement, f"axe-{axis.pk}"))


@login_required
@require_http_methods(["GET", "POST"])
def axis_delete(request, departement, axis_pk):
    """The confirmation (GET), the deletion (POST); an axis that enjeux cite is not deleted: the page offers
    to retire it from the schema in force."""
    departement = _departement(request.user, departement, PlatformOp.MANAGE_SCHEMA_AXES)
    axis = _manageable(request.user, departement, axis_pk)
    if request.method == "POST":
        try:
            services.axis_delete(axis=axis, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(_list_url(departement, f"axe-{axis.pk}"))
        messages.success(request, f"L'axe {axis.code} est supprimé.")
        return redirect(_list_url(departement))
    return render(
        request,
        "dashboard/axes_delete.html",
        _context(
            request,
            departement,
            f"Supprimer l'axe {axis.code}",
            axis=axis,
            cited=services.cited_count(axis),
        ),
    )
