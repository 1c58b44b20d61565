"""The plan d'action's tree (enjeux › objectifs › fiches) and the fiche action pages."""

import os
from collections import defaultdict
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from ctg.conventions.models import Field
from ctg.conventions.views import _apply_errors, _context, _posted, ctg_view
from ctg.diagnostics.catalogue import BY_ID
from ctg.organisations.permissions import Op, role_allows
from ctg.plans import numbering, progress, selectors, services, summary
from ctg.plans.forms import (
    AttachmentForm,
    BudgetLineForm,
    CommentForm,
    EnjeuForm,
    FicheForm,
    IndicatorForm,
    IndicatorValueForm,
    ObjectiveForm,
    StepsForm,
)
from ctg.plans.models import (
    Attachment,
    BudgetLine,
    Enjeu,
    FicheAction,
    IndicatorValue,
    OperationalObjective,
    PlanIndicator,
    StrategicObjective,
)

FIELD_LABELS = dict(Field.choices)
BADGES = {
    progress.ATTEINT: "fr-badge--success",
    progress.EN_BONNE_VOIE: "fr-badge--info",
    progress.EN_RETARD: "fr-badge--warning",
    progress.NON_ATTEINT: "fr-badge--error",
    progress.SANS_DONNEE: "",
}
FICHE_STATUS_BADGES = {
    FicheAction.Status.A_VENIR: "fr-badge--new",
    FicheAction.Status.EN_COURS: "fr-badge--info",
    FicheAction.Status.REALISEE: "fr-badge--success",
    FicheAction.Status.EN_PAUSE: "fr-badge--warning",
    FicheAction.Status.ABANDONNEE: "fr-badge--error",
}


# --- numbering and progress ----------------------------------------------------------------------------


def _progress_badge(result) -> dict:
    return {
        "status": result.status,
        "label": progress.STATUS_LABELS[result.status],
        "css": BADGES.get(result.status, "fr-badge--error"),
        "reason": result.reason,
    }


def _fiche_progress(fiches, year) -> dict[int, list[dict]]:
    """Fiche id → a badge per status of its indicators in `year`, with how many are in it."""
    from ctg.plans.models import PlanIndicator

    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for indicator in PlanIndicator.objects.filter(fiche__in=fiches).prefetch_related("values"):
        counts[indicator.fiche_id][
            progress.status_for_year(selectors.indicator_series(indicator), year).status
        ] += 1
    result = {}
    for fiche_id, by_status in counts.items():
        result[fiche_id] = [
            {
                "label": progress.STATUS_LABELS[s],
                "css": BADGES.get(s, "fr-badge--error"),
                "count": by_status[s],
            }
            for s in progress.STATUSES
            if by_status.get(s)
        ]
    return result


def _current_year(ctg) -> int:
    return min(max(timezone.localdate().year, ctg.start_year), ctg.end_year)


# --- tree ----------------------------------------------------------------------------------------------


@ctg_view(Op.VIEW)
def tree(request, ctg, role):
    enjeux = selectors.plan_tree(ctg)
    numbers = selectors.plan_numbers(ctg, enjeux)
    year = _current_year(ctg)
    fiche_ids = {
        f.pk for e in enjeux for s in e.objectives.all() for o in s.operational.all() for f in o.fiches.all()
    }
    badges = _fiche_progress(fiche_ids, year)
    rows = []
    for enjeu in enjeux:
        objectives = []
        enjeu_count = set()
        for strategic in enjeu.objectives.all():
            operationals = []
            strategic_count = set()
            for operational in strategic.operational.all():
                fiches = [
                    {
                        "fiche": f,
                        "number": numbers.get((numbering.FICHE, f.pk), ""),
                        "status_css": FICHE_STATUS_BADGES.get(f.status, ""),
                        "progress": badges.get(f.pk, []),
                    }
                    for f in operational.fiches.all()
                ]
                strategic_count |= {f.pk for f in operational.fiches.all()}
                operationals.append(
                    {
                        "obj": operational,
                        "number": numbers[(numbering.OPERATIONAL, operational.pk)],
                        "fiches": fiches,
                    }
                )
            enjeu_count |= strategic_count
            objectives.append(
                {
                    "obj": strategic,
                    "number": numbers[(numbering.STRATEGIC, strategic.pk)],
                    "operationals": operationals,
                    "count": len(strategic_count),
                }
            )
        rows.append(
            {
                "obj": enjeu,
                "number": numbers[(numbering.ENJEU, enjeu.pk)],
                "fields": [FIELD_LABELS.get(f, f) for f in enjeu.fields],
                "indicators": [BY_ID[i].label for i in enjeu.attention_indicators if i in BY_ID],
                "objectives": objectives,
                "count": len(enjeu_count),
            }
        )
    return render(
        request,
        "plans/tree.html",
        _context(ctg, role, "plan", "Plan d'action", rows=rows, year=year, fiche_total=len(fiche_ids)),
    )


def _tree_redirect(ctg, anchor=""):
    response = redirect("plans:tree", pk=ctg.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _form_page(request, ctg, role, form, heading, intro="", status=None):
    if status is None:
        status = 400 if request.method == "POST" else 200
    return render(
        request,
        "plans/tree_form.html",
        _context(ctg, role, "plan", heading, form=form, heading=heading, intro=intro),
        status=status,
    )


@dataclass(frozen=True)
class Saved:
    """What `_save` answers when the service saved: its result (a created fiche…)."""

    result: object


def _save(request, form, success: str, service, **arguments) -> Saved | None:
    """Calls `service(actor=…, **arguments, **values)` when the form is valid (`values`: the form's own
    `values()` when it has one, as `FicheForm`, else its cleaned data); `Saved` when it saved (the message is
    queued), None when the form or the service refused (the service's errors on the form)."""
    if request.method != "POST" or not form.is_valid():
        return None
    values = form.values() if hasattr(form, "values") else form.cleaned_data
    try:
        result = service(actor=request.user, **arguments, **values)
    except ValidationError as error:
        _apply_errors(form, error)
        return None
    messages.success(request, success)
    return Saved(result)


def _direction(request):
    direction = request.POST.get("direction")
    return direction if direction in ("up", "down") else None


def _run(request, success: str, service, **arguments) -> None:
    """A move or a delete, `service(actor=…, **arguments)`: its refusals become an error message on the
    tree."""
    try:
        service(actor=request.user, **arguments)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)


# --- enjeux, strategic and operational objectives: one set of views for the three levels ---------------


@dataclass(frozen=True)
class Level:
    """A level of the tree, for the generic node views: its model, the lookup of its items in the dossier,
    its parent level (None: the dossier), its form, the keyword under which the services take an item, the
    anchor of its items on the tree and the French words of its pages and messages."""

    anchor: str  # "enjeu" → #enjeu-12 on the tree
    model: type
    in_ctg: str  # the lookup from the model to the dossier
    parent: "Level | None"
    form: type
    item_keyword: str  # enjeu_update(enjeu=…), strategic_objective_update(objective=…)
    service: str  # enjeu → enjeu_create, enjeu_update, enjeu_move, enjeu_delete
    the: str  # « L'enjeu »
    add_heading: str
    edit_heading: str  # « Modifier l'enjeu » (+ « « titre » »)
    added: str  # « ajouté »
    intro: str = ""  # on the create page, before the parent's title


def _item(level: Level, ctg, pk):
    related = {"enjeu": (), "strategic": ("enjeu",), "operational": ("strategic__enjeu",)}[level.anchor]
    return get_object_or_404(level.model.objects.select_related(*related), pk=pk, **{level.in_ctg: ctg})


def _initial(level: Level, item) -> dict:
    names = services.ENJEU_FIELDS if level.model is Enjeu else ("title", "description")
    return {name: getattr(item, name) for name in names}


def _service(level: Level, verb: str):
    return getattr(services, f"{level.service}_{verb}")


def _node_create(level: Level, request, ctg, role, parent_pk=None):
    parent = _item(level.parent, ctg, parent_pk) if level.parent else None
    arguments = {level.parent.anchor: parent} if parent else {"ctg": ctg}
    form = level.form(_posted(request))
    if _save(request, form, f"{level.the} est {level.added}.", _service(level, "create"), **arguments):
        return _tree_redirect(ctg, f"{level.parent.anchor}-{parent.pk}" if parent else "")
    intro = f"{level.intro} : {parent.title}" if parent else ""
    return _form_page(request, ctg, role, form, level.add_heading, intro=intro)


def _node_edit(level: Level, request, ctg, role, pk):
    item = _item(level, ctg, pk)
    form = level.form(_posted(request), initial=_initial(level, item))
    success = f"{level.the} est enregistré."
    if _save(request, form, success, _service(level, "update"), **{level.item_keyword: item}):
        return _tree_redirect(ctg, f"{level.anchor}-{item.pk}")
    return _form_page(request, ctg, role, form, f"{level.edit_heading} « {item.title} »")


def _node_move(level: Level, request, ctg, role, pk):
    item = _item(level, ctg, pk)
    if direction := _direction(request):
        success = f"{level.the} est déplacé."
        _run(request, success, _service(level, "move"), direction=direction, **{level.item_keyword: item})
    return _tree_redirect(ctg, f"{level.anchor}-{item.pk}")


def _node_delete(level: Level, request, ctg, role, pk):
    item = _item(level, ctg, pk)
    success = f"{level.the} « {item.title} » est supprimé."
    _run(request, success, _service(level, "delete"), **{level.item_keyword: item})
    return _tree_redirect(ctg)


ENJEU = Level(
    anchor="enjeu",
    model=Enjeu,
    in_ctg="ctg",
    parent=None,
    form=EnjeuForm,
    item_keyword="enjeu",
    service="enjeu",
    the="L'enjeu",
    add_heading="Ajouter un enjeu",
    edit_heading="Modifier l'enjeu",
    added="ajouté",
)
STRATEGIC = Level(
    anchor="strategic",
    model=StrategicObjective,
    in_ctg="enjeu__ctg",
    parent=ENJEU,
    form=ObjectiveForm,
    item_keyword="objective",
    service="strategic_objective",
    the="L'objectif stratégique",
    add_heading="Ajouter un objectif stratégique",
    edit_heading="Modifier l'objectif",
    added="ajouté",
    intro="Enjeu",
)
OPERATIONAL = Level(
    anchor="operational",
    model=OperationalObjective,
    in_ctg="strategic__enjeu__ctg",
    parent=STRATEGIC,
    form=ObjectiveForm,
    item_keyword="objective",
    service="operational_objective",
    the="L'objectif opérationnel",
    add_heading="Ajouter un objectif opérationnel",
    edit_heading="Modifier l'objectif",
    added="ajouté",
    intro="Objectif stratégique",
)


@ctg_view(Op.EDIT_PLAN, methods=("GET", "POST"))
def enjeu_create(request, ctg, role):
    return _node_create(ENJEU, request, ctg, role)


@ctg_view(Op.EDIT_PLAN, methods=("GET", "POST"))
def enjeu_edit(request, ctg, role, enjeu_pk):
    return _node_edit(ENJEU, request, ctg, role, enjeu_pk)


@ctg_view(Op.EDIT_PLAN, methods=("POST",))
def enjeu_move(request, ctg, role, enjeu_pk):
    return _node_move(ENJEU, request, ctg, role, enjeu_pk)


@ctg_view(Op.EDIT_PLAN, methods=("POST",))
def enjeu_delete(request, ctg, role, enjeu_pk):
    return _node_delete(ENJEU, request, ctg, role, enjeu_pk)


@ctg_view(Op.EDIT_PLAN, methods=("GET", "POST"))
def strategic_create(request, ctg, role, enjeu_pk):
    return _node_create(STRATEGIC, request, ctg, role, enjeu_pk)


@ctg_view(Op.EDIT_PLAN, methods=("GET", "POST"))
def strategic_edit(request, ctg, role, objective_pk):
    return _node_edit(STRATEGIC, request, ctg, role, objective_pk)


@ctg_view(Op.EDIT_PLAN, methods=("POST",))
def strategic_move(request, ctg, role, objective_pk):
    return _node_move(STRATEGIC, request, ctg, role, objective_pk)


@ctg_view(Op.EDIT_PLAN, methods=("POST",))
def strategic_delete(request, ctg, role, objective_pk):
    return _node_delete(STRATEGIC, request, ctg, role, objective_pk)


@ctg_view(Op.EDIT_PLAN, methods=("GET", "POST"))
def operational_create(request, ctg, role, objective_pk):
    return _node_create(OPERATIONAL, request, ctg, role, objective_pk)


@ctg_view(Op.EDIT_PLAN, methods=("GET", "POST"))
def operational_edit(request, ctg, role, objective_pk):
    return _node_edit(OPERATIONAL, request, ctg, role, objective_pk)


@ctg_view(Op.EDIT_PLAN, methods=("POST",))
def operational_move(request, ctg, role, objective_pk):
    return _node_move(OPERATIONAL, request, ctg, role, objective_pk)


@ctg_view(Op.EDIT_PLAN, methods=("POST",))
def operational_delete(request, ctg, role, objective_pk):
    return _node_delete(OPERATIONAL, request, ctg, role, objective_pk)


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
        _context(ctg, role, "plan", heading, form=form, heading=heading, fiche=fiche, conflict=conflict),
        status=status,
    )


@ctg_view(Op.EDIT_PLAN, methods=("GET", "POST"))
def fiche_create(request, ctg, role):
    initial = {
        "all_communes": True,
        "status": FicheAction.Status.A_VENIR,
        "priority": FicheAction.Priority.MOYENNE,
    }
    objective = request.GET.get("objectif")
    if objective and objective.isdigit():
        initial["objectives"] = [int(objective)]
    form = FicheForm(_posted(request), initial=initial, ctg=ctg, objective_numbers=_objective_numbers(ctg))
    if saved := _save(request, form, "La fiche action est créée.", services.fiche_create, ctg=ctg):
        return redirect("plans:fiche_detail", pk=ctg.pk, fiche_pk=saved.result.pk)
    return _fiche_form_page(request, ctg, role, form, "Nouvelle fiche action")


@ctg_view(Op.VIEW, methods=("GET", "POST"))
def fiche_edit(request, ctg, role, fiche_pk):
    fiche = _editable_fiche(request, ctg, role, fiche_pk)
    initial = {name: getattr(fiche, name) for name in services.FICHE_FIELDS if name not in services.FICHE_M2M}
    for name in services.FICHE_M2M:
        initial[name] = list(getattr(fiche, name).all())
    initial["version"] = fiche.version
    form = FicheForm(_posted(request), initial=initial, ctg=ctg, objective_numbers=_objective_numbers(ctg))
    if request.method == "POST" and form.is_valid():
        try:
            services.fiche_update(
                fiche=fiche,
                actor=request.user,
                expected_version=form.cleaned_data.get("version"),
                **form.values(),
            )
        except services.FicheConflict as error:
            return _fiche_form_page(
                request, ctg, role, form, "Modifier la fiche action", fiche, " ".join(error.messages), 409
            )
        except ValidationError as error:
            _apply_errors(form, error)
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
    return render(
        request,
        "plans/fiche_detail.html",
        _context(
            ctg,
            role,
            "plan",
            fiche.title,
            fiche=fiche,
            fiche_label=labels.get((numbering.FICHE, fiche.pk), "Fiche"),
            status_css=FICHE_STATUS_BADGES.get(fiche.status, ""),
            objectives=objectives,
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
    if _save(request, form, "Votre commentaire est ajouté.", services.comment_add, fiche=fiche):
        response = redirect("plans:fiche_detail", pk=ctg.pk, fiche_pk=fiche.pk)
        response["Location"] += "#commentaires"
        return response
    return _fiche_page(request, ctg, role, fiche, comment_form=form, status=400)


@ctg_view(Op.EDIT_PLAN, methods=("POST",))
def fiche_move(request, ctg, role, fiche_pk):
    fiche = _fiche(ctg, fiche_pk)
    if direction := _direction(request):
        _run(request, "La fiche action est déplacée.", services.fiche_move, fiche=fiche, direction=direction)
    return _tree_redirect(ctg, f"fiche-{fiche.pk}")


@ctg_view(Op.EDIT_PLAN, methods=("POST",))
def fiche_delete(request, ctg, role, fiche_pk):
    fiche = _fiche(ctg, fiche_pk)
    _run(request, f"La fiche action « {fiche.title} » est supprimée.", services.fiche_delete, fiche=fiche)
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


@ctg_view(Op.VIEW, methods=("POST",))
def fiche_budget(request, ctg, role, fiche_pk):
    fiche = _editable_fiche(request, ctg, role, fiche_pk)
    form = BudgetLineForm(request.POST)
    if _save(request, form, "La ligne de budget est enregistrée.", services.budget_set, fiche=fiche):
        return _fiche_anchor(ctg, fiche, "budget")
    return _fiche_page(request, ctg, role, fiche, budget_form=form, status=400)


@ctg_view(Op.VIEW, methods=("POST",))
def fiche_attachment(request, ctg, role, fiche_pk):
    fiche = _editable_fiche(request, ctg, role, fiche_pk)
    form = AttachmentForm(request.POST, request.FILES)
    if _save(request, form, "La pièce jointe est ajoutée.", services.attachment_add, fiche=fiche):
        return _fiche_anchor(ctg, fiche, "pieces-jointes")
    return _fiche_page(request, ctg, role, fiche, attachment_form=form, status=400)


@ctg_view(Op.VIEW, methods=("POST",))
def fiche_steps(request, ctg, role, fiche_pk):
    fiche = _editable_fiche(request, ctg, role, fiche_pk)
    form = StepsForm(request.POST)
    if _save(
        request, form, "Le calendrier de la fiche est enregistré.", services.fiche_steps_set, fiche=fiche
    ):
        return _fiche_anchor(ctg, fiche, "calendrier")
    return _fiche_page(request, ctg, role, fiche, steps_form=form, status=400)


@ctg_view(Op.VIEW)
def fiche_attachment_download(request, ctg, role, fiche_pk, attachment_pk):
    fiche = _fiche(ctg, fiche_pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, fiche=fiche)
    name = os.path.basename(attachment.file.name)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=name)


@ctg_view(Op.VIEW, methods=("POST",))
def fiche_indicator_value(request, ctg, role, fiche_pk):
    fiche = _editable_fiche(request, ctg, role, fiche_pk)
    form = IndicatorValueForm(request.POST, fiche=fiche)
    if _save(request, form, "La valeur de l'indicateur est enregistrée.", services.indicator_value_set):
        return _fiche_anchor(ctg, fiche, "indicateurs")
    return _fiche_page(request, ctg, role, fiche, value_form=form, status=400)


@ctg_view(Op.VIEW, methods=("POST",))
def fiche_indicator_create(request, ctg, role, fiche_pk):
    fiche = _editable_fiche(request, ctg, role, fiche_pk)
    form = IndicatorForm(request.POST)
    if _save(request, form, "L'indicateur est ajouté.", services.indicator_create, fiche=fiche):
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
        _context(
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


@ctg_view(Op.VIEW, methods=("GET", "POST"))
def fiche_budget_delete(request, ctg, role, fiche_pk, line_pk):
    """GET: asks to confirm; POST: deletes the budget line (the history keeps its amounts)."""
    fiche = _editable_fiche(request, ctg, role, fiche_pk)
    line = _budget_line(fiche, line_pk)
    label = f"{line.get_funder_display()} {line.year}"
    if request.method == "POST":
        _run(request, f"La ligne de budget « {label} » est supprimée.", services.budget_delete, line=line)
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


@ctg_view(Op.VIEW, methods=("GET", "POST"))
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
    form = IndicatorForm(_posted(request), initial=initial)
    if _save(request, form, "L'indicateur est enregistré.", services.indicator_update, indicator=indicator):
        return _fiche_anchor(ctg, fiche, f"indicateur-{indicator.pk}")
    heading = f"Modifier l'indicateur « {indicator.label} »"
    return render(
        request,
        "plans/fiche_item_form.html",
        _context(ctg, role, "plan", heading, fiche=fiche, form=form, heading=heading, anchor="indicateurs"),
        status=400 if request.method == "POST" else 200,
    )


@ctg_view(Op.VIEW, methods=("GET", "POST"))
def fiche_indicator_delete(request, ctg, role, fiche_pk, indicator_pk):
    """GET: asks to confirm; POST: deletes the indicator with its targets and realised values."""
    fiche = _editable_fiche(request, ctg, role, fiche_pk)
    indicator = _plan_indicator(fiche, indicator_pk)
    if request.method == "POST":
        _run(
            request,
            f"L'indicateur « {indicator.label} » est supprimé.",
            services.indicator_delete,
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
