"""« Transformer en fiche action » a scenario of the offer of services (issue 12, item 5), under
/plan/ctg/<pk>/scenarios/<scenario_pk>/fiche-action/: the page asks the operational objective to attach
the fiche to; those who edit the plan confirm it (`ctg.plans.services.scenarios`).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from ctg.conventions.frame import ctg_view, dossier_context
from ctg.forms import DsfrForm
from ctg.offer.models import Scenario
from ctg.organisations.permissions import Op
from ctg.plans.services import scenarios


class FicheForm(DsfrForm):
    objective = forms.ChoiceField(label="Objectif opérationnel de la fiche", choices=())

    def __init__(self, *args, objectives, labels, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Choisir un objectif")] + [(str(o.pk), labels.get(o.pk, o.title)) for o in objectives]
        self.fields["objective"].choices = choices
        self.fields["objective"].widget.choices = choices


@ctg_view(Op.EDIT_PLAN, methods=("GET", "POST"))
def scenario_fiche(request, ctg, role, scenario_pk):
    scenario = get_object_or_404(Scenario, pk=scenario_pk, ctg=ctg)
    objectives = scenarios.operational_objectives(ctg)
    form = FicheForm(request.POST if request.method == "POST" else None, objectives=objectives, labels={})
    status = 200
    if request.method == "POST":
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
            text = f"Fiche action « {fiche.title} » créée à partir du scénario, son budget prérempli par le "
            text += "financement simulé."
            left_out = getattr(fiche, "budget_left_out", [])
            if left_out:
                text += " Montants non repris (non calculés) : " + " ; ".join(left_out)
            messages.success(request, text)
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
        no_objective=scenarios.NO_OBJECTIVE,
    )
    return render(request, "plans/scenario_fiche.html", context, status=status)
