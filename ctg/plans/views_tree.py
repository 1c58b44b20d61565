"""The plan d'action's tree (enjeux › objectifs › fiches), and the pages that add, edit, move and delete its
enjeux and objectives: one set of generic views for the three levels, on the generic node service
(`services.tree`). The fiche action pages are in `views_fiche`."""

from collections import defaultdict
from dataclasses import dataclass

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from ctg.conventions.frame import ctg_view, dossier_context, posted, run_action, save_form
from ctg.conventions.models import Field
from ctg.diagnostics.catalogue import BY_ID
from ctg.organisations.permissions import Op
from ctg.plans import numbering, progress, selectors
from ctg.plans.forms import (
    EnjeuForm,
    ObjectiveForm,
)
from ctg.plans.forms_axes import add_schema_axes_field
from ctg.plans.models import (
    Enjeu,
    FicheAction,
    PlanIndicator,
)
from ctg.plans.services import schema_axes as axes_services
from ctg.plans.services import tree as tree_services

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
    # The titles of the findings each enjeu cites, in one query.
    cited = defaultdict(list)
    for enjeu_id, title in Enjeu.findings.through.objects.filter(enjeu__ctg=ctg).values_list(
        "enjeu_id", "finding__title"
    ):
        cited[enjeu_id].append(title)
    # The axes of the CAF's schéma départemental each enjeu serves, in one query (issue 14).
    axes = defaultdict(list)
    for enjeu_id, code, title in Enjeu.schema_axes.through.objects.filter(enjeu__ctg=ctg).values_list(
        "enjeu_id", "schemaaxis__code", "schemaaxis__title"
    ):
        axes[enjeu_id].append(f"{code} — {title}")
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
                "findings": cited.get(enjeu.pk, []),
                "schema_axes": axes.get(enjeu.pk, []),
            }
        )
    return render(
        request,
        "plans/tree.html",
        dossier_context(ctg, role, "plan", "Plan d'action", rows=rows, year=year, fiche_total=len(fiche_ids)),
    )


def _tree_redirect(ctg, anchor=""):
    response = redirect("plans:tree", pk=ctg.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _form_page(request, ctg, role, form, heading, intro="", status=None, **extra):
    if status is None:
        status = 400 if request.method == "POST" else 200
    return render(
        request,
        "plans/tree_form.html",
        dossier_context(ctg, role, "plan", heading, form=form, heading=heading, intro=intro, **extra),
        status=status,
    )


def _direction(request):
    direction = request.POST.get("direction")
    return direction if direction in ("up", "down") else None


# --- enjeux, strategic and operational objectives: one set of views for the three levels ---------------


@dataclass(frozen=True)
class Level:
    """A level of the tree, for the generic node views: the service's level (`services.tree.Level`: model,
    fields, dossier), its parent level (None: the dossier), its form, the anchor of its items on the tree and
    the French words of its pages and messages."""

    node: tree_services.Level
    anchor: str  # "enjeu" → #enjeu-12 on the tree
    parent: "Level | None"
    form: type
    the: str  # « L'enjeu »
    add_heading: str
    edit_heading: str  # « Modifier l'enjeu » (+ « « titre » »)
    intro: str = ""  # on the create page, before the parent's title


def _item(level: Level, ctg, pk):
    path = level.node.ctg_path
    queryset = level.node.model.objects.select_related(*(["__".join(path[:-1])] if len(path) > 1 else []))
    return get_object_or_404(queryset, pk=pk, **{"__".join(path): ctg})


def _node_create(level: Level, request, ctg, role, parent_pk=None):
    parent = _item(level.parent, ctg, parent_pk) if level.parent else None
    form = level.form(posted(request))
    success = f"{level.the} est ajouté."
    if level is ENJEU:  # the axes of the CAF's schéma départemental, when it has some (issue 14)
        add_schema_axes_field(form, ctg)
        saved = save_form(request, form, success, axes_services.enjeu_create_with_axes, ctg=ctg)
    else:
        saved = save_form(request, form, success, tree_services.node_create, level=level.node, parent=parent)
    if saved:
        return _tree_redirect(ctg, f"{level.parent.anchor}-{parent.pk}" if parent else "")
    intro = f"{level.intro} : {parent.title}" if parent else ""
    return _form_page(request, ctg, role, form, level.add_heading, intro=intro)


def _node_edit(level: Level, request, ctg, role, pk):
    item = _item(level, ctg, pk)
    form = level.form(posted(request), initial={name: getattr(item, name) for name in level.node.fields})
    success = f"{level.the} est enregistré."
    if level is ENJEU:  # the axes of the CAF's schéma départemental, when it has some (issue 14)
        add_schema_axes_field(form, ctg, item)
        saved = save_form(request, form, success, axes_services.enjeu_update_with_axes, enjeu=item)
    else:
        saved = save_form(request, form, success, tree_services.node_update, node=item)
    if saved:
        return _tree_redirect(ctg, f"{level.anchor}-{item.pk}")
    # An enjeu's page holds its « constats chiffrés de l'offre » (views_evidence): linked from its form.
    page = reverse("plans:enjeu_detail", args=[ctg.pk, item.pk]) if level is ENJEU else ""
    return _form_page(request, ctg, role, form, f"{level.edit_heading} « {item.title} »", enjeu_page=page)


def _node_move(level: Level, request, ctg, role, pk):
    item = _item(level, ctg, pk)
    if direction := _direction(request):
        run_action(
            request, f"{level.the} est déplacé.", tree_services.node_move, node=item, direction=direction
        )
    return _tree_redirect(ctg, f"{level.anchor}-{item.pk}")


def _node_delete(level: Level, request, ctg, role, pk):
    item = _item(level, ctg, pk)
    run_action(request, f"{level.the} « {item.title} » est supprimé.", tree_services.node_delete, node=item)
    return _tree_redirect(ctg)


ENJEU = Level(
    node=tree_services.ENJEU,
    anchor="enjeu",
    parent=None,
    form=EnjeuForm,
    the="L'enjeu",
    add_heading="Ajouter un enjeu",
    edit_heading="Modifier l'enjeu",
)
STRATEGIC = Level(
    node=tree_services.STRATEGIC,
    anchor="strategic",
    parent=ENJEU,
    form=ObjectiveForm,
    the="L'objectif stratégique",
    add_heading="Ajouter un objectif stratégique",
    edit_heading="Modifier l'objectif",
    intro="Enjeu",
)
OPERATIONAL = Level(
    node=tree_services.OPERATIONAL,
    anchor="operational",
    parent=STRATEGIC,
    form=ObjectiveForm,
    the="L'objectif opérationnel",
    add_heading="Ajouter un objectif opérationnel",
    edit_heading="Modifier l'objectif",
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
