"""Reads of the plan d'action, and who may edit a fiche action."""

from collections import defaultdict

from django.db.models import Prefetch, QuerySet

from ctg.conventions.models import Ctg, Membership
from ctg.core.models import HistoryEntry
from ctg.organisations.permissions import Op, Scope, op_scope, role_allows
from ctg.plans import numbering, progress
from ctg.plans.models import (
    Enjeu,
    FicheAction,
    IndicatorValue,
    OperationalObjective,
    PlanIndicator,
    StrategicObjective,
)


def referent_commune_ids(user, ctg_id: int) -> set[int]:
    """The communes a person follows in a dossier (their membership's communes)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    membership = Membership.objects.filter(ctg_id=ctg_id, user=user).first()
    if membership is None:
        return set()
    return set(membership.communes.values_list("pk", flat=True))


def can_edit_fiche(user, role: str | None, fiche: FicheAction) -> bool:
    """`Op.EDIT_FICHE` over the whole dossier edits every fiche; scoped to the person's communes
    (`Scope.MY_COMMUNES`, a référent communal) it edits a fiche only when the fiche concerns communes they all
    follow: not « toutes les communes », and its communes ⊆ the communes of their membership."""
    scope = op_scope(role, Op.EDIT_FICHE)
    if scope is None:
        return False
    if scope == Scope.DOSSIER:
        return True
    if fiche.all_communes:
        return False
    communes = {c.pk for c in fiche.communes.all()}
    if not communes:
        return False
    return communes <= referent_commune_ids(user, fiche.ctg_id)


def can_comment(role: str | None) -> bool:
    return role_allows(role, Op.CONTRIBUTE)


def plan_tree(ctg: Ctg) -> list[Enjeu]:
    """Enjeux › objectifs stratégiques › objectifs opérationnels › fiches, each level in order, in five
    queries (`enjeu.objectives.all()`, `objective.operational.all()`, `operational.fiches.all()`). A fiche
    attached to several objectives appears under each."""
    fiches = FicheAction.objects.order_by("position", "id").select_related("pilot_organisation")
    operational = OperationalObjective.objects.order_by("position", "id").prefetch_related(
        Prefetch("fiches", queryset=fiches)
    )
    strategic = StrategicObjective.objects.order_by("position", "id").prefetch_related(
        Prefetch("operational", queryset=operational)
    )
    return list(
        Enjeu.objects.filter(ctg=ctg)
        .order_by("position", "id")
        .prefetch_related(Prefetch("objectives", queryset=strategic))
    )


def tree_nodes(tree: list[Enjeu]) -> list[numbering.Node]:
    """The enjeux › strategic › operational objectives of `plan_tree(ctg)` as `numbering.Node`s (no query)."""
    return [
        numbering.Node(
            e.pk,
            e.position,
            [
                numbering.Node(
                    s.pk, s.position, [numbering.Node(o.pk, o.position) for o in s.operational.all()]
                )
                for s in e.objectives.all()
            ],
        )
        for e in tree
    ]


def plan_numbers(ctg: Ctg, tree: list[Enjeu] | None = None) -> dict[tuple[str, int], str]:
    """{(kind, id): "1.2.3"} for the whole plan of the dossier (`tree`: `plan_tree(ctg)` if not given)."""
    nodes = tree_nodes(plan_tree(ctg) if tree is None else tree)
    objectives = defaultdict(list)
    for fiche_id, objective_id in FicheAction.objectives.through.objects.filter(
        ficheaction__ctg=ctg
    ).values_list("ficheaction_id", "operationalobjective_id"):
        objectives[fiche_id].append(objective_id)
    fiches = [
        numbering.FicheNode(pk, position, objectives[pk])
        for pk, position in FicheAction.objects.filter(ctg=ctg).values_list("pk", "position")
    ]
    return numbering.number_plan(nodes, fiches)


def indicator_series(indicator: PlanIndicator) -> progress.IndicatorSeries:
    """An indicator's baseline, direction, targets and realised values by year, as `progress` reads them
    (`indicator.values.all()`: prefetch them to read many indicators)."""
    targets, realised = {}, {}
    for value in indicator.values.all():
        if value.kind == IndicatorValue.Kind.TARGET:
            targets[value.year] = value.value
        elif value.kind == IndicatorValue.Kind.REALISED:
            realised[value.year] = value.value
    return progress.IndicatorSeries(
        baseline_value=indicator.baseline_value,
        baseline_year=indicator.baseline_year,
        direction=indicator.direction,
        targets=targets,
        realised=realised,
    )


def objective_nodes(ctg: Ctg) -> list[numbering.Node]:
    """The enjeux › strategic › operational objectives of the plan as `numbering.Node`s, without the fiches
    (three queries, as many rows as items of the tree)."""
    operational: dict[int, list[numbering.Node]] = {}
    for pk, position, strategic_id in OperationalObjective.objects.filter(
        strategic__enjeu__ctg=ctg
    ).values_list("pk", "position", "strategic_id"):
        operational.setdefault(strategic_id, []).append(numbering.Node(pk, position))
    strategic: dict[int, list[numbering.Node]] = {}
    for pk, position, enjeu_id in StrategicObjective.objects.filter(enjeu__ctg=ctg).values_list(
        "pk", "position", "enjeu_id"
    ):
        strategic.setdefault(enjeu_id, []).append(numbering.Node(pk, position, operational.get(pk, [])))
    return [
        numbering.Node(pk, position, strategic.get(pk, []))
        for pk, position in Enjeu.objects.filter(ctg=ctg).values_list("pk", "position")
    ]


def objective_numbers(ctg: Ctg) -> dict[tuple[str, int], str]:
    """{(kind, id): "1.2.3"} for the enjeux and objectives of the plan (not the fiches)."""
    return numbering.number_plan(objective_nodes(ctg))


def fiche_numbers(ctg: Ctg, fiche: FicheAction) -> dict[tuple[str, int], str]:
    """The numbers of the plan's enjeux and objectives and of one fiche, the same as those of the whole
    plan's numbering, without reading every fiche: the fiche is numbered among the fiches of the strategic
    objective of its first objective, which are all attached to an operational objective of that strategic
    objective (five queries; the rows read grow with that strategic objective's fiches only)."""
    nodes = objective_nodes(ctg)
    numbers = numbering.number_plan(nodes)
    through = FicheAction.objectives.through
    strategic_of = {
        operational.id: strategic
        for enjeu in nodes
        for strategic in enjeu.children
        for operational in strategic.children
    }
    own = [
        oid
        for oid in through.objects.filter(ficheaction=fiche).values_list("operationalobjective_id", flat=True)
        if oid in strategic_of
    ]
    if not own:
        return numbers  # attached to no objective of the plan: no number
    plan_order = [
        operational.id
        for enjeu in numbering.ordered(nodes)
        for strategic in numbering.ordered(enjeu.children)
        for operational in numbering.ordered(strategic.children)
    ]
    rank = {oid: index for index, oid in enumerate(plan_order)}
    strategic = strategic_of[min(own, key=rank.__getitem__)]
    siblings = [o.id for o in strategic.children]
    objectives: dict[int, list[int]] = {}
    positions: dict[int, int] = {}
    for fiche_id, objective_id, position in through.objects.filter(
        ficheaction__ctg=ctg,
        ficheaction_id__in=through.objects.filter(operationalobjective_id__in=siblings).values(
            "ficheaction_id"
        ),
    ).values_list("ficheaction_id", "operationalobjective_id", "ficheaction__position"):
        objectives.setdefault(fiche_id, []).append(objective_id)
        positions[fiche_id] = position
    candidates = [numbering.FicheNode(pk, positions[pk], ids) for pk, ids in objectives.items()]
    # Every fiche numbered under `strategic` is a candidate, so its numbers are those of the whole plan.
    key = (numbering.FICHE, fiche.pk)
    whole = numbering.number_plan(nodes, candidates)
    if key in whole:
        numbers[key] = whole[key]
    return numbers


def fiche_history(fiche: FicheAction) -> QuerySet[HistoryEntry]:
    """Every recorded change of a fiche (its fields, calendar, budget, indicators, comments), newest first."""
    return (
        HistoryEntry.objects.filter(
            ctg_id=fiche.ctg_id, item_type=FicheAction._meta.model_name, item_id=fiche.pk
        )
        .select_related("actor")
        .with_causes()
    )
