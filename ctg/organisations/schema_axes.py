"""Writes of the axes of a CAF's Schéma départemental des services aux familles (`SchemaAxis`, issue 14):
create, update (deactivate included), delete and reorder. The one path of every write: the CAF's pages
(`ctg.dashboard.views_axes`) and the demo (`ctg.demo.schema_axes`).

Contract:
- every function is keyword-only and atomic: it validates everything, then writes; a refusal raises a
  `ValidationError` (French messages, keyed by field when a field is at fault) and MUST NOT write anything;
- only the staff of the CAF for its own département write its axes (`PlatformOp.MANAGE_SCHEMA_AXES` within
  `platform_scope`, and a CAF adviser only for their own CAF); a data manager writes for any CAF; `actor=None`
  is the platform itself (the demo, a command on the server);
- an axis belongs to a CAF and the CAF's département; its number (`code`) is unique per CAF and département;
  its title is required;
- an axis that enjeux cite (`plans.Enjeu.schema_axes`, the reverse accessor `enjeux`) MUST NOT be deleted: it
  is deactivated instead (it stays on the enjeux that cite it, no new enjeu takes it);
- reordering names every axis of the CAF and département exactly once, nothing else.
These writes concern no dossier: they have no line in a dossier's history; `TrackedModel` keeps who and when.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from ctg.core.history import person
from ctg.organisations.models import Organisation, SchemaAxis
from ctg.organisations.permissions import PlatformOp, PlatformRole, platform_role, platform_scope
from ctg.territories.models import Departement
from ctg.text import clean_text

EDITABLE = ("code", "title", "description", "schema_period", "is_active")
LIMITS = {"code": 10, "title": 300, "schema_period": 20}
REFUSED = "Seul le personnel de la CAF du département enregistre les axes de son schéma départemental."


def can_manage(actor, caf: Organisation, departement_code: str) -> bool:
    """Whether `actor` may write the axes of `caf` in the département `departement_code`."""
    if actor is None:
        return True
    scope = platform_scope(actor, PlatformOp.MANAGE_SCHEMA_AXES)
    if scope is not None and departement_code not in scope:
        return False
    if scope is not None and platform_role(actor) == PlatformRole.CAF_ADVISER:
        return actor.organisation_id == caf.pk
    return scope is None or bool(scope)


def _check_actor(actor, caf: Organisation, departement_code: str) -> None:
    if not can_manage(actor, caf, departement_code):
        raise ValidationError(REFUSED)


def _check_caf(caf, departement) -> tuple[Organisation, Departement]:
    if not isinstance(caf, Organisation) or caf.kind != Organisation.Kind.CAF:
        raise ValidationError({"caf": "Choisissez une CAF."})
    if not isinstance(departement, Departement):
        departement = Departement.objects.filter(pk=str(departement or "")).first()
        if departement is None:
            raise ValidationError({"departement": "Département inconnu."})
    if caf.departement_id != departement.pk:
        raise ValidationError(
            {"departement": "Une CAF enregistre les axes du schéma de son propre département."}
        )
    return caf, departement


def _clean(values: dict) -> dict:
    cleaned = {}
    for name, value in values.items():
        if name == "is_active":
            cleaned[name] = bool(value)
            continue
        text = clean_text(value or "", multiline=name == "description")
        text = text.strip() if isinstance(text, str) else ""
        limit = LIMITS.get(name)
        if limit and len(text) > limit:
            raise ValidationError({name: f"{limit} caractères au plus."})
        cleaned[name] = text
    if "title" in cleaned and not cleaned["title"]:
        raise ValidationError({"title": "L'intitulé de l'axe est obligatoire."})
    if "code" in cleaned and not cleaned["code"]:
        raise ValidationError({"code": "Le numéro de l'axe est obligatoire."})
    return cleaned


def _check_unique_code(caf, departement, code: str, exclude=None) -> None:
    taken = SchemaAxis.objects.filter(caf=caf, departement=departement, code__iexact=code)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ValidationError({"code": f"La CAF a déjà un axe numéro « {code} » dans ce département."})


@transaction.atomic
def axis_create(
    *,
    actor,
    caf: Organisation,
    departement,
    code,
    title,
    description: str = "",
    schema_period: str = "",
    is_active: bool = True,
) -> SchemaAxis:
    """A new axis of `caf` for its `departement` (a `Departement` or its code), last of its list."""
    caf, departement = _check_caf(caf, departement)
    _check_actor(actor, caf, departement.pk)
    values = _clean(
        {
            "code": code,
            "title": title,
            "description": description,
            "schema_period": schema_period,
            "is_active": is_active,
        }
    )
    Organisation.objects.select_for_update().filter(pk=caf.pk).first()  # one creation at a time per CAF
    _check_unique_code(caf, departement, values["code"])
    last = SchemaAxis.objects.filter(caf=caf, departement=departement).aggregate(last=Max("position"))["last"]
    return SchemaAxis.objects.create(
        caf=caf,
        departement=departement,
        position=0 if last is None else last + 1,
        created_by=person(actor),
        updated_by=person(actor),
        **values,
    )


@transaction.atomic
def axis_update(*, axis: SchemaAxis, actor, **values) -> SchemaAxis:
    """Saves the given values among number, title, description, period and `is_active` (False: the axis is
    no longer in force, it stays on the enjeux that cite it)."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TypeError(f"Champs non modifiables : {sorted(unknown)}")
    current = SchemaAxis.objects.select_for_update().select_related("caf").get(pk=axis.pk)
    _check_actor(actor, current.caf, current.departement_id)
    values = _clean(values)
    if "code" in values:
        _check_unique_code(current.caf, current.departement_id, values["code"], exclude=current)
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    if changed:
        for name in changed:
            setattr(current, name, values[name])
        current.updated_by = person(actor)
        current.save(update_fields=[*changed, "updated_by", "updated_at"])
    return current


def cited_count(axis: SchemaAxis) -> int:
    """How many enjeux cite the axis (the plan's many-to-many, read through its reverse accessor)."""
    return axis.enjeux.count()


@transaction.atomic
def axis_delete(*, axis: SchemaAxis, actor) -> None:
    """Deletes an axis no enjeu cites; one that is cited is refused (deactivate it instead)."""
    current = SchemaAxis.objects.select_for_update().select_related("caf").get(pk=axis.pk)
    _check_actor(actor, current.caf, current.departement_id)
    cited = cited_count(current)
    if cited:
        raise ValidationError(
            f"L'axe « {current.title} » est cité par {cited} enjeu{'x' if cited > 1 else ''} : il ne peut "
            "pas être supprimé. Retirez-le du schéma en vigueur (désactivez-le) : il reste sur ces enjeux."
        )
    siblings = SchemaAxis.objects.filter(caf=current.caf, departement=current.departement_id)
    current.delete()
    for position, pk in enumerate(siblings.order_by("position", "code", "id").values_list("pk", flat=True)):
        SchemaAxis.objects.filter(pk=pk).exclude(position=position).update(position=position)


@transaction.atomic
def axes_reorder(*, caf: Organisation, departement, order, actor) -> list[SchemaAxis]:
    """Puts the axes of `caf` in `departement` in the `order` given (their ids, each exactly once)."""
    caf, departement = _check_caf(caf, departement)
    _check_actor(actor, caf, departement.pk)
    ids = []
    for item in order or []:
        pk = getattr(item, "pk", item)
        try:
            ids.append(int(pk))
        except (TypeError, ValueError):
            raise ValidationError({"order": f"Axe inconnu : « {pk} »."}) from None
    axes = {a.pk: a for a in SchemaAxis.objects.select_for_update().filter(caf=caf, departement=departement)}
    if len(ids) != len(set(ids)) or set(ids) != set(axes):
        raise ValidationError({"order": "L'ordre doit citer chaque axe de la CAF une fois, et eux seuls."})
    result = []
    for position, pk in enumerate(ids):
        axis = axes[pk]
        if axis.position != position:
            axis.position = position
            axis.updated_by = person(actor)
            axis.save(update_fields=["position", "updated_by", "updated_at"])
        result.append(axis)
    return result
