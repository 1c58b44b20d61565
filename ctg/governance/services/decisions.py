"""Decisions of a meeting, and how they act on the plan d'action once the committee has met."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ctg.conventions.models import Ctg
from ctg.core.history import (
    history_cause,
    history_record,
    person,
)
from ctg.core.models import Action
from ctg.governance.models import Decision, Meeting
from ctg.governance.services.common import _text, meeting_label
from ctg.governance.services.meetings import _refuse_cancelled
from ctg.plans import services as plan_services
from ctg.plans.models import FicheAction, Funder, OperationalObjective

# --- decisions -----------------------------------------------------------------------------------------


def _amount_text(value, *, field: str, label: str) -> str:
    amount = plan_services.parse_amount(value, field=field, label=label)
    return str(amount)


def clean_decision(ctg: Ctg, kind: str, fiche, payload: dict | None) -> tuple:
    """Validates what a decision changes; returns (fiche, payload) as stored."""
    payload = dict(payload or {})
    if kind not in Decision.Kind.values:
        raise ValidationError({"kind": "Choisissez l'effet de la décision."})
    if kind in (Decision.Kind.FICHE_STATUS, Decision.Kind.BUDGET):
        if not isinstance(fiche, FicheAction) or fiche.ctg_id != ctg.pk:
            raise ValidationError({"fiche": "Choisissez une fiche action de ce dossier."})
    else:
        fiche = None
    if kind == Decision.Kind.NOTE:
        return None, {}
    if kind == Decision.Kind.FICHE_STATUS:
        status = payload.get("status")
        if status not in FicheAction.Status.values:
            raise ValidationError({"status": "Choisissez le nouveau statut de la fiche."})
        return fiche, {"status": status}
    if kind == Decision.Kind.BUDGET:
        year = plan_services.check_year_in_period(ctg, payload.get("year"))
        funder = payload.get("funder")
        if funder not in Funder.values:
            raise ValidationError({"funder": "Choisissez le financeur."})
        return fiche, {
            "year": year,
            "funder": funder,
            "planned": _amount_text(payload.get("planned"), field="planned", label="Le montant prévu"),
            "spent": _amount_text(payload.get("spent"), field="spent", label="Le montant réalisé"),
        }
    # FICHE_CREATE
    title = _text(
        payload.get("title"), field="new_title", label="L'intitulé de la fiche", required=True, max_length=300
    )
    try:
        objective_pk = int(payload.get("objective"))
    except (TypeError, ValueError):
        raise ValidationError({"objective": "Choisissez l'objectif opérationnel de la fiche."}) from None
    if not OperationalObjective.objects.filter(pk=objective_pk, strategic__enjeu__ctg=ctg).exists():
        raise ValidationError({"objective": "L'objectif opérationnel doit appartenir à ce dossier."})
    return None, {"title": title, "objective": objective_pk}


def decision_effect(decision: Decision) -> str:
    """What the decision changes, in words."""
    payload = decision.payload or {}
    fiche = f"« {decision.fiche.title} »" if decision.fiche else "(fiche supprimée)"
    if decision.kind == Decision.Kind.FICHE_STATUS:
        status = dict(FicheAction.Status.choices).get(payload.get("status"), payload.get("status"))
        return f"Statut de la fiche {fiche} : {status}"
    if decision.kind == Decision.Kind.BUDGET:
        funder = dict(Funder.choices).get(payload.get("funder"), payload.get("funder"))
        return (
            f"Budget {payload.get('year')} de la fiche {fiche}, {funder} : "
            f"{payload.get('planned')} € prévus, {payload.get('spent')} € réalisés"
        )
    if decision.kind == Decision.Kind.FICHE_CREATE:
        objective = OperationalObjective.objects.filter(pk=payload.get("objective")).first()
        under = f" sous « {objective.title} »" if objective else ""
        return f"Nouvelle fiche action « {payload.get('title')} »{under}"
    return ""


@transaction.atomic
def decision_add(
    *,
    meeting: Meeting,
    actor,
    text: str,
    kind: str = Decision.Kind.NOTE,
    fiche=None,
    payload: dict | None = None,
) -> Decision:
    _refuse_cancelled(meeting)
    text = _text(text, field="text", label="Le texte de la décision", required=True)
    fiche, payload = clean_decision(meeting.ctg, kind, fiche, payload)
    decision = Decision.objects.create(
        meeting=meeting,
        position=meeting.decisions.count(),
        text=text,
        kind=kind,
        fiche=fiche,
        payload=payload,
        created_by=person(actor),
        updated_by=person(actor),
    )
    history_record(
        ctg=meeting.ctg,
        actor=actor,
        action=Action.DECISION,
        summary=f"Décision ajoutée ({meeting_label(meeting)}) : {text}",
        changes={"kind": ["", decision.get_kind_display()]},
        item=decision,
    )
    return decision


@transaction.atomic
def decision_remove(*, decision: Decision, actor) -> None:
    decision = (
        Decision.objects.select_for_update(of=("self",)).select_related("meeting__body").get(pk=decision.pk)
    )
    if decision.applied_at is not None:
        raise ValidationError("Cette décision est appliquée au plan : elle ne peut plus être supprimée.")
    meeting, text, pk = decision.meeting, decision.text, decision.pk
    decision.delete()
    decision.pk = pk
    history_record(
        ctg=meeting.ctg,
        actor=actor,
        action=Action.DECISION,
        summary=f"Décision supprimée ({meeting_label(meeting)}) : {text}",
        item=decision,
    )


def _without_effect(kind: str, fiche, payload: dict) -> str:
    """Why applying the decision would change nothing on the plan, or an empty string."""
    if kind == Decision.Kind.FICHE_STATUS and fiche.status == payload["status"]:
        return f"la fiche était déjà « {fiche.get_status_display()} »"
    if kind == Decision.Kind.BUDGET:
        line = fiche.budget.filter(year=payload["year"], funder=payload["funder"]).first()
        if line and line.planned == Decimal(payload["planned"]) and line.spent == Decimal(payload["spent"]):
            return "la ligne de budget avait déjà ces montants"
    return ""


@transaction.atomic
def decision_apply(*, decision: Decision, actor, now=None) -> Decision:
    """Carries the decision out on the plan through the plan's services; the history lines they write point
    to the decision. A decision is applied once, after its meeting is marked held."""
    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("meeting", "fiche")
        .get(pk=decision.pk)
    )
    meeting = decision.meeting
    ctg = meeting.ctg
    if decision.kind == Decision.Kind.NOTE:
        raise ValidationError("Cette décision n'a pas d'effet sur le plan.")
    if decision.applied_at is not None:
        raise ValidationError(
            f"Cette décision est déjà appliquée (le {timezone.localtime(decision.applied_at):%d/%m/%Y})."
        )
    if meeting.status != Meeting.Status.HELD:
        raise ValidationError("La réunion doit être marquée comme tenue avant d'appliquer ses décisions.")
    if decision.kind in (Decision.Kind.FICHE_STATUS, Decision.Kind.BUDGET) and decision.fiche is None:
        raise ValidationError("La fiche action de cette décision n'existe plus.")
    fiche, payload = clean_decision(ctg, decision.kind, decision.fiche, decision.payload)
    decision.applied_without_effect = _without_effect(decision.kind, fiche, payload)
    with history_cause(decision):
        if decision.applied_without_effect:
            pass  # the plan already is as decided: nothing to write on the fiche
        elif decision.kind == Decision.Kind.FICHE_STATUS:
            plan_services.fiche_update(
                fiche=fiche, actor=actor, expected_version=fiche.version, status=payload["status"]
            )
        elif decision.kind == Decision.Kind.BUDGET:
            plan_services.budget_set(
                fiche=fiche,
                actor=actor,
                year=payload["year"],
                funder=payload["funder"],
                planned=Decimal(payload["planned"]),
                spent=Decimal(payload["spent"]),
            )
        else:
            objective = OperationalObjective.objects.get(pk=payload["objective"])
            decision.fiche = plan_services.fiche_create(
                ctg=ctg, actor=actor, title=payload["title"], objectives=[objective]
            )
        decision.applied_at = now or timezone.now()
        decision.applied_by = person(actor)
        decision.updated_by = person(actor)
        decision.save()
        history_record(
            ctg=ctg,
            actor=actor,
            action=Action.DECISION,
            summary=f"Décision appliquée au plan ({meeting_label(meeting)}) : {decision_effect(decision)}"
            + (
                f" — sans effet : {decision.applied_without_effect}"
                if decision.applied_without_effect
                else ""
            ),
            item=decision,
        )
    return decision
