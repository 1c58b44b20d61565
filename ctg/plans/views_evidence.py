"""The enjeu's page (every member reads it) and its « Constats chiffrés de l'offre »: rows of « Besoins et
offre » cited as evidence (`services.evidence`), each figure beside today's when it has changed. The
dossier's editors cite a row (a field, for the dossier's territory or one of its communes) and remove one."""

from django import forms
from django.shortcuts import get_object_or_404, redirect, render

from ctg.conventions.frame import ctg_view, dossier_context, run_action, save_form
from ctg.conventions.models import Field
from ctg.diagnostics.catalogue import BY_ID
from ctg.forms import DsfrForm
from ctg.organisations.permissions import Op
from ctg.plans.models import Enjeu
from ctg.plans.services import evidence
from ctg.plans.views_findings import enjeu_findings_context

FIELD_LABELS = dict(Field.choices)


class EvidenceForm(DsfrForm):
    field = forms.ChoiceField(label="Champ d'intervention")
    territory = forms.ChoiceField(label="Territoire")

    def __init__(self, *args, ctg, **kwargs):
        super().__init__(*args, prefix="constat", **kwargs)
        self.fields["field"].choices = evidence.field_choices()
        self.fields["territory"].choices = evidence.territory_choices(ctg)


def _enjeu(ctg, enjeu_pk) -> Enjeu:
    return get_object_or_404(Enjeu, pk=enjeu_pk, ctg=ctg)


def _enjeu_page(request, ctg, role, enjeu, form=None, status=200, cite_form=None):
    order = list(Enjeu.objects.filter(ctg=ctg).values_list("pk", flat=True))
    number = order.index(enjeu.pk) + 1
    context = dossier_context(
        ctg,
        role,
        "plan",
        f"Enjeu {number} — {enjeu.title}",
        enjeu=enjeu,
        number=number,
        fields=[FIELD_LABELS.get(f, f) for f in enjeu.fields],
        indicators=[BY_ID[i].label for i in enjeu.attention_indicators if i in BY_ID],
        citations=evidence.compare(ctg, enjeu.needs_evidence),
        form=form if form is not None else EvidenceForm(ctg=ctg),
        **enjeu_findings_context(ctg, enjeu, cite_form),
    )
    return render(request, "plans/enjeu_detail.html", context, status=status)


def _evidence_anchor(ctg, enjeu):
    response = redirect("plans:enjeu_detail", pk=ctg.pk, enjeu_pk=enjeu.pk)
    response["Location"] += "#constats-chiffres"
    return response


@ctg_view(Op.VIEW)
def enjeu_detail(request, ctg, role, enjeu_pk):
    return _enjeu_page(request, ctg, role, _enjeu(ctg, enjeu_pk))


@ctg_view(Op.EDIT_PLAN, methods=("POST",))
def enjeu_evidence_cite(request, ctg, role, enjeu_pk):
    enjeu = _enjeu(ctg, enjeu_pk)
    form = EvidenceForm(request.POST, ctg=ctg)
    if save_form(request, form, "Le constat chiffré est cité.", evidence.evidence_cite, enjeu=enjeu):
        return _evidence_anchor(ctg, enjeu)
    return _enjeu_page(request, ctg, role, enjeu, form=form, status=400)


@ctg_view(Op.EDIT_PLAN, methods=("POST",))
def enjeu_evidence_remove(request, ctg, role, enjeu_pk):
    enjeu = _enjeu(ctg, enjeu_pk)
    run_action(
        request,
        "Le constat chiffré est retiré.",
        evidence.evidence_uncite,
        enjeu=enjeu,
        field=request.POST.get("field", ""),
        territory=request.POST.get("territory", ""),
    )
    return _evidence_anchor(ctg, enjeu)
