"""Views of the exchange of the plan d'action: the plan downloaded (xlsx, JSON) and uploaded into an empty
plan.

Their URLs keep the names of the plan (`plans:export_xlsx`, `plans:export_json`, `plans:import_xlsx`): the
site's `ctg/urls.py` includes `ctg.exchange.urls` in the namespace `plans`, under /plan/ctg/<pk>/echange/."""

import json

from django.contrib import messages
from django.shortcuts import redirect, render

from ctg.conventions.frame import ctg_view, dossier_context
from ctg.datafiles import limit
from ctg.exchange import export, imports, layout
from ctg.organisations.permissions import Op
from ctg.rendering import attachment, ctg_file_name

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@ctg_view(Op.VIEW)
def export_xlsx(request, ctg, role):
    return attachment(export.export_xlsx(ctg), XLSX_TYPE, f"{ctg_file_name(ctg, 'plan')}.xlsx")


@ctg_view(Op.VIEW)
def export_json(request, ctg, role):
    content = json.dumps(export.export_plan(ctg), ensure_ascii=False, indent=2)
    return attachment(content, "application/json; charset=utf-8", f"{ctg_file_name(ctg, 'plan')}.json")


def _import_page(request, ctg, role, *, errors=(), status=200):
    return render(
        request,
        "exchange/import.html",
        dossier_context(
            ctg,
            role,
            "plan",
            "Importer un plan d'action",
            errors=list(errors),
            notice=layout.NOTICE,
            plan_empty=not (ctg.enjeux.exists() or ctg.fiches.exists()),
        ),
        status=status,
    )


@ctg_view(Op.EDIT_PLAN, methods=("GET", "POST"))
def import_xlsx(request, ctg, role):
    if request.method == "GET":
        return _import_page(request, ctg, role)
    upload = request.FILES.get("file")
    if upload is None:
        return _import_page(request, ctg, role, errors=["Choisissez un classeur Excel (.xlsx)."], status=400)
    # A workbook (.xlsx) or a JSON export (.json), bounded by ctg.datafiles before it is parsed; not read
    # whole past the size limit.
    try:
        data = upload.read(limit("CTG_DATAFILE_MAX_BYTES") + 1)
        counts = imports.import_file(ctg, data, upload.name or "plan.xlsx", request.user)
    except layout.PlanImportError as error:
        return _import_page(request, ctg, role, errors=error.messages, status=400)
    messages.success(
        request,
        "Le plan d'action est importé : "
        f"{layout.counted(counts['enjeux'], 'enjeu', 'enjeux')}, "
        f"{layout.counted(counts['fiches'], 'fiche action', 'fiches action')}.",
    )
    return redirect("plans:import_xlsx", pk=ctg.pk)
