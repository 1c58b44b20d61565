"""Meetings: creation and changes, participants and attendance, minutes, invitations by email."""

import datetime

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from ctg.conventions.models import Ctg, DatePrecision
from ctg.core.history import (
    history_record,
    history_value,
    person,
    register_labels,
    tracked_update,
)
from ctg.core.models import Action
from ctg.governance.models import Body, Meeting, Participant
from ctg.governance.services.common import _email, _text, meeting_label
from ctg.text import single_line

# --- meetings ------------------------------------------------------------------------------------------

MEETING_FIELDS = {
    "body": "instance",
    "title": "intitulé",
    "starts_at": "début",
    "date_precision": "précision de la date",
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
SEQUENCE_FIELDS = ("starts_at", "date_precision", "ends_at", "place", "link")


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
    precision = values.setdefault("date_precision", DatePrecision.DAY)
    if precision not in DatePrecision.values:
        raise ValidationError({"starts_at": "Précision de date inconnue : jour ou mois."})
    if precision == DatePrecision.MONTH:
        # A past meeting recorded afterwards whose day is unknown: the first of its month at midnight, no end.
        local = timezone.localtime(starts_at)
        values["starts_at"] = timezone.make_aware(datetime.datetime(local.year, local.month, 1))
        today = timezone.localdate()
        if (local.year, local.month) > (today.year, today.month):
            raise ValidationError(
                {
                    "starts_at": "Seule une réunion passée s'enregistre sans son jour : indiquez la date et "
                    "l'heure."
                }
            )
        if ends_at is not None:
            raise ValidationError(
                {"ends_at": "Une réunion dont seul le mois est connu n'a pas d'heure de fin."}
            )
    return values


@transaction.atomic
def meeting_create(
    *,
    ctg: Ctg,
    actor,
    body: Body,
    starts_at,
    ends_at=None,
    date_precision: str = DatePrecision.DAY,
    title: str = "",
    place: str = "",
    link: str = "",
    agenda: str = "",
) -> Meeting:
    """A planned meeting; its participants are the members of the body (more can be invited). A past meeting
    whose day is unknown is recorded with `date_precision` « month » (shown « mai 2024 »)."""
    values = _clean_meeting(
        ctg,
        {
            "body": body,
            "title": title,
            "starts_at": starts_at,
            "date_precision": date_precision,
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
    if meeting.month_only:
        raise ValidationError(
            "Une réunion dont le jour n'est pas connu ne fait pas l'objet d'une invitation."
        )
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
