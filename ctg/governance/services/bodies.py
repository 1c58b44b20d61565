"""Bodies of the steering (COPIL, COTECH…) and their members."""

from django.core.exceptions import ValidationError
from django.db import transaction

from ctg.conventions.models import Ctg
from ctg.conventions.selectors import check_dossier_organisations
from ctg.core.history import (
    history_record,
    person,
    register_labels,
    tracked_update,
)
from ctg.core.models import Action
from ctg.governance.models import Body, BodyMember
from ctg.governance.services.common import _email, _text
from ctg.organisations.models import Organisation

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


def _clean_member(ctg: Ctg, values: dict, *, keep=()) -> dict:
    """The member's values; its organisation one the dossier may name (`check_dossier_organisations`, `keep`:
    the one it already represents)."""
    if not isinstance(values.get("organisation"), Organisation):
        raise ValidationError({"organisation": "Choisissez l'organisation représentée."})
    check_dossier_organisations(ctg, [values["organisation"]], keep=keep)
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
        body.ctg,
        {
            "organisation": organisation,
            "person_name": person_name,
            "capacity": capacity,
            "email": email,
            "user": user,
        },
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
    merged = _clean_member(
        member.body.ctg,
        {**{k: getattr(member, k) for k in MEMBER_FIELDS}, **values},
        keep=[member.organisation_id],
    )
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
