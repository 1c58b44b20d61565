"""The findings (constats) of the diagnostic partagé in the plan (issue 13): on the enjeu's page, « Citer un
constat » and « Retirer » (`services.findings`); « Créer un enjeu depuis des constats »
(/plan/ctg/<pk>/enjeux/depuis-constats/, the ateliers link to it with `?constats=<id>&constats=<id>`); and
what grounds a fiche action (its enjeux' findings and needs evidence, read-only on the fiche's page)."""

from collections import defaultdict

from django import forms
from django.shortcuts import get_object_or_404, redirect, render

from ctg.conventions.frame import ctg_view, dossier_context, posted, run_action, save_form
from ctg.conventions.models import Field
from ctg.findings.models import Finding
from ctg.findings.selectors import findings_for
from ctg.forms import DsfrForm
from ctg.organisations.permissions import Op
from ctg.plans.models import Enjeu
from ctg.plans.services import evidence
from ctg.plans.services import findings as findings_services


def _finding_label(finding: Finding) -> str:
    return f"{finding.get_kind_display()} — {finding.title}"


class CiteFindingForm(DsfrForm):
    finding = forms.TypedChoiceField(label="Constat du diagnostic", coerce=int)

    def __init__(self, *args, ctg, enjeu, **kwargs):
        super().__init__(*args, prefix="citer", **kwargs)
        cited = enjeu.findings.values_list("pk", flat=True)
        self.fields["finding"].choices = [
            (f.pk, _finding_label(f)) for f in findings_for(ctg).exclude(pk__in=cited)
        ]


class EnjeuFromFindingsForm(DsfrForm):
    title = forms.CharField(label="Intitulé de l'enjeu", max_length=300)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    fields = forms.MultipleChoiceField(
        label="Champs d'intervention",
        choices=Field.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    findings = forms.TypedMultipleChoiceField(
        label="Constats cités",
        help_text="Les constats du diagnostic qui fondent l'enjeu (au moins un).",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, ctg, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["findings"].choices = [(f.pk, _finding_label(f)) for f in findings_for(ctg)]


def _enjeu(ctg, enjeu_pk) -> Enjeu:
    return get_object_or_404(Enjeu, pk=enjeu_pk, ctg=ctg)


def enjeu_findings_context(ctg, enjeu, form=None) -> dict:
    """The enjeu page's « Constats du diagnostic »: the findings it cites and the form to cite another."""
    return {
        "cited_findings": list(enjeu.findings.order_by("-weight", "id")),
        "cite_form": form if form is not None else CiteFindingForm(ctg=ctg, enjeu=enjeu),
    }


def fiche_grounds(enjeux: list[Enjeu]) -> list[dict]:
    """« Ce qui fonde cette fiche »: for each enjeu of the fiche's objectives, the findings it cites and the
    titles of its needs evidence (one query for the findings)."""
    cited = defaultdict(list)
    links = Enjeu.findings.through.objects.filter(enjeu__in=[e.pk for e in enjeux]).select_related("finding")
    for link in links.order_by("-finding__weight", "finding_id"):
        cited[link.enjeu_id].append(link.finding)
    return [
        {
            "enjeu": enjeu,
            "findings": cited.get(enjeu.pk, []),
            "needs": [evidence.citation_title(c) for c in enjeu.needs_evidence],
        }
        for enjeu in enjeux
    ]


def _findings_anchor(ctg, enjeu):
    response = redirect("plans:enjeu_detail", pk=ctg.pk, enjeu_pk=enjeu.pk)
    response["Location"] += "#constats-diagnostic"
    return response


@ctg_view(Op.EDIT_PLAN, methods=("POST",))
def enjeu_finding_cite(request, ctg, role, enjeu_pk):
    from ctg.plans.views_evidence import _enjeu_page  # the enjeu's page imports this module

    enjeu = _enjeu(ctg, enjeu_pk)
    form = CiteFindingForm(request.POST, ctg=ctg, enjeu=enjeu)
    if save_form(request, form, "Le constat est cité.", findings_services.finding_cite, enjeu=enjeu):
        return _findings_anchor(ctg, enjeu)
    return _enjeu_page(request, ctg, role, enjeu, cite_form=form, status=400)


@ctg_view(Op.EDIT_PLAN, methods=("POST",))
def enjeu_finding_remove(request, ctg, role, enjeu_pk):
    enjeu = _enjeu(ctg, enjeu_pk)
    run_action(
        request,
        "Le constat est retiré de l'enjeu.",
        findings_services.finding_uncite,
        enjeu=enjeu,
        finding=request.POST.get("finding", ""),
    )
    return _findings_anchor(ctg, enjeu)


def _preselected(request, ctg) -> list[int]:
    """The ids of `?constats=` that are findings of `ctg` (another dossier's are dropped)."""
    ids = []
    for value in request.GET.getlist("constats"):
        try:
            ids.append(int(value))
        except ValueError:
            continue
    return list(Finding.objects.filter(ctg=ctg, pk__in=ids).values_list("pk", flat=True))


@ctg_view(Op.EDIT_PLAN, methods=("GET", "POST"))
def enjeu_from_findings(request, ctg, role):
    preselected = _preselected(request, ctg)
    # The fields of the preselected findings, in the order of the fields.
    chosen = {
        f
        for fields in Finding.objects.filter(pk__in=preselected).values_list("fields", flat=True)
        for f in fields
    }
    initial = {"findings": preselected, "fields": [code for code in Field.values if code in chosen]}
    form = EnjeuFromFindingsForm(posted(request), ctg=ctg, initial=initial)
    success = "L'enjeu est créé à partir des constats ; ajoutez-lui ses objectifs."
    saved = save_form(request, form, success, findings_services.enjeu_from_findings, ctg=ctg)
    if saved:
        return redirect("plans:enjeu_detail", pk=ctg.pk, enjeu_pk=saved.result.pk)
    return render(
        request,
        "plans/enjeu_from_findings.html",
        dossier_context(
            ctg,
            role,
            "plan",
            "Créer un enjeu depuis des constats",
            form=form,
            has_findings=bool(form.fields["findings"].choices),
        ),
        status=400 if request.method == "POST" else 200,
    )
