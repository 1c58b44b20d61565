"""The portrait social de territoire: public page, dossier tab, commune table as CSV, PDF.

The views resolve the territory, build its portrait once and hand it to `ctg.diagnostics.presentation`.
"""

import re

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from ctg.conventions.frame import ctg_view, dossier_context
from ctg.diagnostics.catalogue import COMMUNE_TABLE_INDICATORS
from ctg.diagnostics.portrait import (
    Portrait,
    Territory,
    TerritoryNotFound,
    build_portrait,
    resolve_territory,
    territory_of_ctg,
)
from ctg.diagnostics.presentation import commune_csv, portrait_context
from ctg.organisations.permissions import Op


def _territory_or_404(code: str) -> Territory:
    try:
        return resolve_territory(code)
    except TerritoryNotFound as error:
        raise Http404(str(error)) from None


@require_GET
def territory(request, code):
    portrait = build_portrait(_territory_or_404(code))
    context = portrait_context(portrait, request.GET)
    context.update(
        {
            "title": f"Portrait social de territoire — {portrait.territory.name}",
            "nav": "territories",
            "csv_url": reverse("diagnostics:communes_csv", args=[portrait.territory.code]),
            "pdf_url": reverse("diagnostics:pdf", args=[portrait.territory.code]),
            "breadcrumb_data": {
                "links": [{"url": reverse("territories:search"), "title": "Territoires"}]
                + (
                    [{"url": context["territory_url"], "title": portrait.territory.name}]
                    if context["territory_url"]
                    else []
                ),
                "current": "Portrait social",
            },
        }
    )
    return render(request, "diagnostics/portrait.html", context)


@ctg_view(Op.VIEW)
def ctg_portrait(request, ctg, role):
    territory_ = territory_of_ctg(ctg)
    portrait = build_portrait(territory_)
    context = dossier_context(
        ctg, role, "diagnostic", "Diagnostic", **portrait_context(portrait, request.GET, fields=ctg.fields)
    )
    context["csv_url"] = reverse("diagnostics:ctg_communes_csv", args=[ctg.pk])
    context["pdf_url"] = reverse("diagnostics:ctg_pdf", args=[ctg.pk])
    context["public_url"] = (
        reverse("diagnostics:territory", args=[territory_.code]) if territory_.kind != "communes" else None
    )
    return render(request, "diagnostics/ctg_portrait.html", context)


def _file_part(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", code).strip("-") or "territoire"


def csv_response(territory_: Territory) -> HttpResponse:
    # The communes' values come with the portrait; the CSV shows neither comparison nor other figure.
    portrait = build_portrait(territory_, with_references=False, indicators=COMMUNE_TABLE_INDICATORS)
    response = HttpResponse(
        ("\ufeff" + commune_csv(portrait)).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="communes-{_file_part(territory_.code)}.csv"'
    return response


@require_GET
def communes_csv(request, code):
    return csv_response(_territory_or_404(code))


@ctg_view(Op.VIEW)
def ctg_communes_csv(request, ctg, role):
    return csv_response(territory_of_ctg(ctg))


def pdf_response(portrait: Portrait, fields=None) -> HttpResponse:
    from ctg.diagnostics.pdf import render_portrait_pdf  # WeasyPrint is loaded for a PDF only

    response = HttpResponse(render_portrait_pdf(portrait, fields), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="portrait-{_file_part(portrait.territory.code)}.pdf"'
    )
    return response


@require_GET
def pdf(request, code):
    return pdf_response(build_portrait(_territory_or_404(code)))


@ctg_view(Op.VIEW)
def ctg_pdf(request, ctg, role):
    return pdf_response(build_portrait(territory_of_ctg(ctg)), fields=ctg.fields)
