"""Writes on the steering of a dossier: bodies and their members, meetings (attendance, minutes, invitations)
and decisions. Each function validates, writes atomically and records the change in the dossier's history.

Rules:
- a body that has meetings cannot be deleted (its meetings would lose their body);
- a meeting needs a place or a videoconference link; its `sequence` increases when its date, place or link
  changes, and when it is cancelled, so that calendar clients update the invitation;
- a cancelled meeting cannot be changed any more; a meeting can be marked held once it has started;
- decisions are added to meetings that are not cancelled; a decision acts on the plan only when applied, once,
  and only when its meeting is marked held (a decision exists only once the committee has met); an applied
  decision cannot be deleted.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone

from ctg.conventions.models import Ctg
from ctg.core.history import (
    history_cause,
    history_record,
    history_value,
    person,
    register_labels,
    tracked_update,
)
from ctg.core.models import Action
from ctg.governance.models import Body, BodyMember, Decision, Meeting, Participant
from ctg.organisations.models import Organisation
from ctg.plans import services as plan_services
from ctg.plans.models import FicheAction, Funder, OperationalObjective
from ctg.text import clean_text, single_line

# --- helpers -------------------------------------------------------------------------------------------


def _text(value, *, field: str, label: str, required: bool = False, max_length: int | None = None) -> str:
    # Control characters removed for the callers without a form too (imports, decisions); see ctg.text.
    value = clean_text(value or "", multiline=True).strip()
    if required and not value:
        raise ValidationError({field: f"{label} est obligatoire."})
    if max_length and len(value) > max_length:
        raise ValidationError({field: f"{label} ne doit pas dépasser {max_length} caractères."})
    return value


def _email(value, *, field: str = "email") -> str:
    value = (value or "").strip()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError({field: f"L'adresse « {value} » n'est pas un courriel valide."}) from None
    return value


def meeting_label(meeting: Meeting) -> str:
    date = timezone.localtime(meeting.starts_at).strftime("%d/%m/%Y")
    return f"{meeting.body.name} du {date}" + (f" « {meeting.title} »" if meeting.title else "")


# --- bodies --------------------------------------------------------------------------------------------

BODY_FIELDS = {"kind": "type", "name": "nom", "role": "rôle et fréquence"}


def _clean_body(ctg: Ctg, values: dict, exclude_pk=None) -> dict:
    if values.get("kind") not in Body.Kind.values:
        raise ValidationError({"kind": "Choisissez le type d'instance."})
    values["name"] = _text(values.get("name"), field="name", label="Le nom", required=True, max_length=200)
    values["role"] = _text(values.get("role"), field="role", label="Le rôle")
    clash = Body.objects.filter(ctg=ctg, name__iexact=values["name"]).exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": f"Une instance s'appelle déjà « {values['name']} » dans ce dossier."})
    return values


@transaction.atomic
def body_create(*, ctg: Ctg, actor, kind: str, name: str, role: str = "") -> Body:
    values = _clean_body(ctg, {"kind": kind, "name": name, "role": role})
    body = Body.objects.create(
        ctg=ctg,
        position=ctg.bodies.count(),
        created_by=person(actor),
        updated_by=person(actor),
        **values,
    )
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.BODY,
        summary=f"Instance créée : {body.name}",
        changes={"name": ["", body.name], "kind": ["", body.get_kind_display()]},
        item=body,
    )
    return body


@transaction.atomic
def body_update(*, body: Body, actor, **values) -> Body:
    unknown = set(values) - set(BODY_FIELDS)
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    merged = _clean_body(
        body.ctg, {**{k: getattr(body, k) for k in BODY_FIELDS}, **values}, exclude_pk=body.pk
    )
    tracked_update(
        body,
        actor=actor,
        ctg=body.ctg,
        values=merged,
        action=Action.BODY,
        summary=lambda labels: f"Instance modifiée : {body.name}",
    )
    return body


@transaction.atomic
def body_delete(*, body: Body, actor) -> None:
    count = body.meetings.count()
    if count:
        raise ValidationError(
            f"L'instance « {body.name} » a {count} réunion{'s' if count > 1 else ''} : "
            "elle ne peut pas être supprimée."
        )
    ctg, name, pk = body.ctg, body.name, body.pk
    body.delete()
    body.pk = pk
    history_record(
        ctg=ctg, actor=actor, action=Action.BODY, summary=f"Instance supprimée : {name}", item=body
    )


# --- body members --------------------------------------------------------------------------------------

MEMBER_FIELDS = {
    "organisation": "organisation",
    "person_name": "personne",
    "capacity": "qualité",
    "email": "courriel",
    "user": "compte",
}
register_labels(Action.BODY, {**BODY_FIELDS, **MEMBER_FIELDS, "member": "membre"})
register_labels(Action.DECISION, {"kind": "effet"})


def _clean_member(values: dict) -> dict:
    if not isinstance(values.get("organisation"), Organisation):
        raise ValidationError({"organisation": "Choisissez l'organisation représentée."})
    values["person_name"] = _text(
        values.get("person_name"),
        field="person_name",
        label="Le nom de la personne",
        required=True,
        max_length=200,
    )
    values["capacity"] = _text(values.get("capacity"), field="capacity", label="La qualité", max_length=200)
    values["email"] = _email(values.get("email"))
    return values


@transaction.atomic
def member_add(
    *, body: Body, actor, organisation, person_name: str, capacity: str = "", email: str = "", user=None
) -> BodyMember:
    values = _clean_member(
        {
            "organisation": organisation,
            "person_name": person_name,
            "capacity": capacity,
            "email": email,
            "user": user,
        }
    )
    member = BodyMember.objects.create(
        body=body, created_by=person(actor), updated_by=person(actor), **values
    )
    history_record(
        ctg=body.ctg,
        actor=actor,
        action=Action.BODY,
        summary=f"{body.name} : membre ajouté·e, {member}",
        changes={"member": ["", str(member)]},
        item=body,
    )
    return member


@transaction.atomic
def member_update(*, member: BodyMember, actor, **values) -> BodyMember:
    unknown = set(values) - set(MEMBER_FIELDS)
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    merged = _clean_member({**{k: getattr(member, k) for k in MEMBER_FIELDS}, **values})
    tracked_update(
        member,
        actor=actor,
        ctg=member.body.ctg,
        item=member.body,
        values=merged,
        action=Action.BODY,
        summary=lambda labels: f"{member.body.name} : membre modifié·e, {member}",
    )
    return member


@transaction.atomic
def member_remove(*, member: BodyMember, actor) -> None:
    body, label = member.body, str(member)
    member.delete()
    history_record(
        ctg=body.ctg,
        actor=actor,
        action=Action.BODY,
        summary=f"{body.name} : membre retiré·e, {label}",
        changes={"member": [label, ""]},
        item=body,
    )


# --- meetings ------------------------------------------------------------------------------------------

MEETING_FIELDS = {
    "body": "instance",
    "title": "intitulé",
    "starts_at": "début",
    "ends_at": "fin",
    "place": "lieu",
    "link": "lien de visioconférence",
    "agenda": "ordre du jour",
}
register_labels(
    Action.MEETING,
    {
        **MEETING_FIELDS,
        "participants_removed": "participants retirés",
        "participants_added": "participants ajoutés",
        "status": "statut",
        "minutes": "compte rendu",
        "recipients": "destinataires",
    },
)
# A change of these makes calendar clients update the invitation.
SEQUENCE_FIELDS = ("starts_at", "ends_at", "place", "link")


def _clean_meeting(ctg: Ctg, values: dict) -> dict:
    body = values.get("body")
    if not isinstance(body, Body) or body.ctg_id != ctg.pk:
        raise ValidationError({"body": "Choisissez une instance de ce dossier."})
    values["title"] = _text(values.get("title"), field="title", label="L'intitulé", max_length=250)
    values["place"] = _text(values.get("place"), field="place", label="Le lieu", max_length=250)
    values["link"] = (values.get("link") or "").strip()
    if values["link"]:
        try:
            URLValidator(schemes=["http", "https"])(values["link"])
        except ValidationError:
            raise ValidationError({"link": "Le lien de visioconférence doit être une adresse web."}) from None
    if not values["place"] and not values["link"]:
        raise ValidationError({"place": "Indiquez un lieu ou un lien de visioconférence."})
    values["agenda"] = _text(values.get("agenda"), field="agenda", label="L'ordre du jour")
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if not isinstance(starts_at, datetime.datetime):
        raise ValidationError({"starts_at": "La date et l'heure de début sont obligatoires."})
    if ends_at is not None and not isinstance(ends_at, datetime.datetime):
        raise ValidationError({"ends_at": "Date et heure de fin invalides."})
    if timezone.is_naive(starts_at):
        values["starts_at"] = starts_at = timezone.make_aware(starts_at)
    if ends_at is not None and timezone.is_naive(ends_at):
        values["ends_at"] = ends_at = timezone.make_aware(ends_at)
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError({"ends_at": "La fin doit être postérieure au début."})
    return values


@transaction.atomic
def meeting_create(
    *,
    ctg: Ctg,
    actor,
    body: Body,
    starts_at,
    ends_at=None,
    title: str = "",
    place: str = "",
    link: str = "",
    agenda: str = "",
) -> Meeting:
    """A planned meeting; its participants are the members of the body (more can be invited)."""
    values = _clean_meeting(
        ctg,
        {
            "body": body,
            "title": title,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "place": place,
            "link": link,
            "agenda": agenda,
        },
    )
    meeting = Meeting.objects.create(ctg=ctg, created_by=person(actor), updated_by=person(actor), **values)
    _invite_members(meeting, body)
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.MEETING,
        summary=f"Réunion planifiée : {meeting_label(meeting)}",
        changes={
            "starts_at": ["", history_value(meeting.starts_at)],
            "place": ["", meeting.place or meeting.link],
        },
        item=meeting,
    )
    return meeting


def _invite_members(meeting: Meeting, body: Body) -> list[str]:
    """Invites the members of the body who are not participants yet (same seat or same email); returns
    their names."""
    present = meeting.participants.all()
    seats = {p.member_id for p in present if p.member_id}
    emails = {p.email.lower() for p in present if p.email}
    new = [
        Participant(
            meeting=meeting,
            member=m,
            person_name=m.person_name,
            organisation_name=m.organisation.name,
            email=m.email,
        )
        for m in body.members.select_related("organisation")
        if m.pk not in seats and not (m.email and m.email.lower() in emails)
    ]
    Participant.objects.bulk_create(new)
    return [str(p) for p in new]


def _rebuild_participants(meeting: Meeting, old_body: Body) -> dict:
    """After a change of body: the old body's members whose attendance was not recorded leave the list, the
    new body's members join it; guests and recorded attendances stay. Returns the history changes."""
    leaving = meeting.participants.filter(member__body=old_body, attendance=Participant.Attendance.INVITED)
    removed = [str(p) for p in leaving]
    leaving.delete()
    added = _invite_members(meeting, meeting.body)
    changes = {}
    if removed:
        changes["participants_removed"] = ["; ".join(removed), ""]
    if added:
        changes["participants_added"] = ["", "; ".join(added)]
    return changes


def _refuse_cancelled(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError("Cette réunion est annulée : elle ne peut plus être modifiée.")


@transaction.atomic
def meeting_update(*, meeting: Meeting, actor, **values) -> Meeting:
    unknown = set(values) - set(MEETING_FIELDS)
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _refuse_cancelled(meeting)
    merged = _clean_meeting(meeting.ctg, {**{k: getattr(meeting, k) for k in MEETING_FIELDS}, **values})
    before = {k: getattr(meeting, k) for k in SEQUENCE_FIELDS}
    old_body = meeting.body

    def participants_and_sequence(changes: dict) -> dict:
        if any(before[k] != getattr(meeting, k) for k in SEQUENCE_FIELDS):
            meeting.sequence += 1
        return _rebuild_participants(meeting, old_body) if meeting.body_id != old_body.pk else {}

    tracked_update(
        meeting,
        actor=actor,
        ctg=meeting.ctg,
        values=merged,
        action=Action.MEETING,
        summary=lambda labels: f"Réunion modifiée : {meeting_label(meeting)}",
        before_save=participants_and_sequence,
    )
    return meeting


def _set_status(meeting: Meeting, actor, status: str, summary: str) -> Meeting:
    before = meeting.get_status_display()
    meeting.status = status
    meeting.updated_by = person(actor)
    meeting.save()
    history_record(
        ctg=meeting.ctg,
        actor=actor,
        action=Action.MEETING,
        summary=f"{summary} : {meeting_label(meeting)}",
        changes={"status": [before, meeting.get_status_display()]},
        item=meeting,
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError("Seule une réunion prévue peut être annulée.")
    meeting.sequence += 1
    return _set_status(meeting, actor, Meeting.Status.CANCELLED, "Réunion annulée")


@transaction.atomic
def meeting_mark_held(*, meeting: Meeting, actor, now=None) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError("Seule une réunion prévue peut être marquée comme tenue.")
    if meeting.starts_at > (now or timezone.now()):
        raise ValidationError(
            "La réunion n'a pas encore commencé : elle ne peut pas être marquée comme tenue."
        )
    return _set_status(meeting, actor, Meeting.Status.HELD, "Réunion tenue")


@transaction.atomic
def participant_add(
    *, meeting: Meeting, actor, person_name: str, organisation_name: str = "", email: str = ""
) -> Participant:
    """Invites a guest (someone who is not a member of the body)."""
    _refuse_cancelled(meeting)
    person_name = _text(person_name, field="person_name", label="Le nom", required=True, max_length=200)
    organisation_name = _text(
        organisation_name, field="organisation_name", label="L'organisation", max_length=250
    )
    email = _email(email)
    participant = Participant.objects.create(
        meeting=meeting, person_name=person_name, organisation_name=organisation_name, email=email
    )
    history_record(
        ctg=meeting.ctg,
        actor=actor,
        action=Action.MEETING,
        summary=f"{meeting_label(meeting)} : invité·e ajouté·e, {participant}",
        item=meeting,
    )
    return participant


ATTENDANCE_CHOICES = (
    Participant.Attendance.PRESENT,
    Participant.Attendance.EXCUSED,
    Participant.Attendance.ABSENT,
    Participant.Attendance.INVITED,
)


@transaction.atomic
def attendance_set(*, meeting: Meeting, actor, attendance: dict) -> dict:
    """`attendance`: {participant pk: "present" | "excuse" | "absent" | "invite"}. Returns the changes."""
    _refuse_cancelled(meeting)
    participants = {p.pk: p for p in meeting.participants.all()}
    for pk, value in attendance.items():
        if pk not in participants:
            raise ValidationError("Cette personne n'est pas invitée à la réunion.")
        if value not in ATTENDANCE_CHOICES:
            raise ValidationError(f"Présence inconnue : « {value} ».")
    changes = {}
    labels = dict(Participant.Attendance.choices)
    for pk, value in attendance.items():
        participant = participants[pk]
        if participant.attendance != value:
            changes[participant.person_name] = [labels[participant.attendance], labels[value]]
            participant.attendance = value
            participant.save(update_fields=["attendance"])
    if changes:
        history_record(
            ctg=meeting.ctg,
            actor=actor,
            action=Action.MEETING,
            summary=f"Présences : {meeting_label(meeting)}",
            changes=changes,
            item=meeting,
        )
    return changes


@transaction.atomic
def minutes_set(*, meeting: Meeting, actor, minutes: str) -> Meeting:
    _refuse_cancelled(meeting)
    tracked_update(
        meeting,
        actor=actor,
        ctg=meeting.ctg,
        values={"minutes": (minutes or "").strip()},
        action=Action.MEETING,
        summary=f"Compte rendu : {meeting_label(meeting)}",
        display=lambda text: text[:200],
        only_changed=True,
    )
    return meeting


@transaction.atomic
def meeting_invite(*, meeting: Meeting, actor, url: str = "") -> int:
    """Emails the invitation (.ics attached) to every participant who has an email. Returns how many."""
    from ctg.governance import ics

    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError("Seule une réunion prévue peut faire l'objet d'une invitation.")
    recipients = list(dict.fromkeys(p.email for p in meeting.participants.all() if p.email))
    if not recipients:
        raise ValidationError("Aucun·e participant·e n'a de courriel : personne à inviter.")
    calendar = ics.meeting_calendar(meeting, url=url, method="REQUEST")
    when = timezone.localtime(meeting.starts_at).strftime("%d/%m/%Y à %H:%M")
    body = (
        f"Bonjour,\n\nVous êtes invité·e à la réunion « {meeting_label(meeting)} » le {when}"
        f"{(', ' + meeting.place) if meeting.place else ''}.\n"
        + (f"Lien de visioconférence : {meeting.link}\n" if meeting.link else "")
        + (f"\nOrdre du jour :\n{meeting.agenda}\n" if meeting.agenda else "")
        + (f"\nLa réunion sur la plateforme : {url}\n" if url else "")
        + "\nL'invitation est jointe (fichier .ics) pour l'ajouter à votre agenda.\n"
    )
    for email in recipients:
        subject = f"Invitation : {single_line(meeting_label(meeting))}"  # a header holds no line break
        message = EmailMessage(subject=subject, body=body, to=[email])
        message.attach("invitation.ics", calendar, "text/calendar; method=REQUEST; charset=utf-8")
        message.send()
    history_record(
        ctg=meeting.ctg,
        actor=actor,
        action=Action.MEETING,
        summary=f"Invitation envoyée à {len(recipients)} personne{'s' if len(recipients) > 1 else ''} : "
        f"{meeting_label(meeting)}",
        changes={"recipients": ["", ", ".join(recipients)]},
        item=meeting,
    )
    return len(recipients)


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
