"""Pages of the diagnostic partagé document (issue 13, item 4): « Document du diagnostic » in the dossier's
« Diagnostic » tab — every member reads it (`Op.VIEW`), the CAF pilot and the coordination write its
introduction and conclusions and generate a version (`Op.MANAGE_DIAGNOSTIC`) — and the permission-checked
downloads of each version's PDF and DOCX."""

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from ctg.conventions.frame import ctg_view, dossier_context, save_form
from ctg.documents import diagnostic, services
from ctg.documents.models import DiagnosticReport
from ctg.evaluation.comparison import previous_conclusions
from ctg.forms import DsfrForm
from ctg.organisations.permissions import Op
from ctg.rendering import DOCX_TYPE, PDF_TYPE
from ctg.uploads import stored_file_response


class DiagnosticTextsForm(DsfrForm):
    introduction = forms.CharField(
        label="Introduction",
        required=False,
        max_length=services.MAX_DIAGNOSTIC_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Contexte, démarche, calendrier du diagnostic. Une ligne commençant par « - » : une puce.",
    )
    conclusions = forms.CharField(
        label="Conclusions",
        required=False,
        max_length=services.MAX_DIAGNOSTIC_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Ce que retient le comité. Une ligne commençant par « - » : une puce.",
    )


def _page(request, ctg, role, form, *, errors=(), status=200):
    report = DiagnosticReport.objects.filter(ctg=ctg).select_related("updated_by").first()
    versions = ctg.diagnostic_versions.select_related("generated_by").order_by("-number")
    return render(
        request,
        "documents/diagnostic.html",
        dossier_context(
            ctg,
            role,
            "diagnostic",
            "Document du diagnostic",
            diagnostic_nav="report",
            form=form,
            report=report,
            outline=diagnostic.OUTLINE,
            versions=versions,
            errors=list(errors),
            # A renewal's diagnostic starts from the previous CTG's final evaluation (issue 16).
            previous_conclusions=previous_conclusions(ctg),
        ),
        status=status,
    )


@ctg_view(Op.VIEW, methods=("GET", "POST"), post_op=Op.MANAGE_DIAGNOSTIC)
def diagnostic_report(request, ctg, role):
    report = DiagnosticReport.objects.filter(ctg=ctg).first()
    initial = {"introduction": report.introduction, "conclusions": report.conclusions} if report else {}
    form = DiagnosticTextsForm(request.POST if request.method == "POST" else None, initial=initial)
    if save_form(
        request,
        form,
        "L'introduction et les conclusions sont enregistrées.",
        services.diagnostic_texts_set,
        ctg=ctg,
    ):
        return redirect(reverse("documents:diagnostic", args=[ctg.pk]) + "#textes")
    return _page(request, ctg, role, form, status=400 if request.method == "POST" else 200)


@ctg_view(Op.MANAGE_DIAGNOSTIC, methods=("POST",))
def diagnostic_generate(request, ctg, role):
    version = services.diagnostic_generate(ctg=ctg, actor=request.user)
    messages.success(request, f"Le document du diagnostic est généré (version {version.number}).")
    return redirect(reverse("documents:diagnostic", args=[ctg.pk]) + "#versions")


def _download(ctg, number: int, field: str, content_type: str) -> FileResponse:
    version = ctg.diagnostic_versions.filter(number=number).first()
    if version is None:
        raise Http404("Version introuvable.")
    return stored_file_response(
        getattr(version, field),
        filename=f"{services.diagnostic_file_stem(version)}.{field}",
        content_type=content_type,
    )


@ctg_view(Op.VIEW)
def diagnostic_version_pdf(request, ctg, role, number):
    return _download(ctg, number, "pdf", PDF_TYPE)


@ctg_view(Op.VIEW)
def diagnostic_version_docx(request, ctg, role, number):
    return _download(ctg, number, "docx", DOCX_TYPE)
