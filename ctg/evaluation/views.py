"""Views of the yearly bilan of the plan d'action: page, highlights, validation, PDF and DOCX (URLs under
/plan/ctg/<pk>/bilan/, namespace `evaluation`)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from ctg.conventions.frame import ctg_view, dossier_context
from ctg.evaluation import bilan as bilan_module
from ctg.evaluation import services
from ctg.evaluation.models import BilanAnnuel
from ctg.jobs.views import job_started
from ctg.organisations.permissions import Op
from ctg.rendering import DOCX_TYPE, PDF_TYPE, attachment, check_year, ctg_file_name


def _bilan_page(request, ctg, role, year, *, errors=(), highlights=None, status=200):
    data = bilan_module.compute(ctg, year)
    return render(
        request,
        "evaluation/bilan.html",
        dossier_context(
            ctg,
            role,
            "plan",
            f"Bilan annuel {year}",
            b=data,
            years=range(ctg.start_year, ctg.end_year + 1),
            errors=list(errors),
            highlights_value=data["highlights"] if highlights is None else highlights,
            bilan_formats=[("pdf", "PDF"), ("docx", "Word, DOCX")],
        ),
        status=status,
    )


@ctg_view(Op.VIEW)
def bilan_current(request, ctg, role):
    year = min(max(timezone.localdate().year, ctg.start_year), ctg.end_year)
    return redirect("evaluation:bilan", pk=ctg.pk, year=year)


@ctg_view(Op.VIEW)
def bilan(request, ctg, role, year):
    check_year(ctg, year)
    return _bilan_page(request, ctg, role, year)


@ctg_view(Op.VIEW)
def bilan_pdf(request, ctg, role, year):
    check_year(ctg, year)
    content = bilan_module.render_pdf(bilan_module.compute(ctg, year))
    return attachment(content, PDF_TYPE, f"{ctg_file_name(ctg, f'bilan-{year}')}.pdf")


@ctg_view(Op.VIEW)
def bilan_docx(request, ctg, role, year):
    check_year(ctg, year)
    content = bilan_module.render_docx(bilan_module.compute(ctg, year))
    return attachment(content, DOCX_TYPE, f"{ctg_file_name(ctg, f'bilan-{year}')}.docx")


@ctg_view(Op.PREPARE_DOCUMENT, methods=("POST",))
def bilan_prepare(request, ctg, role, year, fmt):
    """The bilan's PDF or DOCX made by the worker: with the page's script, its progress shown inline; without,
    the job's own page."""
    from ctg.evaluation.jobs import FORMATS, bilan_enqueue

    check_year(ctg, year)
    if fmt not in FORMATS:
        raise Http404("Format inconnu.")
    return job_started(request, bilan_enqueue(ctg=ctg, year=year, fmt=fmt, actor=request.user))


def _get_or_create_bilan(ctg, year, actor) -> BilanAnnuel:
    existing = BilanAnnuel.objects.filter(ctg=ctg, year=year).first()
    return existing or services.bilan_create(ctg=ctg, actor=actor, year=year)


@ctg_view(Op.EDIT_PLAN, methods=("POST",))
def bilan_highlights(request, ctg, role, year):
    check_year(ctg, year)
    highlights = request.POST.get("highlights", "")
    try:
        with transaction.atomic():
            current = _get_or_create_bilan(ctg, year, request.user)
            services.bilan_set_highlights(bilan=current, actor=request.user, highlights=highlights)
    except ValidationError as error:
        return _bilan_page(request, ctg, role, year, errors=error.messages, highlights=highlights, status=400)
    messages.success(request, f"Les faits marquants du bilan {year} sont enregistrés.")
    return redirect("evaluation:bilan", pk=ctg.pk, year=year)


@ctg_view(Op.VALIDATE_BILAN, methods=("POST",))
def bilan_validate(request, ctg, role, year):
    check_year(ctg, year)
    try:
        with transaction.atomic():
            current = _get_or_create_bilan(ctg, year, request.user)
            services.bilan_validate(bilan=current, actor=request.user)
    except ValidationError as error:
        return _bilan_page(request, ctg, role, year, errors=error.messages, status=400)
    messages.success(request, f"Le bilan {year} est validé.")
    return redirect("evaluation:bilan", pk=ctg.pk, year=year)
