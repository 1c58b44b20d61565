"""The axes of the CAF's Schéma départemental des services aux familles that an enjeu serves
(`Enjeu.schema_axes`, issue 14): which axes an enjeu may take, and the one write that sets them.

Contract of `enjeu_axes_set`: atomic; it MUST refuse (a `ValidationError` on `schema_axes`, nothing written)
an unknown id and any axis that is not of the dossier's CAF (`Ctg.caf`) and of one of the dossier's
départements (those of its communes), and an axis no longer in force that the enjeu does not already have
(an enjeu keeps an axis deactivated since, or lets it go). It writes one history line (`Action.ENJEU`, on the
enjeu, the change keyed `schema_axes`) only when the axes change.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from ctg.conventions.models import Ctg
from ctg.core.history import register_labels, tracked_update
from ctg.core.models import Action
from ctg.organisations.models import SchemaAxis
from ctg.plans.models import Enjeu
from ctg.plans.services.tree import ENJEU, node_create, node_update

LABEL = "axes du schéma départemental"
register_labels(Action.ENJEU, {"schema_axes": LABEL})


def dossier_departements(ctg: Ctg) -> set[str]:
    """The départements of the dossier's communes (an EPCI may lie across two), else its CAF's."""
    codes = set(ctg.communes.exclude(departement__isnull=True).values_list("departement_id", flat=True))
    if not codes and ctg.caf_id and ctg.caf.departement_id:
        codes = {ctg.caf.departement_id}
    return codes


def axes_offered(ctg: Ctg, enjeu: Enjeu | None = None) -> QuerySet[SchemaAxis]:
    """The axes an enjeu of `ctg` may take: those in force of the dossier's CAF in the dossier's
    départements, plus those `enjeu` already has (deactivated since); in the schema's order."""
    condition = Q(caf_id=ctg.caf_id, departement_id__in=dossier_departements(ctg), is_active=True)
    if enjeu is not None and enjeu.pk:
        condition |= Q(pk__in=enjeu.schema_axes.values("pk"))
    return SchemaAxis.objects.filter(condition).order_by("departement_id", "position", "code", "id")


def _display(axes) -> str:
    return " ; ".join(f"{axis.code} — {axis.title}" for axis in axes)


@transaction.atomic
def enjeu_axes_set(*, enjeu: Enjeu, axes, actor) -> list[SchemaAxis]:
    """Sets the axes the enjeu serves to `axes` (instances or ids; empty removes them all); returns them."""
    current = Enjeu.objects.select_for_update().select_related("ctg__caf").get(pk=enjeu.pk)
    ids = []
    for item in axes or []:
        pk = getattr(item, "pk", item)
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            raise ValidationError({"schema_axes": f"Axe du schéma inconnu : « {pk} »."}) from None
        if pk not in ids:
            ids.append(pk)
    offered = {axis.pk: axis for axis in axes_offered(current.ctg, current).filter(pk__in=ids)}
    if set(ids) - set(offered):
        raise ValidationError(
            {
                "schema_axes": "Cet axe n'est pas un axe en vigueur du schéma départemental de la CAF de ce "
                "dossier : choisissez-en un de la liste."
            }
        )
    chosen = [offered[pk] for pk in ids]
    tracked_update(
        current,
        actor=actor,
        values={"schema_axes": chosen},
        ctg=current.ctg,
        action=Action.ENJEU,
        summary=lambda labels: f"Enjeu modifié : « {current.title} » ({', '.join(labels)})",
        display=_display,
    )
    return chosen


# --- the enjeu's form: its fields and its axes saved together --------------------------------------------


@transaction.atomic
def enjeu_create_with_axes(*, ctg: Ctg, actor, schema_axes=None, **values) -> Enjeu:
    """A new enjeu (`tree.node_create`) and its axes, both or neither (the form of the enjeu)."""
    enjeu = node_create(ENJEU, parent=ctg, actor=actor, **values)
    if schema_axes:
        enjeu_axes_set(enjeu=enjeu, axes=schema_axes, actor=actor)
    return enjeu


@transaction.atomic
def enjeu_update_with_axes(*, enjeu: Enjeu, actor, schema_axes=None, **values) -> Enjeu:
    """The enjeu's values (`tree.node_update`) and, when given, its axes, both or neither."""
    enjeu = node_update(enjeu, actor=actor, **values)
    if schema_axes is not None:
        enjeu_axes_set(enjeu=enjeu, axes=schema_axes, actor=actor)
    return enjeu
