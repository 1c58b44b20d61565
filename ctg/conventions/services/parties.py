"""The parties of a dossier: signatories and their signatures, partners and their role."""

import os

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ctg.conventions.models import (
    Ctg,
    Partner,
    Phase,
    Signatory,
)
from ctg.conventions.selectors import check_dossier_organisations, dossier_organisations
from ctg.core.history import history_record, register_labels, tracked_update
from ctg.core.models import Action
from ctg.organisations.models import Organisation
from ctg.territories import french
from ctg.territories.models import Commune
from ctg.text import clean_text
from ctg.uploads import check_upload


def _check_offered(ctg: Ctg, organisation: Organisation | None, *, field: str = "organisation") -> None:
    """An organisation a dossier may name: the one rule of `selectors.check_dossier_organisations` (its
    territory, its département(s), a national one, or one it already names; never a fictitious one in a real
    dossier)."""
    if not isinstance(organisation, Organisation):
        raise ValidationError({field: "Choisissez une organisation."})
    check_dossier_organisations(ctg, [organisation], field=field)


@transaction.atomic
def commune_organisation_ensure(*, ctg: Ctg, commune: Commune) -> Organisation:
    """The organisation of a commune of the territory (« Commune de Lavaur »), created when missing, so that
    the commune signs or takes part directly."""
    if not ctg.communes.filter(pk=commune.pk).exists():
        label = french.commune_label(commune, capital=True)
        raise ValidationError({"organisation": f"{label} n'est pas une commune du territoire."})
    existing = Organisation.objects.filter(kind=Organisation.Kind.COMMUNE, commune=commune)
    if not ctg.is_fictitious:
        existing = existing.filter(is_fictitious=False)
    organisation = existing.order_by("pk").first()
    if organisation is None:
        organisation = Organisation.objects.create(
            kind=Organisation.Kind.COMMUNE,
            commune=commune,
            departement_id=commune.departement_id,
            name=french.commune_organisation_name(commune),
        )
    return organisation


@transaction.atomic
def signatory_add(
    *, ctg: Ctg, actor, organisation: Organisation | Commune, signer_name: str, signer_capacity: str
) -> Signatory:
    """A party that signs the convention: an organisation the dossier may name, or a commune of the territory
    (its organisation is created then)."""
    if ctg.is_signed:
        raise ValidationError("Les signataires d'une convention signée ne changent que par avenant.")
    signer_name, signer_capacity = (signer_name or "").strip(), (signer_capacity or "").strip()
    if isinstance(organisation, Commune):
        organisation = commune_organisation_ensure(ctg=ctg, commune=organisation)
    errors = {}
    if not signer_name:
        errors["signer_name"] = "Le nom du signataire est obligatoire."
    if not signer_capacity:
        errors["signer_capacity"] = "La qualité du signataire est obligatoire."
    try:
        _check_offered(ctg, organisation)
    except ValidationError as error:
        errors.update(error.message_dict)
    if "organisation" not in errors and ctg.signatories.filter(organisation=organisation).exists():
        errors["organisation"] = f"{organisation} est déjà signataire."
    if errors:
        raise ValidationError(errors)
    position = ctg.signatories.count()
    signatory = Signatory.objects.create(
        ctg=ctg,
        organisation=organisation,
        signer_name=signer_name,
        signer_capacity=signer_capacity,
        position=position,
        created_by=actor,
        updated_by=actor,
    )
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.SIGNATORY,
        summary=f"Signataire ajouté : {organisation} ({signer_name}, {signer_capacity})",
    )
    return signatory


@transaction.atomic
def signatory_remove(*, signatory: Signatory, actor) -> None:
    ctg = signatory.ctg
    if ctg.is_signed:
        raise ValidationError("Les signataires d'une convention signée ne changent que par avenant.")
    label = str(signatory)
    signatory.delete()
    history_record(ctg=ctg, actor=actor, action=Action.SIGNATORY, summary=f"Signataire retiré : {label}")


def signing_open(ctg: Ctg) -> bool:
    """Signatures are recorded in any phase (an accord-cadre is often signed in préparation), until the CTG is
    terminée."""
    return ctg.phase != Phase.CLOSE


SCAN_MAX_BYTES = 20 * 1024 * 1024
# Checked by content (ctg.uploads): a renamed file is refused.
SCAN_EXTENSIONS = {".pdf", ".png", ".jpg", ".jpeg"}


def _check_scan(scan) -> None:
    check_upload(scan, field="signed_scan", allowed=SCAN_EXTENSIONS, max_bytes=SCAN_MAX_BYTES)


@transaction.atomic
def signature_record(*, signatory: Signatory, actor, signed_on, signed_scan=None) -> Signatory:
    """Records that a party signed, on which date, with the signed copy (PDF or image) when given."""
    signatory = (
        Signatory.objects.select_for_update(of=("self",))
        .select_related("ctg", "organisation")
        .get(pk=signatory.pk)
    )
    ctg = signatory.ctg
    if not signing_open(ctg):
        raise ValidationError("Les signatures ne s'enregistrent plus : la CTG est terminée.")
    errors = {}
    today = timezone.localdate()
    if signed_on is None:
        errors["signed_on"] = "La date de signature est obligatoire."
    elif signed_on > today:
        errors["signed_on"] = "La date de signature ne peut pas être dans le futur."
    elif signed_on.year < ctg.start_year - 2:
        errors["signed_on"] = (
            f"La date de signature est trop ancienne pour une convention {ctg.period_label}."
        )
    if signed_scan is not None:
        try:
            _check_scan(signed_scan)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    before = signatory.signed_on
    changes = {"signed_on": [_date_text(before), _date_text(signed_on)]}
    signatory.signed_on = signed_on
    if signed_scan is not None:
        if signatory.signed_scan:
            signatory.signed_scan.delete(save=False)
        signatory.signed_scan = signed_scan
        changes["signed_scan"] = ["", os.path.basename(signed_scan.name)]
    signatory.signature_recorded_at = timezone.now()
    signatory.signature_recorded_by = actor
    signatory.updated_by = actor
    signatory.save()
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.SIGNATURE,
        summary=(
            f"Signature {french.organisation_of(signatory.organisation.name)} ({signatory.signer_name}) "
            f"le {signed_on:%d/%m/%Y}"
        ),
        changes=changes,
        item=signatory,
    )
    return signatory


@transaction.atomic
def signature_clear(*, signatory: Signatory, actor) -> Signatory:
    """Cancels a recorded signature (an input error), before the dossier is signed."""
    signatory = (
        Signatory.objects.select_for_update(of=("self",))
        .select_related("ctg", "organisation")
        .get(pk=signatory.pk)
    )
    ctg = signatory.ctg
    if ctg.is_signed:
        raise ValidationError("Une signature ne s'annule plus une fois la convention signée.")
    if signatory.signed_on is None:
        raise ValidationError(f"{signatory.organisation} n'a pas encore signé.")
    before = signatory.signed_on
    if signatory.signed_scan:
        signatory.signed_scan.delete(save=False)
    signatory.signed_on = None
    signatory.signed_scan = ""
    signatory.signature_recorded_at = timezone.now()
    signatory.signature_recorded_by = actor
    signatory.updated_by = actor
    signatory.save()
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.SIGNATURE,
        summary=f"Signature {french.organisation_of(signatory.organisation.name)} annulée",
        changes={"signed_on": [_date_text(before), ""]},
        item=signatory,
    )
    return signatory


def _date_text(value) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


@transaction.atomic
def signatures_record(*, ctg: Ctg, actor, signatories, signed_on) -> list[Signatory]:
    """One signature date for several parties at once (they signed together): each signature is recorded by
    `signature_record` (one history line per party); all or nothing."""
    signatories = list(signatories or [])
    if not signatories:
        raise ValidationError({"signatories": "Cochez au moins une partie signataire."})
    if any(s.ctg_id != ctg.pk for s in signatories):
        raise ValidationError({"signatories": "Ces parties ne sont pas toutes signataires de ce dossier."})
    recorded = []
    for signatory in signatories:
        try:
            recorded.append(signature_record(signatory=signatory, actor=actor, signed_on=signed_on))
        except ValidationError as error:
            if hasattr(error, "error_dict") and set(error.error_dict) <= {"signed_on"}:
                raise
            raise ValidationError(
                [f"{signatory.organisation} : {message}" for message in error.messages]
            ) from error
    return recorded


PARTNER_ROLE_MAX = 300
register_labels(Action.PARTNER, {"role": "rôle dans la CTG"})
# Types a partner created from a dossier may take (the collectivities, CAF and Conseil départemental come from
# the référentiel or the territory).
NEW_PARTNER_KINDS = tuple(
    k
    for k in Organisation.Kind.values
    if k
    not in {
        Organisation.Kind.CAF,
        Organisation.Kind.EPCI,
        Organisation.Kind.COMMUNE,
        Organisation.Kind.DEPARTEMENT,
    }
)


def _partner_role(role) -> str:
    role = clean_text(role or "").strip()
    if len(role) > PARTNER_ROLE_MAX:
        raise ValidationError({"role": f"Le rôle ne doit pas dépasser {PARTNER_ROLE_MAX} caractères."})
    return role


@transaction.atomic
def partner_add(
    *,
    ctg: Ctg,
    actor,
    organisation: Organisation | Commune | None = None,
    role: str = "",
    new_name: str = "",
    new_kind: str = "",
) -> Partner:
    """A partner associated with the CTG, with its role in it: an organisation the dossier may name, a commune
    of the territory, or a new organisation (`new_name`, `new_kind`), created in the département of the
    dossier's CAF (a new organisation is local, not offered to every dossier of France)."""
    role = _partner_role(role)
    new_name = clean_text(new_name or "").strip()
    if organisation is not None and new_name:
        raise ValidationError("Choisissez une organisation existante ou créez-en une, pas les deux.")
    if isinstance(organisation, Commune):
        organisation = commune_organisation_ensure(ctg=ctg, commune=organisation)
    elif organisation is None:
        if not new_name:
            raise ValidationError("Choisissez une organisation existante ou indiquez le nom d'une nouvelle.")
        if len(new_name) > 250:
            raise ValidationError({"new_name": "Le nom ne doit pas dépasser 250 caractères."})
        if new_kind not in NEW_PARTNER_KINDS:
            raise ValidationError({"new_kind": "Choisissez le type de la nouvelle organisation."})
        organisation = (
            dossier_organisations(ctg).filter(name__iexact=new_name, kind=new_kind).order_by("pk").first()
        ) or Organisation.objects.create(
            name=new_name,
            kind=new_kind,
            departement_id=ctg.caf.departement_id,
            is_fictitious=ctg.is_fictitious,
        )
    _check_offered(ctg, organisation)
    if ctg.partnerships.filter(organisation=organisation).exists():
        raise ValidationError({"organisation": f"{organisation} est déjà partenaire associé."})
    partner = Partner.objects.create(
        ctg=ctg, organisation=organisation, role=role, created_by=actor, updated_by=actor
    )
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.PARTNER,
        summary=f"Partenaire associé ajouté : {organisation}" + (f" ({role})" if role else ""),
        changes={"role": ["", role]} if role else None,
        item=partner,
    )
    return partner


@transaction.atomic
def partner_update(*, partner: Partner, actor, role: str) -> Partner:
    """Changes the role of a partner in the CTG."""
    tracked_update(
        partner,
        actor=actor,
        ctg=partner.ctg,
        item=partner,
        values={"role": _partner_role(role)},
        action=Action.PARTNER,
        summary=lambda labels: f"Rôle de {partner.organisation} dans la CTG modifié",
    )
    return partner


@transaction.atomic
def partner_remove(*, ctg: Ctg, actor, organisation: Organisation) -> None:
    ctg.partnerships.filter(organisation=organisation).delete()
    history_record(
        ctg=ctg, actor=actor, action=Action.PARTNER, summary=f"Partenaire associé retiré : {organisation}"
    )
