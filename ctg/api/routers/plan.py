"""The plan d'action: read (the tree, the fiches with their budget and indicators) and write (enjeux,
objectives, fiches, budget lines, indicator values) through `ctg.plans.services`, the services of the pages,
under the operations of the pages (`Op.EDIT_PLAN` for the tree and a new fiche, `Op.EDIT_FICHE` within its
scope — `plans.selectors.can_edit_fiche` — for a fiche and its items). The person who calls is the actor of
the dossier's history."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from ninja import Path, Router
from ninja.pagination import paginate
from ninja.responses import Status

from ctg.api.api import READ_ERRORS, WRITE_ERRORS, dossier_for
from ctg.api.pagination import Pagination
from ctg.api.routers.dossiers import DossierId, organisation
from ctg.api.schemas import (
    MAX_ID,
    BudgetIn,
    BudgetLineOut,
    EnjeuIn,
    EnjeuNodeOut,
    EnjeuOut,
    EnjeuPatch,
    Error,
    FicheIn,
    FicheOut,
    FichePatch,
    FicheSummary,
    IndicatorValueIn,
    IndicatorValueOut,
    NodeOut,
    ObjectiveIn,
    ObjectivePatch,
)
from ctg.organisations.models import Organisation
from ctg.organisations.permissions import Op
from ctg.plans import numbering, selectors, services
from ctg.plans.models import (
    Enjeu,
    FicheAction,
    OperationalObjective,
    PlanIndicator,
    StrategicObjective,
)
from ctg.territories.models import Commune

router = Router(tags=["Plan d'action"])
ItemId = Path(..., ge=1, le=MAX_ID)
IndicatorId = Path(..., ge=1, le=MAX_ID)
CONFLICT = {409: Error}


# --- reads --------------------------------------------------------------------------------------------------
@router.get(
    "dossiers/{pk}/plan",
    response={200: list[EnjeuOut], **READ_ERRORS},
    url_name="plan",
    summary="L'arbre du plan : enjeux, objectifs stratégiques et opérationnels, fiches",
)
def plan(request, pk: int = DossierId):
    ctg, _role = dossier_for(request, pk)
    tree = selectors.plan_tree(ctg)
    numbers = selectors.plan_numbers(ctg, tree)
    return [
        {
            "id": e.pk,
            "number": numbers.get((numbering.ENJEU, e.pk), ""),
            "title": e.title,
            "description": e.description,
            "fields": list(e.fields or []),
            "objectives": [
                {
                    "id": s.pk,
                    "number": numbers.get((numbering.STRATEGIC, s.pk), ""),
                    "title": s.title,
                    "description": s.description,
                    "operational": [
                        {
                            "id": o.pk,
                            "number": numbers.get((numbering.OPERATIONAL, o.pk), ""),
                            "title": o.title,
                            "description": o.description,
                            "fiches": [f.pk for f in o.fiches.all()],
                        }
                        for o in s.operational.all()
                    ],
                }
                for s in e.objectives.all()
            ],
        }
        for e in tree
    ]


def _summary(fiche: FicheAction, numbers: dict) -> dict:
    return {
        "id": fiche.pk,
        "number": numbers.get((numbering.FICHE, fiche.pk), ""),
        "title": fiche.title,
        "status": fiche.status,
        "priority": fiche.priority,
        "version": fiche.version,
        "objectives": sorted(o.pk for o in fiche.objectives.all()),
    }


@router.get(
    "dossiers/{pk}/fiches",
    response={200: list[FicheSummary], **READ_ERRORS},
    url_name="fiches",
    summary="Les fiches action du dossier",
)
@paginate(Pagination)
def fiches(request, pk: int = DossierId):
    ctg, _role = dossier_for(request, pk)
    numbers = selectors.plan_numbers(ctg)
    found = FicheAction.objects.filter(ctg=ctg).prefetch_related("objectives").order_by("position", "pk")
    return [_summary(fiche, numbers) for fiche in found]


def _fiche(ctg, fiche_pk) -> FicheAction:
    return get_object_or_404(FicheAction, pk=fiche_pk, ctg=ctg)


def _fiche_out(fiche: FicheAction) -> dict:
    fiche = (
        FicheAction.objects.select_related("pilot_organisation")
        .prefetch_related("objectives", "communes", "partners", "budget", "indicators__values")
        .get(pk=fiche.pk)
    )
    numbers = selectors.fiche_numbers(fiche.ctg, fiche)
    return {
        **_summary(fiche, numbers),
        "fields": list(fiche.fields or []),
        "context": fiche.context,
        "description": fiche.description,
        "target_public": fiche.target_public,
        "all_communes": fiche.all_communes,
        "communes": sorted(c.code for c in fiche.communes.all()),
        "pilot_organisation": organisation(fiche.pilot_organisation),
        "pilot_person": fiche.pilot_person,
        "partners": [organisation(o) for o in fiche.partners.all()],
        "start_date": fiche.start_date,
        "end_date": fiche.end_date,
        "notes": fiche.notes,
        "budget": [_budget_out(line) for line in fiche.budget.all()],
        "indicators": [
            {
                "id": i.pk,
                "label": i.label,
                "unit": i.unit,
                "direction": i.direction,
                "nature": i.nature,
                "baseline_value": i.baseline_value,
                "baseline_year": i.baseline_year,
                "portrait_indicator": i.portrait_indicator,
                "values": [_value_out(v) for v in i.values.all()],
            }
            for i in fiche.indicators.all()
        ],
    }


def _budget_out(line) -> dict:
    return {
        "id": line.pk,
        "year": line.year,
        "funder": line.funder,
        "planned": line.planned,
        "spent": line.spent,
    }


def _value_out(value) -> dict:
    return {
        "year": value.year,
        "kind": value.kind,
        "value": value.value,
        "origin": value.origin,
        "source": value.source,
    }


@router.get(
    "dossiers/{pk}/fiches/{fiche_pk}",
    response={200: FicheOut, **READ_ERRORS},
    url_name="fiche",
    summary="Une fiche action, son budget et ses indicateurs avec leurs valeurs",
)
def fiche_detail(request, pk: int = DossierId, fiche_pk: int = ItemId):
    ctg, _role = dossier_for(request, pk)
    return _fiche_out(_fiche(ctg, fiche_pk))


# --- writes on the tree -------------------------------------------------------------------------------------
def _node(value: dict) -> dict:
    return {"id": value.pk, "title": value.title, "description": value.description}


def _enjeu_out(enjeu: Enjeu) -> dict:
    return {**_node(enjeu), "fields": list(enjeu.fields or [])}


def _given(payload) -> dict:
    return payload.model_dump(exclude_unset=True, exclude_none=True)


@router.post(
    "dossiers/{pk}/enjeux",
    response={201: EnjeuNodeOut, **WRITE_ERRORS},
    url_name="enjeu_create",
    summary="Créer un enjeu",
)
def enjeu_create(request, payload: EnjeuIn, pk: int = DossierId):
    ctg, _role = dossier_for(request, pk, Op.EDIT_PLAN)
    enjeu = services.enjeu_create(ctg=ctg, actor=request.auth, **payload.model_dump())
    return Status(201, _enjeu_out(enjeu))


@router.post(
    "dossiers/{pk}/enjeux/{enjeu_pk}",
    response={200: EnjeuNodeOut, **WRITE_ERRORS},
    url_name="enjeu_update",
    summary="Modifier un enjeu (les champs donnés seulement)",
)
def enjeu_update(request, payload: EnjeuPatch, pk: int = DossierId, enjeu_pk: int = ItemId):
    ctg, _role = dossier_for(request, pk, Op.EDIT_PLAN)
    enjeu = get_object_or_404(Enjeu, pk=enjeu_pk, ctg=ctg)
    return _enjeu_out(services.enjeu_update(enjeu=enjeu, actor=request.auth, **_given(payload)))


@router.post(
    "dossiers/{pk}/enjeux/{enjeu_pk}/objectifs",
    response={201: NodeOut, **WRITE_ERRORS},
    url_name="strategic_create",
    summary="Créer un objectif stratégique sous un enjeu",
)
def strategic_create(request, payload: ObjectiveIn, pk: int = DossierId, enjeu_pk: int = ItemId):
    ctg, _role = dossier_for(request, pk, Op.EDIT_PLAN)
    enjeu = get_object_or_404(Enjeu, pk=enjeu_pk, ctg=ctg)
    created = services.strategic_objective_create(enjeu=enjeu, actor=request.auth, **payload.model_dump())
    return Status(201, _node(created))


@router.post(
    "dossiers/{pk}/objectifs/{objective_pk}",
    response={200: NodeOut, **WRITE_ERRORS},
    url_name="strategic_update",
    summary="Modifier un objectif stratégique",
)
def strategic_update(request, payload: ObjectivePatch, pk: int = DossierId, objective_pk: int = ItemId):
    ctg, _role = dossier_for(request, pk, Op.EDIT_PLAN)
    objective = get_object_or_404(StrategicObjective, pk=objective_pk, enjeu__ctg=ctg)
    return _node(
        services.strategic_objective_update(objective=objective, actor=request.auth, **_given(payload))
    )


@router.post(
    "dossiers/{pk}/objectifs/{objective_pk}/operationnels",
    response={201: NodeOut, **WRITE_ERRORS},
    url_name="operational_create",
    summary="Créer un objectif opérationnel sous un objectif stratégique",
)
def operational_create(request, payload: ObjectiveIn, pk: int = DossierId, objective_pk: int = ItemId):
    ctg, _role = dossier_for(request, pk, Op.EDIT_PLAN)
    strategic = get_object_or_404(StrategicObjective, pk=objective_pk, enjeu__ctg=ctg)
    created = services.operational_objective_create(
        strategic=strategic, actor=request.auth, **payload.model_dump()
    )
    return Status(201, _node(created))


@router.post(
    "dossiers/{pk}/operationnels/{objective_pk}",
    response={200: NodeOut, **WRITE_ERRORS},
    url_name="operational_update",
    summary="Modifier un objectif opérationnel",
)
def operational_update(request, payload: ObjectivePatch, pk: int = DossierId, objective_pk: int = ItemId):
    ctg, _role = dossier_for(request, pk, Op.EDIT_PLAN)
    objective = get_object_or_404(OperationalObjective, pk=objective_pk, strategic__enjeu__ctg=ctg)
    updated = services.operational_objective_update(
        objective=objective, actor=request.auth, **_given(payload)
    )
    return _node(updated)


# --- writes on the fiches -----------------------------------------------------------------------------------
def _references(ctg, values: dict) -> dict:
    """Ids and codes of the request as the objects the service takes; an unknown one is refused (400)."""
    if "objectives" in values:
        ids = list(dict.fromkeys(values["objectives"]))
        found = {o.pk: o for o in OperationalObjective.objects.filter(pk__in=ids, strategic__enjeu__ctg=ctg)}
        if len(found) != len(ids):
            raise ValidationError({"objectives": "Objectif opérationnel inconnu de ce dossier."})
        values["objectives"] = [found[pk] for pk in ids]
    if "communes" in values:
        codes = list(dict.fromkeys(values["communes"]))
        found = {c.code: c for c in Commune.objects.filter(code__in=codes)}
        if len(found) != len(codes):
            raise ValidationError({"communes": "Commune inconnue (code Insee attendu)."})
        values["communes"] = [found[code] for code in codes]
    # Organisations: any known one here; which the dossier may name is the service's rule (its scope).
    if values.get("pilot_organisation") is not None:
        organisation = Organisation.objects.filter(pk=values["pilot_organisation"]).first()
        if organisation is None:
            raise ValidationError({"pilot_organisation": "Organisation inconnue."})
        values["pilot_organisation"] = organisation
    if "partners" in values:
        ids = list(dict.fromkeys(values["partners"]))
        found = {o.pk: o for o in Organisation.objects.filter(pk__in=ids)}
        if len(found) != len(ids):
            raise ValidationError({"partners": "Organisation inconnue."})
        values["partners"] = [found[pk] for pk in ids]
    return values


def _editable(request, ctg, role, fiche_pk) -> FicheAction:
    fiche = _fiche(ctg, fiche_pk)
    if not selectors.can_edit_fiche(request.auth, role, fiche):
        raise PermissionDenied("Vous ne pouvez pas modifier cette fiche action.")
    return fiche


@router.post(
    "dossiers/{pk}/fiches",
    response={201: FicheOut, **WRITE_ERRORS},
    url_name="fiches",
    summary="Créer une fiche action",
)
def fiche_create(request, payload: FicheIn, pk: int = DossierId):
    ctg, _role = dossier_for(request, pk, Op.EDIT_PLAN)
    values = _references(ctg, payload.model_dump())
    return Status(201, _fiche_out(services.fiche_create(ctg=ctg, actor=request.auth, **values)))


@router.post(
    "dossiers/{pk}/fiches/{fiche_pk}",
    response={200: FicheOut, **WRITE_ERRORS, **CONFLICT},
    url_name="fiche",
    summary="Modifier une fiche action (verrou optimiste : la version lue)",
    description="Les champs donnés seulement. 409 quand la fiche a été enregistrée depuis la version lue.",
)
def fiche_update(request, payload: FichePatch, pk: int = DossierId, fiche_pk: int = ItemId):
    ctg, role = dossier_for(request, pk, Op.EDIT_FICHE)
    fiche = _editable(request, ctg, role, fiche_pk)
    values = payload.model_dump(exclude_unset=True)
    version = values.pop("version")
    nullable = {"start_date", "end_date", "pilot_organisation"}
    values = {name: value for name, value in values.items() if value is not None or name in nullable}
    values = _references(ctg, values)
    updated = services.fiche_update(fiche=fiche, actor=request.auth, expected_version=version, **values)
    return _fiche_out(updated)


@router.post(
    "dossiers/{pk}/fiches/{fiche_pk}/budget",
    response={200: BudgetLineOut, **WRITE_ERRORS},
    url_name="budget_set",
    summary="Saisir la ligne de budget d'un financeur et d'une année",
)
def budget_set(request, payload: BudgetIn, pk: int = DossierId, fiche_pk: int = ItemId):
    ctg, role = dossier_for(request, pk, Op.EDIT_FICHE)
    fiche = _editable(request, ctg, role, fiche_pk)
    line = services.budget_set(fiche=fiche, actor=request.auth, **payload.model_dump())
    return _budget_out(line)


@router.post(
    "dossiers/{pk}/fiches/{fiche_pk}/indicateurs/{indicator_pk}/valeurs",
    response={200: IndicatorValueOut | None, **WRITE_ERRORS},
    url_name="indicator_value_set",
    summary="Saisir la valeur cible ou réalisée d'un indicateur pour une année",
    description="Une valeur vide (null) retire la valeur saisie ; la réponse est alors null.",
)
def indicator_value_set(
    request,
    payload: IndicatorValueIn,
    pk: int = DossierId,
    fiche_pk: int = ItemId,
    indicator_pk: int = IndicatorId,
):
    ctg, role = dossier_for(request, pk, Op.EDIT_FICHE)
    fiche = _editable(request, ctg, role, fiche_pk)
    indicator = get_object_or_404(PlanIndicator, pk=indicator_pk, fiche=fiche)
    value = services.indicator_value_set(indicator=indicator, actor=request.auth, **payload.model_dump())
    return None if value is None else _value_out(value)
