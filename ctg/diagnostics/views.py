"""The portrait social de territoire: public page, dossier tab, commune table as CSV, PDF.

The views resolve the territory; its portrait is built once and handed to `ctg.diagnostics.presentation`,
through `ctg.diagnostics.cache` (kept per territory and version of the statistics store).
"""

import re

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from ctg.conventions.frame import ctg_view, dossier_context
from ctg.diagnostics.cache import portrait_csv, portrait_fragment, portrait_pdf, public_page
from ctg.diagnostics.portrait import Territory, TerritoryNotFound, resolve_territory, territory_of_ctg
from ctg.diagnostics.presentation import territory_link
from ctg.organisations.permissions import Op


def _territory_or_404(code: str) -> Territory:
    try:
        return resolve_territory(code)
    except TerritoryNotFound as error:
        raise Http404(str(error)) from None


@require_GET
def territory(request, code):
    """The public portrait page; for a visitor not logged in, kept whole (`cache.public_page`)."""
    return public_page(request, lambda: _territory_page(request, code))


def _territory_page(request, code):
    territory_ = _territory_or_404(code)
    urls = {
        "csv_url": reverse("diagnostics:communes_csv", args=[territory_.code]),
        "pdf_url": reverse("diagnostics:pdf", args=[territory_.code]),
    }
    territory_url = territory_link(territory_)
    # The portrait under the title is kept per territory and version of the store (ctg.diagnostics.cache);
    # the page around it (header, menu, messages) is rendered for each request.
    context = {
        "territory": territory_,
        "territory_url": territory_url,
        "portrait_html": portrait_fragment(territory_, request.GET, **urls),
        "title": f"Portrait social de territoire — {territory_.name}",
        "nav": "territories",
        **urls,
        "breadcrumb_data": {
            "links": [{"url": reverse("territories:search"), "title": "Territoires"}]
            + ([{"url": territory_url, "title": territory_.name}] if territory_url else []),
            "current": "Portrait social",
        },
    }
    return render(request, "diagnostics/portrait.html", context)


@ctg_view(Op.VIEW)
def ctg_portrait(request, ctg, role):
    territory_ = territory_of_ctg(ctg)
    urls = {
        "csv_url": reverse("diagnostics:ctg_communes_csv", args=[ctg.pk]),
        "pdf_url": reverse("diagnostics:ctg_pdf", args=[ctg.pk]),
    }
    # Kept per dossier (its fields order the points of attention), read after the permission check.
    fragment = portrait_fragment(territory_, request.GET, fields=ctg.fields, dossier=ctg.pk, **urls)
    context = dossier_context(
        ctg, role, "diagnostic", "Diagnostic", territory=territory_, portrait_html=fragment, **urls
    )
    context["public_url"] = (
        reverse("diagnostics:territory", args=[territory_.code]) if territory_.kind != "communes" else None
    )
    return render(request, "diagnostics/ctg_portrait.html", context)


def _file_part(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", code).strip("-") or "territoire"


def csv_response(territory_: Territory) -> HttpResponse:
    # The communes' values come with the portrait; the CSV shows neither comparison nor other figure
    # (kept per territory and version of the store: ctg.diagnostics.cache).
    response = HttpResponse(
        ("\ufeff" + portrait_csv(territory_)).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="communes-{_file_part(territory_.code)}.csv"'
    return response


@require_GET
def communes_csv(request, code):
    return csv_response(_territory_or_404(code))


@ctg_view(Op.VIEW)
def ctg_communes_csv(request, ctg, role):
    return csv_response(territory_of_ctg(ctg))


def pdf_response(territory_: Territory, fields=None) -> HttpResponse:
    # Kept per territory, fields, day and version of the store (ctg.diagnostics.cache).
    response = HttpResponse(portrait_pdf(territory_, fields), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="portrait-{_file_part(territory_.code)}.pdf"'
    return response


@require_GET
def pdf(request, code):
    return pdf_response(_territory_or_404(code))


@ctg_view(Op.VIEW)
def ctg_pdf(request, ctg, role):
    return pdf_response(territory_of_ctg(ctg), fields=ctg.fields)
