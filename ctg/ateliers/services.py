"""Every write of the ateliers (issue 13): the atelier itself, its invitations and registrations, attendance,
contributions, report, attachments, the dot vote on findings and the findings created from it.

Contract:
- every function is keyword-only and atomic; it validates first and raises `ValidationError` with French
  messages (keyed by the form's field when there is one), so a refusal leaves the data unchanged;
- every write records one line of the dossier's history (`Action.ATELIER`, through `ctg.core.history`);
- a commune MUST be one of the dossier's territory, a theme one of the CTG fields, an organisation one the
  dossier may name (`conventions.selectors.check_dossier_organisations`), a finding one of the same dossier;
- registrations MUST NOT go beyond the atelier's places; a name MUST NOT appear in the list shared with the
  dossier's members (nor in the report) without the person's consent, whose date is kept;
- a document is accepted only through `ctg.uploads.check_upload`.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone

from ctg.ateliers.models import Atelier, Attachment, Attendance, Contribution, DotVote, Registration
from ctg.conventions.models import Ctg, DatePrecision, Field
from ctg.conventions.selectors import check_dossier_organisations
from ctg.core.history import history_record, history_value, person, register_labels, tracked_update
from ctg.core.models import Action
from ctg.findings import services as finding_services
from ctg.findings.models import Finding
from ctg.organisations.models import Organisation
from ctg.organisations.permissions import Role
from ctg.territories.models import Commune
from ctg.text import clean_text
from ctg.uploads import DOCUMENT_EXTENSIONS, DOCUMENT_MAX_BYTES, check_upload, file_name

ATELIER_FIELDS = {
    "title": "intitulé",
    "themes": "thématiques",
    "date": "date",
    "date_precision": "précision de la date",
    "start_time": "heure de début",
    "end_time": "heure de fin",
    "format": "format",
    "method": "méthode d'animation",
    "commune": "commune",
    "address": "adresse",
    "link": "lien de visioconférence",
    "facilitator_name": "animateur·rice",
    "facilitator_organisation": "organisation qui anime",
    "capacity": "nombre de places",
    "description": "déroulé et ordre du jour",
    "status": "statut",
    "is_fictitious": "fictif",
}
register_labels(
    Action.ATELIER,
    {
        **ATELIER_FIELDS,
        "report": "compte rendu",
        "registration": "inscription",
        "attendance": "présences",
        "contribution": "contribution",
        "attachment": "pièce jointe",
        "dots": "gommettes",
        "finding": "constat",
        "consent_listed": "accord pour la liste des participants",
        "consent_contact": "accord pour être recontacté·e",
    },
)

ATTACHMENT_EXTENSIONS = DOCUMENT_EXTENSIONS
ATTACHMENT_MAX_BYTES = DOCUMENT_MAX_BYTES
SOURCE_TYPE = "ateliers.atelier"

# --- helpers -------------------------------------------------------------------------------------------


def _text(value, *, field: str, label: str, required=False, max_length=None, multiline=True) -> str:
    value = clean_text(value or "", multiline=multiline).strip()
    if required and not value:
        raise ValidationError({field: f"{label} est obligatoire."})
    if max_length and len(value) > max_length:
        raise ValidationError({field: f"{label} ne doit pas dépasser {max_length} caractères."})
    return value


def _email(value, *, field="email") -> str:
    value = (value or "").strip()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError({field: f"L'adresse « {value} » n'est pas un courriel valide."}) from None
    return value


def _commune(ctg: Ctg, commune, *, field="commune"):
    if commune in (None, ""):
        return None
    if not isinstance(commune, Commune) or not ctg.communes.filter(pk=commune.pk).exists():
        raise ValidationError({field: "Choisissez une commune du territoire de la CTG."})
    return commune


def _organisation(ctg: Ctg, organisation, *, field: str, keep=()):
    if organisation in (None, ""):
        return None
    if not isinstance(organisation, Organisation):
        raise ValidationError({field: "Choisissez une organisation de la liste."})
    check_dossier_organisations(ctg, [organisation], field=field, keep=[k for k in keep if k])
    return organisation


def _themes(values) -> list[str]:
    if isinstance(values, str) or not isinstance(values, list | tuple):
        raise ValidationError({"themes": "Choisissez au moins une thématique."})
    themes = list(dict.fromkeys(values))
    unknown = [t for t in themes if t not in Field.values]
    if unknown:
        raise ValidationError({"themes": f"Thématique inconnue : « {unknown[0]} »."})
    if not themes:
        raise ValidationError({"themes": "Choisissez au moins une thématique."})
    return [f for f in Field.values if f in themes]  # in the order of the CTG fields


def _display(value) -> str:
    """History values: themes by their French labels."""
    labels = dict(Field.choices)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(labels.get(v, v) for v in value)
    return history_value(value)


def registered_count(atelier: Atelier, *, exclude=None) -> int:
    registrations = atelier.registrations.filter(status=Registration.Status.REGISTERED)
    if exclude is not None:
        registrations = registrations.exclude(pk=exclude.pk)
    return registrations.count()


def _refuse_cancelled(atelier: Atelier) -> None:
    if atelier.status == Atelier.Status.CANCELLED:
        raise ValidationError("Cet atelier est annulé : rétablissez-le (statut « prévu ») pour le modifier.")


# --- the atelier ---------------------------------------------------------------------------------------


def _clean_atelier(ctg: Ctg, values: dict, *, atelier: Atelier | None = None) -> dict:
    values["title"] = _text(
        values.get("title"), field="title", label="L'intitulé", required=True, max_length=250, multiline=False
    )
    values["themes"] = _themes(values.get("themes"))
    day = values.get("date")
    if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
        raise ValidationError({"date": "Indiquez la date ou, si le jour n'est pas connu, le mois."})
    precision = values.get("date_precision") or DatePrecision.DAY
    if precision not in DatePrecision.values:
        raise ValidationError({"date": "Précision de date inconnue : jour ou mois."})
    values["date_precision"] = precision
    start, end = values.get("start_time"), values.get("end_time")
    for name, value in (("start_time", start), ("end_time", end)):
        if value is not None and not isinstance(value, datetime.time):
            raise ValidationError({name: "Heure invalide."})
    if precision == DatePrecision.MONTH:
        values["date"] = day.replace(day=1)
        if start or end:
            raise ValidationError(
                {"start_time": "Un atelier dont seul le mois est connu n'a pas d'heure : indiquez la date."}
            )
    if end is not None and start is None:
        raise ValidationError({"start_time": "Indiquez l'heure de début avant celle de fin."})
    if start is not None and end is not None and end <= start:
        raise ValidationError({"end_time": "L'heure de fin doit suivre l'heure de début."})
    if values.get("format") not in Atelier.Format.values:
        raise ValidationError({"format": "Choisissez un format : présentiel, visioconférence ou hybride."})
    method = values.get("method") or ""
    if method and method not in Atelier.Method.values:
        raise ValidationError({"method": "Méthode d'animation inconnue."})
    values["method"] = method
    values["commune"] = _commune(ctg, values.get("commune"))
    values["address"] = _text(
        values.get("address"), field="address", label="L'adresse", max_length=250, multiline=False
    )
    values["link"] = (values.get("link") or "").strip()
    if values["link"]:
        try:
            URLValidator(schemes=["http", "https"])(values["link"])
        except ValidationError:
            raise ValidationError({"link": "Le lien de visioconférence doit être une adresse web."}) from None
    has_place = bool(values["commune"] or values["address"])
    if values["format"] in (Atelier.Format.PRESENTIEL, Atelier.Format.HYBRIDE) and not has_place:
        raise ValidationError({"address": "Indiquez le lieu de l'atelier : une commune ou une adresse."})
    if values["format"] in (Atelier.Format.VISIO, Atelier.Format.HYBRIDE) and not values["link"]:
        raise ValidationError({"link": "Indiquez le lien de visioconférence."})
    values["facilitator_name"] = _text(
        values.get("facilitator_name"),
        field="facilitator_name",
        label="Le nom de l'animateur·rice",
        max_length=200,
        multiline=False,
    )
    keep = [atelier.facilitator_organisation] if atelier else []
    values["facilitator_organisation"] = _organisation(
        ctg, values.get("facilitator_organisation"), field="facilitator_organisation", keep=keep
    )
    capacity = values.get("capacity")
    if capacity is not None:
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise ValidationError({"capacity": "Le nombre de places doit être un entier positif."})
        if atelier is not None and registered_count(atelier) > capacity:
            raise ValidationError(
                {
                    "capacity": f"{registered_count(atelier)} personnes sont déjà inscrites : le nombre de "
                    "places ne peut pas être inférieur."
                }
            )
    values["description"] = _text(values.get("description"), field="description", label="Le déroulé")
    status = values.get("status") or Atelier.Status.PLANNED
    if status not in Atelier.Status.values:
        raise ValidationError({"status": "Statut inconnu : prévu, tenu ou annulé."})
    first_day = values["date"].replace(day=1) if precision == DatePrecision.MONTH else values["date"]
    if status == Atelier.Status.HELD and first_day > timezone.localdate():
        raise ValidationError({"status": "Un atelier à venir ne peut pas être marqué comme tenu."})
    values["status"] = status
    values["is_fictitious"] = bool(values.get("is_fictitious", False))
    if values["is_fictitious"] and not ctg.is_fictitious:
        raise ValidationError("Un atelier fictif n'a sa place que dans un dossier de démonstration.")
    return values


@transaction.atomic
def atelier_create(*, ctg: Ctg, actor, **values) -> Atelier:
    """An atelier of the diagnostic; `values`: the fields of `ATELIER_FIELDS` (themes: CTG field values)."""
    unknown = set(values) - set(ATELIER_FIELDS)
    if unknown:
        raise ValueError(f"Champs inconnus : {sorted(unknown)}")
    values.setdefault("format", Atelier.Format.PRESENTIEL)
    values = _clean_atelier(ctg, values)
    atelier = Atelier.objects.create(ctg=ctg, created_by=person(actor), updated_by=person(actor), **values)
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.ATELIER,
        summary=f"Atelier créé : {atelier.source_label}",
        changes={
            "title": ["", atelier.title],
            "themes": ["", _display(atelier.themes)],
            "date": ["", atelier.date_label],
        },
        item=atelier,
    )
    return atelier


@transaction.atomic
def atelier_update(*, atelier: Atelier, actor, **values) -> Atelier:
    unknown = set(values) - set(ATELIER_FIELDS)
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    atelier = Atelier.objects.select_for_update().select_related("ctg").get(pk=atelier.pk)
    merged = {name: getattr(atelier, name) for name in ATELIER_FIELDS}
    merged.update(values)
    merged = _clean_atelier(atelier.ctg, merged, atelier=atelier)
    tracked_update(
        atelier,
        actor=actor,
        ctg=atelier.ctg,
        values=merged,
        action=Action.ATELIER,
        summary=lambda labels: f"Atelier modifié : {atelier.source_label}",
        display=_display,
    )
    return atelier


@transaction.atomic
def atelier_delete(*, atelier: Atelier, actor) -> None:
    """Deletes the atelier with its registrations, attendance, contributions, documents and votes; the
    findings created from it stay (their source label keeps its name)."""
    label = atelier.source_label
    ctg = atelier.ctg
    files = [a.file for a in atelier.attachments.all()]
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.ATELIER,
        summary=f"Atelier supprimé : {label}",
        changes={"title": [atelier.title, ""]},
        item=atelier,
    )
    atelier.delete()
    transaction.on_commit(lambda: [f.delete(save=False) for f in files])


@transaction.atomic
def report_set(*, atelier: Atelier, actor, report: str) -> Atelier:
    """The compte rendu of the atelier (free text)."""
    report = _text(report, field="report", label="Le compte rendu", max_length=50000)
    tracked_update(
        atelier,
        actor=actor,
        ctg=atelier.ctg,
        values={"report": report},
        action=Action.ATELIER,
        summary=f"Compte rendu : {atelier.source_label}",
        display=lambda text: (text or "")[:200],
        only_changed=True,
    )
    return atelier


# --- invitations and registrations -----------------------------------------------------------------------


def _check_capacity(atelier: Atelier, *, exclude=None) -> None:
    capacity = atelier.capacity
    if capacity is not None and registered_count(atelier, exclude=exclude) >= capacity:
        places = f"{capacity} place{'s' if capacity > 1 else ''}"
        raise ValidationError(
            {
                "status": f"L'atelier est complet ({places}) : l'inscription est refusée. Invitez la "
                "personne ou augmentez le nombre de places."
            }
        )


def _consent(value, before: bool, at) -> tuple[bool, datetime.datetime | None]:
    value = bool(value)
    if value and not before:
        return True, timezone.now()
    return value, (at if value else None)


@transaction.atomic
def registration_add(
    *,
    atelier: Atelier,
    actor,
    person_name: str,
    email: str = "",
    organisation=None,
    role: str = "",
    commune=None,
    status: str = Registration.Status.INVITED,
    consent_listed: bool = False,
    consent_contact: bool = False,
) -> Registration:
    """An invitation (status « invité·e ») or a registration (« inscrit·e », within the places). The consents
    are kept with their date; without `consent_listed` the name stays out of the shared list and the
    report."""
    atelier = Atelier.objects.select_for_update().select_related("ctg").get(pk=atelier.pk)
    _refuse_cancelled(atelier)
    ctg = atelier.ctg
    person_name = _text(
        person_name, field="person_name", label="Le nom", required=True, max_length=200, multiline=False
    )
    email = _email(email)
    organisation = _organisation(ctg, organisation, field="organisation")
    role = _text(role, field="role", label="La qualité", max_length=200, multiline=False)
    commune = _commune(ctg, commune)
    if status not in Registration.Status.values:
        raise ValidationError({"status": "Statut inconnu : invité·e, inscrit·e ou excusé·e."})
    if status == Registration.Status.REGISTERED:
        _check_capacity(atelier)
    listed, listed_at = _consent(consent_listed, False, None)
    contact, contact_at = _consent(consent_contact, False, None)
    registration = Registration.objects.create(
        atelier=atelier,
        person_name=person_name,
        email=email,
        organisation=organisation,
        role=role,
        commune=commune,
        status=status,
        consent_listed=listed,
        consent_listed_at=listed_at,
        consent_contact=contact,
        consent_contact_at=contact_at,
        created_by=person(actor),
        updated_by=person(actor),
    )
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.ATELIER,
        summary=f"{atelier.source_label} : {registration.get_status_display().lower()}, {registration}",
        changes={"registration": ["", f"{registration} — {registration.get_status_display()}"]},
        item=atelier,
    )
    return registration


@transaction.atomic
def registration_update(*, registration: Registration, actor, **values) -> Registration:
    """Changes a registration's status or consents (`status`, `consent_listed`, `consent_contact`)."""
    unknown = set(values) - {"status", "consent_listed", "consent_contact"}
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    atelier = Atelier.objects.select_for_update().select_related("ctg").get(pk=registration.atelier_id)
    _refuse_cancelled(atelier)
    registration = Registration.objects.get(pk=registration.pk)
    status = values.get("status", registration.status)
    if status not in Registration.Status.values:
        raise ValidationError({"status": "Statut inconnu : invité·e, inscrit·e ou excusé·e."})
    if status == Registration.Status.REGISTERED and registration.status != status:
        _check_capacity(atelier, exclude=registration)
    listed, listed_at = _consent(
        values.get("consent_listed", registration.consent_listed),
        registration.consent_listed,
        registration.consent_listed_at,
    )
    contact, contact_at = _consent(
        values.get("consent_contact", registration.consent_contact),
        registration.consent_contact,
        registration.consent_contact_at,
    )
    changes = tracked_update(
        registration,
        actor=actor,
        ctg=atelier.ctg,
        values={
            "status": status,
            "consent_listed": listed,
            "consent_listed_at": listed_at,
            "consent_contact": contact,
            "consent_contact_at": contact_at,
        },
        action=Action.ATELIER,
        summary=f"{atelier.source_label} : inscription de {registration.person_name} modifiée",
        item=atelier,
    )
    if "consent_listed" in changes and hasattr(registration, "attendance"):
        Attendance.objects.filter(registration=registration).update(
            consent_listed=listed, consent_listed_at=listed_at
        )
    return registration


@transaction.atomic
def registration_delete(*, registration: Registration, actor) -> None:
    atelier = registration.atelier
    history_record(
        ctg=atelier.ctg,
        actor=actor,
        action=Action.ATELIER,
        summary=f"{atelier.source_label} : inscription retirée, {registration}",
        changes={"registration": [str(registration), ""]},
        item=atelier,
    )
    registration.delete()


# --- attendance -----------------------------------------------------------------------------------------


def referents(atelier: Atelier):
    """The communal referents of the dossier (members with that role), proposed first on the attendance."""
    return [
        m.user
        for m in atelier.ctg.memberships.filter(role=Role.REFERENT_COMMUNAL)
        .select_related("user", "user__organisation")
        .order_by("user__last_name", "user__first_name", "user__email")
    ]


@transaction.atomic
def attendance_set(*, atelier: Atelier, actor, registrations=(), members=(), others=()) -> dict:
    """Who was present: `registrations` (ids of the atelier's registrations), `members` (ids of the dossier's
    members, the communal referents first), `others` (ids of the attendances recorded for people who came
    without registering, kept when still checked). Everyone else recorded present is removed. Returns the
    changes."""
    atelier = Atelier.objects.select_for_update().select_related("ctg").get(pk=atelier.pk)
    _refuse_cancelled(atelier)
    ctg = atelier.ctg
    wanted_registrations = {int(pk) for pk in registrations}
    wanted_members = {int(pk) for pk in members}
    kept_others = {int(pk) for pk in others}
    known_registrations = {r.pk: r for r in atelier.registrations.select_related("organisation")}
    if wanted_registrations - set(known_registrations):
        raise ValidationError("Cette personne n'est pas inscrite à l'atelier.")
    memberships = {m.user_id: m for m in ctg.memberships.select_related("user", "user__organisation")}
    if wanted_members - set(memberships):
        raise ValidationError("Cette personne n'est pas membre du dossier.")
    current = list(atelier.attendances.all())
    if kept_others - {a.pk for a in current if a.registration_id is None and a.user_id is None}:
        raise ValidationError("Cette présence n'est pas de cet atelier.")
    added, removed = [], []
    for attendance in current:
        if attendance.registration_id is not None:
            keep = attendance.registration_id in wanted_registrations
        elif attendance.user_id is not None:
            keep = attendance.user_id in wanted_members
        else:
            keep = attendance.pk in kept_others
        if not keep:
            removed.append(str(attendance))
            attendance.delete()
    present_registrations = {a.registration_id for a in current if a.registration_id}
    present_members = {a.user_id for a in current if a.user_id}
    for pk in sorted(wanted_registrations - present_registrations):
        registration = known_registrations[pk]
        attendance = Attendance.objects.create(
            atelier=atelier,
            registration=registration,
            person_name=registration.person_name,
            organisation=registration.organisation,
            consent_listed=registration.consent_listed,
            consent_listed_at=registration.consent_listed_at,
            created_by=person(actor),
            updated_by=person(actor),
        )
        added.append(str(attendance))
    for pk in sorted(wanted_members - present_members):
        user = memberships[pk].user
        attendance = Attendance.objects.create(
            atelier=atelier,
            user=user,
            person_name=user.get_full_name() or user.email,
            organisation=user.organisation,
            created_by=person(actor),
            updated_by=person(actor),
        )
        added.append(str(attendance))
    changes = {}
    if added or removed:
        changes = {"attendance": ["; ".join(removed), "; ".join(added)]}
        history_record(
            ctg=ctg,
            actor=actor,
            action=Action.ATELIER,
            summary=f"Présences : {atelier.source_label}",
            changes=changes,
            item=atelier,
        )
    return changes


@transaction.atomic
def attendance_add(
    *, atelier: Atelier, actor, person_name: str, organisation=None, consent_listed: bool = False
) -> Attendance:
    """Someone present who had not registered."""
    atelier = Atelier.objects.select_for_update().select_related("ctg").get(pk=atelier.pk)
    _refuse_cancelled(atelier)
    person_name = _text(
        person_name, field="person_name", label="Le nom", required=True, max_length=200, multiline=False
    )
    organisation = _organisation(atelier.ctg, organisation, field="organisation")
    listed, listed_at = _consent(consent_listed, False, None)
    attendance = Attendance.objects.create(
        atelier=atelier,
        person_name=person_name,
        organisation=organisation,
        consent_listed=listed,
        consent_listed_at=listed_at,
        created_by=person(actor),
        updated_by=person(actor),
    )
    history_record(
        ctg=atelier.ctg,
        actor=actor,
        action=Action.ATELIER,
        summary=f"Présences : {atelier.source_label}",
        changes={"attendance": ["", str(attendance)]},
        item=atelier,
    )
    return attendance


# --- contributions ---------------------------------------------------------------------------------------


@transaction.atomic
def contribution_add(
    *, atelier: Atelier, actor, text: str, author_name: str = "", theme: str = ""
) -> Contribution:
    """A contribution gathered during the atelier, or added by a member who may contribute
    (`Op.CONTRIBUTE`, checked by the view)."""
    _refuse_cancelled(atelier)
    text = _text(text, field="text", label="La contribution", required=True, max_length=5000)
    author_name = _text(author_name, field="author_name", label="Le nom", max_length=200, multiline=False)
    theme = theme or ""
    if theme and theme not in Field.values:
        raise ValidationError({"theme": f"Thématique inconnue : « {theme} »."})
    contribution = Contribution.objects.create(
        atelier=atelier,
        text=text,
        author_name=author_name,
        theme=theme,
        created_by=person(actor),
        updated_by=person(actor),
    )
    history_record(
        ctg=atelier.ctg,
        actor=actor,
        action=Action.ATELIER,
        summary=f"Contribution à l'{atelier.source_label[0].lower()}{atelier.source_label[1:]}",
        changes={"contribution": ["", text[:500]]},
        item=atelier,
    )
    return contribution


def may_delete_contribution(contribution: Contribution, user, *, manages: bool) -> bool:
    """The dossier's managers of the diagnostic delete any contribution; a contributor deletes their own."""
    return manages or (contribution.created_by_id is not None and contribution.created_by_id == user.pk)


@transaction.atomic
def contribution_delete(*, contribution: Contribution, actor) -> None:
    atelier = contribution.atelier
    history_record(
        ctg=atelier.ctg,
        actor=actor,
        action=Action.ATELIER,
        summary=f"Contribution retirée : {atelier.source_label}",
        changes={"contribution": [contribution.text[:500], ""]},
        item=atelier,
    )
    contribution.delete()


# --- attachments -----------------------------------------------------------------------------------------


@transaction.atomic
def attachment_add(*, atelier: Atelier, actor, file, title: str = "") -> Attachment:
    """A document of the atelier (support, photo of the boards, sheet of attendance…), checked by its
    content (`ctg.uploads.check_upload`)."""
    name = file_name(file)
    check_upload(file, field="file", allowed=ATTACHMENT_EXTENSIONS, max_bytes=ATTACHMENT_MAX_BYTES)
    title = _text(title, field="title", label="L'intitulé", max_length=250, multiline=False) or name
    attachment = Attachment.objects.create(
        atelier=atelier, file=file, title=title, created_by=person(actor), updated_by=person(actor)
    )
    history_record(
        ctg=atelier.ctg,
        actor=actor,
        action=Action.ATELIER,
        summary=f"Pièce jointe ajoutée : {atelier.source_label}, {title}",
        changes={"attachment": ["", title]},
        item=atelier,
    )
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, actor) -> None:
    atelier = attachment.atelier
    file = attachment.file
    history_record(
        ctg=atelier.ctg,
        actor=actor,
        action=Action.ATELIER,
        summary=f"Pièce jointe retirée : {atelier.source_label}, {attachment.title}",
        changes={"attachment": [attachment.title, ""]},
        item=atelier,
    )
    attachment.delete()
    transaction.on_commit(lambda: file.delete(save=False))


# --- dot vote and findings -----------------------------------------------------------------------------

DOTS_ERROR = "Le nombre de gommettes doit être un entier positif ou nul."


def _dots(value) -> int:
    """An integer ≥ 0: a number, or its digits as typed (« 3 »); never a boolean, a fraction or « -1 »."""
    if isinstance(value, bool):
        raise ValidationError({"dots": DOTS_ERROR})
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit():
            raise ValidationError({"dots": DOTS_ERROR})
        value = int(value)
    if not isinstance(value, int) or value < 0:
        raise ValidationError({"dots": DOTS_ERROR})
    if value > 100000:
        raise ValidationError({"dots": "Nombre de gommettes trop grand."})
    return value


@transaction.atomic
def dot_vote_set(*, atelier: Atelier, actor, finding, dots) -> DotVote | None:
    """Records the dots `finding` (a finding of the same dossier) received at the atelier; 0 removes it from
    the vote. Returns the vote (None when removed)."""
    atelier = Atelier.objects.select_for_update().select_related("ctg").get(pk=atelier.pk)
    _refuse_cancelled(atelier)
    if not isinstance(finding, Finding) or finding.ctg_id != atelier.ctg_id:
        raise ValidationError({"finding": "Choisissez un constat de ce dossier."})
    dots = _dots(dots)
    vote = DotVote.objects.filter(atelier=atelier, finding=finding).first()
    before = vote.dots if vote else 0
    if before == dots:
        return vote
    if dots == 0:
        vote.delete()
        vote = None
    elif vote is None:
        vote = DotVote.objects.create(
            atelier=atelier, finding=finding, dots=dots, created_by=person(actor), updated_by=person(actor)
        )
    else:
        vote.dots, vote.updated_by = dots, person(actor)
        vote.save(update_fields=["dots", "updated_by", "updated_at"])
    history_record(
        ctg=atelier.ctg,
        actor=actor,
        action=Action.ATELIER,
        summary=f"Vote par gommettes, {atelier.source_label} : « {finding.title} »",
        changes={"dots": [str(before), str(dots)]},
        item=atelier,
    )
    return vote


def ranked_votes(atelier: Atelier) -> list[dict]:
    """The findings voted on at the atelier, by decreasing dots (ties share a rank), with their share of the
    dots."""
    votes = list(atelier.votes.select_related("finding").order_by("-dots", "finding__title", "id"))
    total = sum(v.dots for v in votes)
    rows, rank, previous = [], 0, None
    for position, vote in enumerate(votes, start=1):
        if vote.dots != previous:
            rank, previous = position, vote.dots
        share = round(vote.dots * 100 / total) if total else 0
        rows.append({"rank": rank, "vote": vote, "finding": vote.finding, "dots": vote.dots, "share": share})
    return rows


def atelier_findings(atelier: Atelier):
    """The findings created from the atelier (or one of its contributions)."""
    return Finding.objects.filter(ctg_id=atelier.ctg_id, source_type=SOURCE_TYPE, source_id=atelier.pk)


@transaction.atomic
def finding_from_atelier(*, atelier: Atelier, actor, values: dict, contribution=None):
    """« Créer un constat » from the atelier, or from one of its contributions: a finding of the dossier
    (`ctg.findings.services.finding_create`) whose source is the atelier. `values`: the finding's kind,
    title, evidence, fields, public, weight (the source is set here)."""
    if contribution is not None and (
        not isinstance(contribution, Contribution) or contribution.atelier_id != atelier.pk
    ):
        raise ValidationError("Cette contribution n'est pas de cet atelier.")
    forbidden = {"source_kind", "source_type", "source_id", "source_ref", "source_label"} & set(values)
    if forbidden:
        raise ValueError(f"La source d'un constat d'atelier est fixée : {sorted(forbidden)}")
    values = dict(values)
    if not values.get("fields"):
        values["fields"] = [contribution.theme] if contribution is not None and contribution.theme else []
    values.setdefault("is_fictitious", atelier.is_fictitious)
    finding = finding_services.finding_create(
        ctg=atelier.ctg,
        actor=actor,
        values={
            **values,
            "source_kind": Finding.SourceKind.ATELIER,
            "source_type": SOURCE_TYPE,
            "source_id": atelier.pk,
            "source_label": atelier.source_label[:300],
        },
    )
    history_record(
        ctg=atelier.ctg,
        actor=actor,
        action=Action.ATELIER,
        summary=f"Constat créé à partir de l'{atelier.source_label[0].lower()}{atelier.source_label[1:]}"
        f" : {finding.title}",
        changes={"finding": ["", finding.title]},
        item=atelier,
    )
    return finding
