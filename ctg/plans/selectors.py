"""Reads of the plan d'action, and who may edit a fiche action."""

from django.db.models import Prefetch, QuerySet

from ctg.conventions.models import Ctg, HistoryEntry, Membership
from ctg.organisations.permissions import Op, role_allows
from ctg.plans.models import Enjeu, FicheAction, OperationalObjective, StrategicObjective


def referent_commune_ids(user, ctg_id: int) -> set[int]:
    """The communes a person follows in a dossier (their membership's communes)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    membership = Membership.objects.filter(ctg_id=ctg_id, user=user).first()
    if membership is None:
        return set()
    return set(membership.communes.values_list("pk", flat=True))


def can_edit_fiche(user, role: str | None, fiche: FicheAction) -> bool:
    """Roles with `Op.EDIT_PLAN` edit every fiche. A référent communal (`Op.EDIT_COMMUNE_ITEMS`) edits a fiche
    only when it concerns communes they all follow: not « toutes les communes », and its communes ⊆ the
    communes of their membership. Everyone else: no."""
    if role_allows(role, Op.EDIT_PLAN):
        return True
    if not role_allows(role, Op.EDIT_COMMUNE_ITEMS):
        return False
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


def fiche_history(fiche: FicheAction) -> QuerySet[HistoryEntry]:
    """Every recorded change of a fiche (its fields, calendar, budget, indicators, comments), newest first."""
    return HistoryEntry.objects.filter(
        ctg_id=fiche.ctg_id, item_type=FicheAction._meta.model_name, item_id=fiche.pk
    ).select_related("actor", "decision__meeting__body")
