"""The fiche action pages: create, edit (optimistic locking), its page with its budget, steps, indicators,
attachments and comments, and their forms; moving and deleting a fiche from the tree."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from ctg.conventions.frame import apply_errors, ctg_view, dossier_context, posted, run_action, save_form
from ctg.diagnostics.catalogue import BY_ID
from ctg.organisations.permissions import Op, role_allows
from ctg.plans import numbering, progress, selectors, summary
from ctg.plans.forms import (
    AttachmentForm,
    BudgetLineForm,
    CommentForm,
    FicheForm,
    IndicatorForm,
    IndicatorValueForm,
    StepsForm,
)
from ctg.plans.models import (
    Attachment,
    BudgetLine,
    FicheAction,
    IndicatorValue,
    PlanIndicator,
)
from ctg.plans.services import fiche_items, fiches, indicators
from ctg.plans.views_findings import fiche_grounds
from ctg.plans.views_tree import (
    FICHE_STATUS_BADGES,
    _current_year,
    _direction,
    _progress_badge,
    _tree_redirect,
)
from ctg.uploads import stored_file_response

# --- fiches --------------------------------------------------------------------------------------------


def _fiche(ctg, fiche_pk):
    return get_object_or_404(FicheAction, pk=fiche_pk, ctg=ctg)


def _objective_numbers(ctg) -> dict[int, str]:
    return {
        key[1]: f"{number}"
        for key, number in selectors.objective_numbers(ctg).items()
        if key[0] == numbering.OPERATIONAL
    }


def _fiche_form_page(request, ctg, role, form, heading, fiche=None, conflict="", status=None):
    if status is None:
        status = 400 if request.method == "POST" else 200
    return render(
        request,
        "plans/fiche_form.html",
        dossier_context(
            ctg, role, "plan", heading, form=form, heading=heading, fiche=fiche, conflict=conflict
        ),
        status=status,
    )


@ctg_view(Op.EDIT_PLAN, methods=("GET", "POST"))
def fiche_create(request, ctg, role):
    initial = {
        "status": FicheAction.Status.A_VENIR,
        "priority": FicheAction.Priority.MOYENNE,
    }
    objective = request.GET.get("objectif")
    if objective and objective.isdigit():
        initial["objectives"] = [int(objective)]
    form = FicheForm(posted(request), initial=initial, ctg=ctg, objective_numbers=_objective_numbers(ctg))
    if saved := save_form(request, form, "La fiche action est créée.", fiches.fiche_create, ctg=ctg):
        return redirect("plans:fiche_detail", pk=ctg.pk, fiche_pk=saved.result.pk)
    return _fiche_form_page(request, ctg, role, form, "Nouvelle fiche action")


@ctg_view(Op.EDIT_FICHE, methods=("GET", "POST"))
def fiche_edit(request, ctg, role, fiche_pk):
    fiche = _editable_fiche(request, ctg, role, fiche_pk)
    initial = {name: getattr(fiche, name) for name in fiches.FICHE_FIELDS if name not in fiches.FICHE_M2M}
    for name in fiches.FICHE_M2M:
        initial[name] = list(getattr(fiche, name).all())
    initial["version"] = fiche.version
    form = FicheForm(posted(request), initial=initial, ctg=ctg, objective_numbers=_objective_numbers(ctg))
    if request.method == "POST" and form.is_valid():
        try:
            fiches.fiche_update(
                fiche=fiche,
                actor=request.user,
                expected_version=form.cleaned_data.get("version"),
                **form.values(),
            )
        except fiches.FicheConflict as error:
            return _fiche_form_page(
                request, ctg, role, form, "Modifier la fiche action", fiche, " ".join(error.messages), 409
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "La fiche action est enregistrée.")
            return redirect("plans:fiche_detail", pk=ctg.pk, fiche_pk=fiche.pk)
    return _fiche_form_page(request, ctg, role, form, "Modifier la fiche action", fiche)


def _indicator_rows(fiche, year):
    rows = []
    for indicator in fiche.indicators.prefetch_related("values"):
        values = list(indicator.values.all())
        years = sorted({v.year for v in values})
        by = {(v.year, v.kind): v for v in values}
        rows.append(
            {
                "indicator": indicator,
                "portrait": BY_ID[indicator.portrait_indicator].label
                if indicator.portrait_indicator in BY_ID
                else "",
                "years": [
                    {
                        "year": y,
                        "target": by.get((y, IndicatorValue.Kind.TARGET)),
                        "realised": by.get((y, IndicatorValue.Kind.REALISED)),
                    }
                    for y in years
                ],
                "progress": _progress_badge(
                    progress.status_for_year(selectors.indicator_series(indicator), year)
                ),
            }
        )
    return rows


def _budget(fiche):
    lines = list(fiche.budget.all())
    budget = summary.budget_summary(lines, summary.YEAR)
    return {
        "lines": lines,
        "by_year": [(row.key, {"planned": row.planned, "spent": row.spent}) for row in budget.rows],
        "planned": budget.planned,
        "spent": budget.spent,
    }


def _fiche_page(
    request,
    ctg,
    role,
    fiche,
    comment_form=None,
    budget_form=None,
    value_form=None,
    indicator_form=None,
    attachment_form=None,
    steps_form=None,
    status=200,
):
    # Its number and its objectives' without numbering every fiche of the plan (the same as the tree's).
    labels = numbering.labels(selectors.fiche_numbers(ctg, fiche))
    objectives = [
        {"obj": o, "label": labels.get((numbering.OPERATIONAL, o.pk), "")}
        for o in fiche.objectives.select_related("strategic__enjeu").order_by(
            "strategic__enjeu__position", "strategic__position", "position", "id"
        )
    ]
    year = _current_year(ctg)
    enjeux = list({o["obj"].strategic.enjeu.pk: o["obj"].strategic.enjeu for o in objectives}.values())
    return render(
        request,
        "plans/fiche_detail.html",
        dossier_context(
            ctg,
            role,
            "plan",
            fiche.title,
            fiche=fiche,
            fiche_label=labels.get((numbering.FICHE, fiche.pk), "Fiche"),
            status_css=FICHE_STATUS_BADGES.get(fiche.status, ""),
            objectives=objectives,
            grounds=fiche_grounds(enjeux),
            communes=fiche.communes.order_by("name"),
            partners=fiche.partners.order_by("name"),
            steps=fiche.steps.all(),
            budget=_budget(fiche),
            indicators=_indicator_rows(fiche, year),
            year=year,
            comments=fiche.comments.select_related("created_by"),
            attachments=fiche.attachments.select_related("created_by"),
            attachment_form=attachment_form or AttachmentForm(),
            steps_form=steps_form
            or StepsForm(
                initial={"steps": "\n".join(f"{s.year} : {s.description}" for s in fiche.steps.all())}
            ),
            history=selectors.fiche_history(fiche),
            can_edit_fiche=selectors.can_edit_fiche(request.user, role, fiche),
            can_comment=role_allows(role, Op.CONTRIBUTE),
            comment_form=comment_form or CommentForm(),
            budget_form=budget_form or BudgetLineForm(initial={"year": year}),
            value_form=value_form or IndicatorValueForm(fiche=fiche, initial={"year": year}),
            indicator_form=indicator_form or IndicatorForm(),
        ),
        status=status,
    )


@ctg_view(Op.VIEW)
def fiche_detail(request, ctg, role, fiche_pk):
    return _fiche_page(request, ctg, role, _fiche(ctg, fiche_pk))


@ctg_view(Op.CONTRIBUTE, methods=("POST",))
def fiche_comment(request, ctg, role, fiche_pk):
    fiche = _fiche(ctg, fiche_pk)
    form = CommentForm(request.POST)
    if save_form(request, form, "Votre commentaire est ajouté.", fiche_items.comment_add, fiche=fiche):
        response = redirect("plans:fiche_detail", pk=ctg.pk, fiche_pk=fiche.pk)
        response["Location"] += "#commentaires"
        return response
    return _fiche_page(request, ctg, role, fiche, comment_form=form, status=400)


@ctg_view(Op.EDIT_PLAN, methods=("POST",))
def fiche_move(request, ctg, role, fiche_pk):
    fiche = _fiche(ctg, fiche_pk)
    if direction := _direction(request):
        run_action(
            request, "La fiche action est déplacée.", fiches.fiche_move, fiche=fiche, direction=direction
        )
    return _tree_redirect(ctg, f"fiche-{fiche.pk}")


@ctg_view(Op.EDIT_PLAN, methods=("POST",))
def fiche_delete(request, ctg, role, fiche_pk):
    fiche = _fiche(ctg, fiche_pk)
    run_action(request, f"La fiche action « {fiche.title} » est supprimée.", fiches.fiche_delete, fiche=fiche)
    return _tree_redirect(ctg)


def _editable_fiche(request, ctg, role, fiche_pk):
    fiche = _fiche(ctg, fiche_pk)
    if not selectors.can_edit_fiche(request.user, role, fiche):
        raise PermissionDenied("Vous ne pouvez pas modifier cette fiche action.")
    return fiche


def _fiche_anchor(ctg, fiche, anchor):
    response = redirect("plans:fiche_detail", pk=ctg.pk, fiche_pk=fiche.pk)
    response["Location"] += f"#{anchor}"
    return response


@ctg_view(Op.EDIT_FICHE, methods=("POST",))
def fiche_budget(request, ctg, role, fiche_pk):
    fiche = _editable_fiche(request, ctg, role, fiche_pk)
    form = BudgetLineForm(request.POST)
    if save_form(request, form, "La ligne de budget est enregistrée.", fiche_items.budget_set, fiche=fiche):
        return _fiche_anchor(ctg, fiche, "budget")
    return _fiche_page(request, ctg, role, fiche, budget_form=form, status=400)


@ctg_view(Op.EDIT_FICHE, methods=("POST",))
def fiche_attachment(request, ctg, role, fiche_pk):
    fiche = _editable_fiche(request, ctg, role, fiche_pk)
    form = AttachmentForm(request.POST, request.FILES)
    if save_form(request, form, "La pièce jointe est ajoutée.", fiche_items.attachment_add, fiche=fiche):
        return _fiche_anchor(ctg, fiche, "pieces-jointes")
    return _fiche_page(request, ctg, role, fiche, attachment_form=form, status=400)


@ctg_view(Op.EDIT_FICHE, methods=("POST",))
def fiche_steps(request, ctg, role, fiche_pk):
    fiche = _editable_fiche(request, ctg, role, fiche_pk)
    form = StepsForm(request.POST)
    if save_form(
        request, form, "Le calendrier de la fiche est enregistré.", fiche_items.fiche_steps_set, fiche=fiche
    ):
        return _fiche_anchor(ctg, fiche, "calendrier")
    return _fiche_page(request, ctg, role, fiche, steps_form=form, status=400)


@ctg_view(Op.VIEW)
def fiche_attachment_download(request, ctg, role, fiche_pk, attachment_pk):
    fiche = _fiche(ctg, fiche_pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, fiche=fiche)
    return stored_file_response(attachment.file)


@ctg_view(Op.EDIT_FICHE, methods=("POST",))
def fiche_indicator_value(request, ctg, role, fiche_pk):
    fiche = _editable_fiche(request, ctg, role, fiche_pk)
    form = IndicatorValueForm(request.POST, fiche=fiche)
    if save_form(request, form, "La valeur de l'indicateur est enregistrée.", indicators.indicator_value_set):
        return _fiche_anchor(ctg, fiche, "indicateurs")
    return _fiche_page(request, ctg, role, fiche, value_form=form, status=400)


@ctg_view(Op.EDIT_FICHE, methods=("POST",))
def fiche_indicator_create(request, ctg, role, fiche_pk):
    fiche = _editable_fiche(request, ctg, role, fiche_pk)
    form = IndicatorForm(request.POST)
    if save_form(request, form, "L'indicateur est ajouté.", indicators.indicator_create, fiche=fiche):
        return _fiche_anchor(ctg, fiche, "indicateurs")
    return _fiche_page(request, ctg, role, fiche, indicator_form=form, status=400)


# --- deleting a budget line, editing and deleting an indicator -----------------------------------------


def _budget_line(fiche, line_pk):
    return get_object_or_404(BudgetLine, pk=line_pk, fiche=fiche)


def _plan_indicator(fiche, indicator_pk):
    return get_object_or_404(PlanIndicator, pk=indicator_pk, fiche=fiche)


def _number_text(value) -> str:
    """A decimal as typed in French (« 3,5 »), for the initial value of a text field."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def _confirm_page(request, ctg, role, fiche, *, heading, details, button, anchor):
    return render(
        request,
        "plans/fiche_item_delete.html",
        dossier_context(
            ctg,
            role,
            "plan",
            heading,
            fiche=fiche,
            heading=heading,
            details=details,
            button=button,
            anchor=anchor,
        ),
    )


@ctg_view(Op.EDIT_FICHE, methods=("GET", "POST"))
def fiche_budget_delete(request, ctg, role, fiche_pk, line_pk):
    """GET: asks to confirm; POST: deletes the budget line (the history keeps its amounts)."""
    fiche = _editable_fiche(request, ctg, role, fiche_pk)
    line = _budget_line(fiche, line_pk)
    label = f"{line.get_funder_display()} {line.year}"
    if request.method == "POST":
        run_action(
            request, f"La ligne de budget « {label} » est supprimée.", fiche_items.budget_delete, line=line
        )
        return _fiche_anchor(ctg, fiche, "budget")
    return _confirm_page(
        request,
        ctg,
        role,
        fiche,
        heading=f"Supprimer la ligne de budget « {label} »",
        details=[
            f"Prévu : {_number_text(line.planned)} €, réalisé : {_number_text(line.spent)} €.",
            "La suppression est enregistrée dans l'historique de la fiche.",
        ],
        button="Supprimer la ligne de budget",
        anchor="budget",
    )


@ctg_view(Op.EDIT_FICHE, methods=("GET", "POST"))
def fiche_indicator_edit(request, ctg, role, fiche_pk, indicator_pk):
    fiche = _editable_fiche(request, ctg, role, fiche_pk)
    indicator = _plan_indicator(fiche, indicator_pk)
    initial = {
        "label": indicator.label,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "nature": indicator.nature,
        "baseline_value": _number_text(indicator.baseline_value),
        "baseline_year": indicator.baseline_year,
        "portrait_indicator": indicator.portrait_indicator,
    }
    form = IndicatorForm(posted(request), initial=initial)
    if save_form(
        request, form, "L'indicateur est enregistré.", indicators.indicator_update, indicator=indicator
    ):
        return _fiche_anchor(ctg, fiche, f"indicateur-{indicator.pk}")
    heading = f"Modifier l'indicateur « {indicator.label} »"
    return render(
        request,
        "plans/fiche_item_form.html",
        dossier_context(
            ctg, role, "plan", heading, fiche=fiche, form=form, heading=heading, anchor="indicateurs"
        ),
        status=400 if request.method == "POST" else 200,
    )


@ctg_view(Op.EDIT_FICHE, methods=("GET", "POST"))
def fiche_indicator_delete(request, ctg, role, fiche_pk, indicator_pk):
    """GET: asks to confirm; POST: deletes the indicator with its targets and realised values."""
    fiche = _editable_fiche(request, ctg, role, fiche_pk)
    indicator = _plan_indicator(fiche, indicator_pk)
    if request.method == "POST":
        run_action(
            request,
            f"L'indicateur « {indicator.label} » est supprimé.",
            indicators.indicator_delete,
            indicator=indicator,
        )
        return _fiche_anchor(ctg, fiche, "indicateurs")
    count = indicator.values.count()
    if count > 1:
        values = f"Ses {count} valeurs (cibles et réalisées) seront supprimées aussi."
    elif count == 1:
        values = "Sa valeur saisie (cible ou réalisée) sera supprimée aussi."
    else:
        values = "Aucune valeur n'est saisie pour cet indicateur."
    return _confirm_page(
        request,
        ctg,
        role,
        fiche,
        heading=f"Supprimer l'indicateur « {indicator.label} »",
        details=[values, "La suppression est enregistrée dans l'historique de la fiche."],
        button="Supprimer l'indicateur",
        anchor="indicateurs",
    )
