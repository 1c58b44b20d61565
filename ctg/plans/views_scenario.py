"""« Transformer en fiche action » a scenario of the offer of services (issue 12, item 5), under
/plan/ctg/<pk>/scenarios/<scenario_pk>/fiche-action/: the page asks the operational objective to attach
the new fiche to, or offers to attach the scenario to an existing fiche of the plan (issue 14); either way the
fiche's budget is pre-filled from the scenario's simulated funding. Those who edit the plan confirm it
(`ctg.plans.services.scenarios`).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from ctg.conventions.frame import ctg_view, dossier_context
from ctg.forms import DsfrForm
from ctg.offer.models import Scenario
from ctg.organisations.permissions import Op
from ctg.plans.models import FicheAction
from ctg.plans.services import scenarios


class FicheForm(DsfrForm):
    objective = forms.ChoiceField(label="Objectif opérationnel de la fiche", choices=())

    def __init__(self, *args, objectives, labels, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Choisir un objectif")] + [(str(o.pk), labels.get(o.pk, o.title)) for o in objectives]
        self.fields["objective"].choices = choices
        self.fields["objective"].widget.choices = choices


class AttachForm(DsfrForm):
    fiche = forms.ChoiceField(label="Fiche action existante", choices=())

    def __init__(self, *args, fiches, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Choisir une fiche")] + [(str(f.pk), f.title) for f in fiches]
        self.fields["fiche"].choices = choices
        self.fields["fiche"].widget.choices = choices


def _message(text: str, left_out: list[str]) -> str:
    if left_out:
        text += " Montants non repris : " + " ; ".join(left_out)
    return text


@ctg_view(Op.EDIT_PLAN, methods=("GET", "POST"))
def scenario_fiche(request, ctg, role, scenario_pk):
    scenario = get_object_or_404(Scenario, pk=scenario_pk, ctg=ctg)
    objectives = scenarios.operational_objectives(ctg)
    fiches = list(scenarios.attachable_fiches(ctg))
    attaching = request.method == "POST" and "fiche" in request.POST
    form = FicheForm(
        request.POST if request.method == "POST" and not attaching else None, objectives=objectives, labels={}
    )
    attach_form = AttachForm(request.POST if attaching else None, fiches=fiches)
    status = 200
    if attaching:
        try:
            left_out = scenarios.scenario_attach(
                scenario=scenario, actor=request.user, fiche=request.POST.get("fiche")
            )
        except ValidationError as error:
            attach_form.is_valid()
            for text in error.messages:
                attach_form.add_error("fiche", text)
            status = 400
        else:
            fiche = FicheAction.objects.get(source_scenario=scenario)
            messages.success(
                request,
                _message(
                    f"Scénario rattaché à la fiche action « {fiche.title} », son financement simulé ajouté "
                    "au budget de la fiche.",
                    left_out,
                ),
            )
            return redirect("plans:fiche_detail", ctg.pk, fiche.pk)
    elif request.method == "POST":
        try:
            fiche = scenarios.scenario_to_fiche(
                scenario=scenario, actor=request.user, objective=request.POST.get("objective") or None
            )
        except ValidationError as error:
            form.is_valid()
            for text in error.messages:
                form.add_error("objective", text)
            status = 400
        else:
            messages.success(
                request,
                _message(
                    f"Fiche action « {fiche.title} » créée à partir du scénario, son budget prérempli par le "
                    "financement simulé.",
                    fiche.budget_left_out,
                ),
            )
            return redirect("plans:fiche_detail", ctg.pk, fiche.pk)
    context = dossier_context(
        ctg,
        role,
        "plan",
        f"Transformer le scénario « {scenario.name} » en fiche action",
        scenario=scenario,
        fiche=scenario.fiches.first(),
        objectives=objectives,
        form=form,
        attach_form=attach_form,
        fiches=fiches,
        no_objective=scenarios.NO_OBJECTIVE,
    )
    return render(request, "plans/scenario_fiche.html", context, status=status)
