"""The pages of the findings (constats) of the diagnostic partagé, under /diagnostic/ctg/<pk>/constats/: the
list (filters by type, field and commune; counts; CSV export), a finding's page (its source, linked when it
can be, and the enjeux that cite it), create, edit, delete. Every member reads; `Op.MANAGE_DIAGNOSTIC`
(pilote CAF, coordination) writes, through `ctg.findings.services`."""

import io
from collections import Counter

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from ctg.conventions.frame import ctg_view, dossier_context, posted, run_action, save_form
from ctg.conventions.models import Field
from ctg.datafiles import csv_writer
from ctg.diagnostics.catalogue import BY_ID
from ctg.findings import selectors, services
from ctg.findings.forms import FilterForm, FindingForm, IndicatorChoiceForm
from ctg.findings.models import Finding
from ctg.findings.prefill import indicator_evidence
from ctg.organisations.permissions import Op
from ctg.rendering import attachment, ctg_file_name

FIELD_LABELS = dict(Field.choices)
KIND_BADGES = {
    Finding.Kind.ATOUT: "fr-badge--success",
    Finding.Kind.FAIBLESSE: "fr-badge--warning",
    Finding.Kind.BESOIN: "fr-badge--info",
    Finding.Kind.RESSOURCE: "fr-badge--new",
    Finding.Kind.A_QUALIFIER: "",
}


def _context(ctg, role, title, **extra) -> dict:
    context = dossier_context(ctg, role, "diagnostic", title, diagnostic_nav="findings", **extra)
    if title != "Constats du diagnostic":
        context["breadcrumb_data"]["links"].append(
            {"url": reverse("findings:list", args=[ctg.pk]), "title": "Constats"}
        )
    return context


def _finding(ctg, finding_pk) -> Finding:
    return get_object_or_404(Finding, pk=finding_pk, ctg=ctg)


def _filtered(request, ctg):
    form = FilterForm(request.GET or None, ctg=ctg)
    data = form.cleaned_data if form.is_valid() else {}
    findings = selectors.findings_for(
        ctg,
        kind=data.get("type") or None,
        field=data.get("champ") or None,
        commune=data.get("commune") or None,
    )
    return form, findings.prefetch_related("communes")


def _row(finding: Finding) -> dict:
    return {
        "finding": finding,
        "badge": KIND_BADGES.get(finding.kind, ""),
        "fields": [FIELD_LABELS.get(f, f) for f in finding.fields],
        "communes": [c.name for c in finding.communes.all()],
    }


@ctg_view(Op.VIEW)
def finding_list(request, ctg, role):
    form, findings = _filtered(request, ctg)
    findings = list(findings)
    counts = Counter(f.kind for f in findings)
    query = request.GET.urlencode()
    return render(
        request,
        "findings/list.html",
        _context(
            ctg,
            role,
            "Constats du diagnostic",
            filter_form=form,
            rows=[_row(f) for f in findings],
            counts=[(label, counts.get(code, 0)) for code, label in Finding.Kind.choices],
            total=len(findings),
            all_total=Finding.objects.filter(ctg=ctg).count(),
            csv_url=reverse("findings:csv", args=[ctg.pk]) + (f"?{query}" if query else ""),
            indicator_form=IndicatorChoiceForm(),
        ),
    )


CSV_HEADER = [
    "Type",
    "Constat",
    "Élément probant",
    "Champs d'intervention",
    "Communes",
    "Public",
    "Type de source",
    "Source",
    "Référence de la source",
    "Importance",
    "Fictif",
]


@ctg_view(Op.VIEW)
def finding_csv(request, ctg, role):
    """The findings as CSV (semicolons, UTF-8 with BOM), with the list's filters; no cell run as a formula
    (`ctg.datafiles`)."""
    _form, findings = _filtered(request, ctg)
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(CSV_HEADER)
    for f in findings:
        writer.writerow(
            [
                f.get_kind_display(),
                f.title,
                f.evidence,
                ", ".join(FIELD_LABELS.get(code, code) for code in f.fields),
                ", ".join(c.name for c in f.communes.all()) or "Tout le territoire",
                f.public,
                f.get_source_kind_display(),
                f.source_label,
                f.source_ref,
                f.weight,
                "oui" if f.is_fictitious else "non",
            ]
        )
    return attachment(
        "\ufeff" + buffer.getvalue(), "text/csv; charset=utf-8", f"{ctg_file_name(ctg, 'constats')}.csv"
    )


@ctg_view(Op.VIEW)
def finding_detail(request, ctg, role, finding_pk):
    finding = _finding(ctg, finding_pk)
    source_label, source_link = selectors.source_url(finding)
    indicator = BY_ID.get(finding.source_ref) if finding.source_kind == Finding.SourceKind.INDICATOR else None
    return render(
        request,
        "findings/detail.html",
        _context(
            ctg,
            role,
            finding.title,
            finding=finding,
            row=_row(finding),
            source_label=source_label,
            source_link=source_link,
            indicator=indicator,
            citations=selectors.citations(finding),
        ),
    )


def _form_page(request, ctg, role, form, *, heading, finding=None, intro=""):
    back = (
        reverse("findings:detail", args=[ctg.pk, finding.pk])
        if finding
        else reverse("findings:list", args=[ctg.pk])
    )
    return render(
        request,
        "findings/form.html",
        _context(ctg, role, heading, form=form, heading=heading, finding=finding, back_url=back, intro=intro),
        status=400 if request.method == "POST" else 200,
    )


def _create(ctg):
    def create(*, actor, **values):
        # An indicator chosen in the form without evidence typed: the portrait's current figure.
        indicator = (
            values.get("source_ref") if values.get("source_kind") == Finding.SourceKind.INDICATOR else ""
        )
        if indicator in BY_ID and not values.get("evidence"):
            values["evidence"] = indicator_evidence(ctg, indicator)
        return services.finding_create(ctg=ctg, actor=actor, values=values)

    return create


def _update(finding):
    def update(*, actor, **values):
        return services.finding_update(finding=finding, actor=actor, values=values)

    return update


@ctg_view(Op.MANAGE_DIAGNOSTIC, methods=("GET", "POST"))
def finding_create(request, ctg, role):
    initial, intro = {}, ""
    indicator_id = request.GET.get("indicateur", "")
    if request.method == "GET" and indicator_id in BY_ID:
        # « Constat à partir d'un indicateur du portrait »: the figure of the dossier's territory, prefilled.
        indicator = BY_ID[indicator_id]
        initial = {
            "source_kind": Finding.SourceKind.INDICATOR,
            "indicator": indicator_id,
            "title": indicator.label,
            "evidence": indicator_evidence(ctg, indicator_id),
            "source_label": "Portrait social de territoire",
        }
        intro = (
            "L'élément probant reprend le chiffre actuel du portrait du territoire : complétez le constat."
        )
    form = FindingForm(posted(request), ctg=ctg, initial=initial)
    saved = save_form(request, form, "Le constat est ajouté.", _create(ctg))
    if saved:
        return redirect("findings:detail", pk=ctg.pk, finding_pk=saved.result.pk)
    return _form_page(request, ctg, role, form, heading="Ajouter un constat", intro=intro)


@ctg_view(Op.MANAGE_DIAGNOSTIC, methods=("GET", "POST"))
def finding_edit(request, ctg, role, finding_pk):
    finding = _finding(ctg, finding_pk)
    form = FindingForm(posted(request), ctg=ctg, finding=finding, initial=FindingForm.initial_of(finding))
    if save_form(request, form, "Le constat est enregistré.", _update(finding)):
        return redirect("findings:detail", pk=ctg.pk, finding_pk=finding.pk)
    return _form_page(
        request, ctg, role, form, heading=f"Modifier le constat « {finding.title} »", finding=finding
    )


@ctg_view(Op.MANAGE_DIAGNOSTIC, methods=("GET", "POST"))
def finding_delete(request, ctg, role, finding_pk):
    finding = _finding(ctg, finding_pk)
    if request.method == "POST":
        if run_action(
            request, f"Le constat « {finding.title} » est supprimé.", services.finding_delete, finding=finding
        ):
            return redirect("findings:list", pk=ctg.pk)
        return redirect("findings:detail", pk=ctg.pk, finding_pk=finding.pk)
    return render(
        request,
        "findings/delete.html",
        _context(
            ctg,
            role,
            f"Supprimer le constat « {finding.title} »",
            finding=finding,
            citations=selectors.citations(finding),
        ),
    )
