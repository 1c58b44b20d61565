"""Writes on CTG dossiers. Each function checks its business rules, writes atomically and records who did
what in the dossier's history. Permission checks (who may call what) happen in the views through
`ctg.organisations.permissions`; these functions enforce what must hold whoever calls them."""

import datetime
import hashlib
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone
from django.utils.crypto import get_random_string

from ctg.conventions.models import (
    Agreement,
    Avenant,
    Ctg,
    DatePrecision,
    Field,
    Membership,
    Milestone,
    Partner,
    Phase,
    Signatory,
    territory_label,
)
from ctg.conventions.selectors import check_dossier_organisations, dossier_organisations
from ctg.core.history import history_record, history_value, register_labels, tracked_update
from ctg.core.models import Action
from ctg.organisations.models import Organisation
from ctg.organisations.permissions import Role
from ctg.territories import french
from ctg.territories.models import Commune, Epci
from ctg.text import clean_text
from ctg.uploads import check_upload

User = get_user_model()
audit_log = logging.getLogger("ctg.audit")

MIN_YEAR = 2000
MAX_YEAR = 2100
MAX_DURATION_YEARS = 5
DEFAULT_DURATION_YEARS = 4

# The phases of work a dossier may move to from each phase: the next one and the one before, so that a real
# sequence can be recorded as it happened (an accord-cadre signed in préparation, a diagnostic begun later, a
# step taken back). The signature is apart (`Ctg.is_signed`): a CTG can be signed in any phase.
PHASE_ORDER = tuple(Phase.values)
PHASE_MOVES: dict[str, tuple[str, ...]] = {
    phase: tuple(PHASE_ORDER[j] for j in (i + 1, i - 1) if 0 <= j < len(PHASE_ORDER))
    for i, phase in enumerate(PHASE_ORDER)
}
RENEWABLE_PHASES = (Phase.EVALUATION, Phase.CLOSE)


# --- history -------------------------------------------------------------------------------------------


def _display(value) -> str:
    """Lists here are fields of intervention: their labels; the nature of the initial convention: its
    label."""
    if isinstance(value, list | tuple):
        labels = dict(Field.choices)
        value = [labels.get(v, str(v)) for v in value]
    elif isinstance(value, str) and value in Agreement.values:
        value = Agreement(value).label
    return history_value(value)


# --- validation helpers --------------------------------------------------------------------------------


def validate_period(start_year, end_year) -> None:
    errors = {}
    if start_year is None:
        errors["start_year"] = "L'année de début est obligatoire."
    elif not MIN_YEAR <= start_year <= MAX_YEAR:
        errors["start_year"] = f"L'année de début doit être comprise entre {MIN_YEAR} et {MAX_YEAR}."
    if end_year is None:
        errors["end_year"] = "L'année de fin est obligatoire."
    elif not errors and end_year < start_year:
        errors["end_year"] = "L'année de fin ne peut pas précéder l'année de début."
    elif not errors and end_year - start_year + 1 > MAX_DURATION_YEARS:
        errors["end_year"] = (
            f"Une CTG dure de 1 à {MAX_DURATION_YEARS} ans : {start_year}-{end_year} "
            f"en compte {end_year - start_year + 1}."
        )
    if errors:
        raise ValidationError(errors)


def validate_fields(fields: Iterable[str]) -> list[str]:
    fields = list(dict.fromkeys(fields or []))
    if not fields:
        raise ValidationError({"fields": "Choisissez au moins un champ d'intervention."})
    unknown = [f for f in fields if f not in Field.values]
    if unknown:
        raise ValidationError({"fields": f"Champ d'intervention inconnu : {', '.join(unknown)}."})
    return fields


# --- territory -----------------------------------------------------------------------------------------

# How many shared communes an overlap message names before « et N autres ».
OVERLAP_NAMES_SHOWN = 3


@dataclass(frozen=True)
class Territory:
    """The territory of a dossier, checked: a whole EPCI, an EPCI minus some of its communes (`excluded`), or
    a list of communes (`epci` None). `communes` are the communes the convention covers."""

    epci: Epci | None
    communes: tuple[Commune, ...]
    excluded: tuple[Commune, ...] = ()

    @property
    def name(self) -> str:
        return territory_label(
            epci=self.epci, communes=[c.name for c in self.communes], excluded=[c.name for c in self.excluded]
        )


def territory_key(*, epci: Epci | None, communes: Iterable[Commune], excluded: Iterable[Commune] = ()) -> str:
    """A stable key of the territory: « epci:<SIREN> », « epci:<SIREN>:hors:<hash> », « communes:<hash> »."""
    excluded = list(excluded)
    if epci is not None and not excluded:
        return f"epci:{epci.siren}"
    if epci is not None:
        codes = ",".join(sorted(c.code for c in excluded))
        return f"epci:{epci.siren}:hors:" + hashlib.sha1(codes.encode()).hexdigest()
    codes = ",".join(sorted(c.code for c in communes))
    return "communes:" + hashlib.sha1(codes.encode()).hexdigest()


def _names(communes: Iterable[Commune]) -> str:
    """« Aureil, Boisseuil, Bonnac-la-Côte et 16 autres »: a few names, then how many more."""
    names = sorted((c.name for c in communes), key=str.casefold)
    if len(names) <= OVERLAP_NAMES_SHOWN + 1:
        return french.join_fr(names)
    rest = len(names) - OVERLAP_NAMES_SHOWN
    return ", ".join(names[:OVERLAP_NAMES_SHOWN]) + f" et {rest} autres"


def _check_no_overlap(
    *, communes: Iterable[Commune], start_year: int, end_year: int, exclude_pk: int | None = None
) -> None:
    """Two dossiers never cover the same commune in the same year: any other dossier sharing a commune over
    an overlapping period is named, with the shared communes."""
    codes = {c.pk for c in communes}
    clashes = (
        Ctg.objects.filter(communes__in=codes, start_year__lte=end_year, end_year__gte=start_year)
        .distinct()
        .order_by("start_year", "title", "pk")
    )
    if exclude_pk is not None:
        clashes = clashes.exclude(pk=exclude_pk)
    clashes = list(clashes[:2])
    if not clashes:
        return
    other = clashes[0]
    shared = list(other.communes.filter(pk__in=codes))
    count = len(shared)
    communes_text = french.commune_label(shared[0]) if count == 1 else f"{count} communes ({_names(shared)})"
    also = " Au moins un autre dossier recoupe aussi ce territoire." if len(clashes) > 1 else ""
    raise ValidationError(
        f"Une CTG existe déjà sur ce territoire pour une période qui chevauche {start_year}-{end_year} : "
        f"« {other.title} » ({other.period_label}) couvre déjà {communes_text}. Une commune ne relève que "
        f"d'une CTG à la fois : corrigez le territoire ou la période.{also}"
    )


def _resolve_territory(
    *,
    epci: Epci | None,
    communes: Iterable[Commune] | None,
    excluded_communes: Iterable[Commune] | None = None,
) -> Territory:
    """Checks a territory as given (by the form, the demo, a renewal): an EPCI, with or without some of its
    communes left out, or a list of communes — never an EPCI and a list at once."""
    communes = list(dict.fromkeys(communes or []))
    excluded = list(dict.fromkeys(excluded_communes or []))
    if epci is not None and communes:
        raise ValidationError(
            {
                "communes": (
                    "Choisissez un EPCI ou une liste de communes, pas les deux : pour un EPCI sans certaines "
                    "de ses communes, indiquez les communes à exclure."
                )
            }
        )
    if epci is None:
        if excluded:
            raise ValidationError(
                {"excluded_communes": "Des communes ne s'excluent que d'un EPCI : choisissez l'EPCI."}
            )
        if not communes:
            raise ValidationError({"communes": "Choisissez un EPCI ou au moins une commune."})
        inactive = [c for c in communes if not c.is_active]
        if inactive:
            raise ValidationError(
                {"communes": f"Commune qui n'existe plus dans le référentiel : {_names(inactive)}."}
            )
        return Territory(epci=None, communes=tuple(communes))
    members = list(epci.communes.filter(is_active=True).order_by("name"))
    if not members:
        raise ValidationError({"epci": f"L'EPCI {epci.name} n'a aucune commune dans le référentiel."})
    member_pks = {c.pk for c in members}
    outside = [c for c in excluded if c.pk not in member_pks]
    if outside:
        raise ValidationError(
            {
                "excluded_communes": (
                    f"Ces communes ne sont pas membres {french.epci_of(epci.name, epci.nature)} : "
                    f"{_names(outside)}."
                )
            }
        )
    excluded_pks = {c.pk for c in excluded}
    kept = [c for c in members if c.pk not in excluded_pks]
    if not kept:
        raise ValidationError(
            {"excluded_communes": "Toutes les communes de l'EPCI sont exclues : il ne reste aucune commune."}
        )
    return Territory(epci=epci, communes=tuple(kept), excluded=tuple(excluded))


def _apply_territory(ctg: Ctg, territory: Territory) -> None:
    ctg.communes.set(territory.communes)
    ctg.excluded_communes.set(territory.excluded)
    territory_organisations_ensure(epci=territory.epci, communes=territory.communes)


def territory_organisations_ensure(*, epci: Epci | None, communes: Iterable[Commune]) -> list[Organisation]:
    """The organisations that usually sign a CTG besides the CAF: the EPCI (or the communes) and the
    Conseil(s) départemental(aux). Created when missing, so that they can be chosen as signatories."""
    organisations = []
    if epci is not None:
        org, _ = Organisation.objects.get_or_create(
            kind=Organisation.Kind.EPCI, epci=epci, defaults={"name": epci.name}
        )
        organisations.append(org)
    else:
        for commune in communes:
            org, _ = Organisation.objects.get_or_create(
                kind=Organisation.Kind.COMMUNE,
                commune=commune,
                defaults={
                    "name": french.commune_organisation_name(commune),
                    "departement_id": commune.departement_id,
                },
            )
            organisations.append(org)
    departement_ids = sorted({c.departement_id for c in communes})
    for departement_id in departement_ids:
        org = Organisation.objects.filter(
            kind=Organisation.Kind.DEPARTEMENT, departement_id=departement_id
        ).first()
        if org is None:
            from ctg.territories.models import Departement

            departement = Departement.objects.get(pk=departement_id)
            org = Organisation.objects.create(
                kind=Organisation.Kind.DEPARTEMENT,
                departement=departement,
                name=french.departement_council_name(departement),
            )
        organisations.append(org)
    return organisations


# --- dossier -------------------------------------------------------------------------------------------


@transaction.atomic
def ctg_create(
    *,
    actor,
    title: str,
    caf: Organisation,
    start_year: int,
    end_year: int | None = None,
    fields: Iterable[str],
    epci: Epci | None = None,
    communes: Iterable[Commune] | None = None,
    excluded_communes: Iterable[Commune] | None = None,
    previous: Ctg | None = None,
    is_fictitious: bool = False,
    creator_joins: bool = True,
) -> Ctg:
    """A new dossier. Whoever creates it outside the CAF joins it as its coordination, unless
    `creator_joins` is False (a renewal: the members of the previous dossier carry over)."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "L'intitulé est obligatoire."})
    if caf is None or caf.kind != Organisation.Kind.CAF:
        raise ValidationError({"caf": "Choisissez une CAF."})
    if end_year is None and start_year is not None:
        end_year = start_year + DEFAULT_DURATION_YEARS - 1
    validate_period(start_year, end_year)
    fields = validate_fields(fields)
    territory = _resolve_territory(epci=epci, communes=communes, excluded_communes=excluded_communes)
    members = territory.communes
    key = territory_key(epci=epci, communes=members, excluded=territory.excluded)
    _check_no_overlap(communes=members, start_year=start_year, end_year=end_year)

    ctg = Ctg.objects.create(
        title=title,
        caf=caf,
        epci=epci,
        territory_key=key,
        start_year=start_year,
        end_year=end_year,
        fields=fields,
        previous=previous,
        is_fictitious=is_fictitious,
        phase_changed_at=timezone.now(),
        created_by=actor,
        updated_by=actor,
    )
    _apply_territory(ctg, territory)
    # Whoever creates a dossier outside the CAF runs it: they become its coordination.
    if creator_joins and actor is not None and not actor.is_superuser and not actor.is_caf_adviser:
        Membership.objects.create(ctg=ctg, user=actor, role=Role.COORDINATION, created_by=actor)
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.DOSSIER_CREATE,
        summary=f"Création du dossier « {title} » ({ctg.period_label}, {_communes_count(members)})",
        changes={
            "title": ["", title],
            "period": ["", ctg.period_label],
            "territory": ["", territory.name],
        },
    )
    return ctg


def _communes_count(communes) -> str:
    return f"{len(communes)} commune{'s' if len(communes) > 1 else ''}"


def territory_locked(ctg: Ctg) -> bool:
    """True once the convention is signed (every signatory has signed): its territory then changes only by
    avenant. The one place that says so for the territory (the lifecycle may name it `is_signed`)."""
    return ctg.signature_date is not None


@transaction.atomic
def ctg_territory_update(
    *,
    ctg: Ctg,
    actor,
    epci: Epci | None = None,
    communes: Iterable[Commune] | None = None,
    excluded_communes: Iterable[Commune] | None = None,
) -> Ctg:
    """Corrects the territory of a dossier not yet signed, with the rules of its creation (one territory, no
    commune in two dossiers at once); recorded in the history with the names before and after."""
    original, ctg = ctg, Ctg.objects.select_for_update(of=("self",)).select_related("epci").get(pk=ctg.pk)
    if territory_locked(ctg):
        raise ValidationError("La convention est signée : son territoire ne se modifie plus que par avenant.")
    territory = _resolve_territory(epci=epci, communes=communes, excluded_communes=excluded_communes)
    before_pks = set(ctg.communes.values_list("pk", flat=True))
    before_excluded = set(ctg.excluded_communes.values_list("pk", flat=True))
    after_pks = {c.pk for c in territory.communes}
    if (
        ctg.epci_id == (epci.pk if epci else None)
        and before_pks == after_pks
        and before_excluded == {c.pk for c in territory.excluded}
    ):
        return ctg
    _check_no_overlap(
        communes=territory.communes, start_year=ctg.start_year, end_year=ctg.end_year, exclude_pk=ctg.pk
    )
    leaving = before_pks - after_pks
    _check_leaving_communes(ctg, leaving)
    before_name = ctg.territory_name
    ctg.epci = epci
    ctg.territory_key = territory_key(epci=epci, communes=territory.communes, excluded=territory.excluded)
    ctg.updated_by = actor
    ctg.save(update_fields=["epci", "territory_key", "updated_by", "updated_at"])
    _apply_territory(ctg, territory)
    after_name = territory.name
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.DOSSIER_UPDATE,
        summary=f"Territoire modifié : {before_name} → {after_name} ({_communes_count(territory.communes)})",
        changes={"territory": [before_name, after_name]},
    )
    original.epci, original.territory_key = ctg.epci, ctg.territory_key
    return ctg


def _check_leaving_communes(ctg: Ctg, leaving: set) -> None:
    """Communes leaving the territory must not be followed by a référent·e or named by a fiche action."""
    if not leaving:
        return
    errors = []
    followed = Membership.objects.filter(ctg=ctg, communes__in=leaving).select_related("user").distinct()
    for membership in followed:
        errors.append(
            f"{membership.user} suit {_names(membership.communes.filter(pk__in=leaving))}, qui sortirai"
            f"{'ent' if membership.communes.filter(pk__in=leaving).count() > 1 else 't'} du territoire : "
            "retirez cette personne du dossier (page Membres) avant de corriger le territoire."
        )
    # The fiches actions (ctg.plans) name their communes: a reverse relation, no import upwards.
    in_fiches = Commune.objects.filter(pk__in=leaving, fiches__ctg=ctg).distinct()
    if in_fiches:
        errors.append(
            f"Des fiches actions portent sur {_names(in_fiches)} : retirez ces communes des fiches avant de "
            "corriger le territoire."
        )
    if errors:
        raise ValidationError(errors)


def can_delete(ctg: Ctg) -> bool:
    """A dossier is deleted only while in préparation and unsigned (a dossier opened by mistake, or twice)."""
    return ctg.phase == Phase.PREPARATION and not ctg.is_signed


def deletion_blocker(ctg: Ctg) -> str | None:
    """Why the dossier cannot be deleted, or None."""
    if can_delete(ctg):
        return None
    if ctg.phase == Phase.PREPARATION:
        return (
            f"« {ctg.title} » est signé : un dossier signé ne se supprime pas (son historique et ses "
            "engagements restent consultables)."
        )
    return (
        f"Seul un dossier en préparation peut être supprimé ; « {ctg.title} » a dépassé la préparation "
        "(son historique et ses engagements restent consultables)."
    )


def deletion_contents(ctg: Ctg) -> list[str]:
    """What goes with the dossier, in words, for the confirmation page."""
    from django.contrib.admin.utils import NestedObjects

    collector = NestedObjects(using="default")
    collector.collect([ctg])
    counts: dict[str, int] = {}
    for model, instances in collector.data.items():
        if model is Ctg:
            continue
        counts[str(model._meta.verbose_name_plural)] = len(instances)
    return [f"{label} : {count}" for label, count in sorted(counts.items()) if count]


@transaction.atomic
def ctg_delete(*, ctg: Ctg, actor) -> None:
    """Deletes a dossier in préparation with what belongs to it (members, signatories, milestones, plan,
    history…); organisations, people and territories stay. The dossier's history goes with it, so the
    deletion is recorded in the platform's journal (Django's admin log: who, when, the title and period) and
    in the application log (logger `ctg.audit`)."""
    ctg = Ctg.objects.select_for_update().get(pk=ctg.pk)
    blocker = deletion_blocker(ctg)
    if blocker:
        raise ValidationError(blocker)
    pk, label = ctg.pk, f"« {ctg.title} » ({ctg.period_label}, {ctg.territory_name})"
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[ctg],
        action_flag=DELETION,
        change_message=f"Dossier CTG supprimé : {label}",
        single_object=True,
    )
    try:
        ctg.delete()
    except ProtectedError as error:
        raise ValidationError(
            "Ce dossier ne peut pas être supprimé : d'autres éléments s'y rattachent ("
            + ", ".join(sorted({str(o._meta.verbose_name) for o in error.protected_objects}))
            + ")."
        ) from error
    audit_log.info("Dossier CTG %s supprimé par %s (%s) : %s", pk, actor, actor.email, label)


register_labels(Action.DOSSIER_CREATE, {"title": "intitulé", "period": "période", "territory": "territoire"})
register_labels(Action.DOSSIER_UPDATE, {"territory": "territoire"})
EDITABLE_FIELDS = register_labels(
    Action.DOSSIER_UPDATE,
    {
        "title": "intitulé",
        "start_year": "année de début",
        "end_year": "année de fin",
        "fields": "champs",
        "agreement": "convention initiale",
    },
)
register_labels(Action.STATUS, {"phase": "phase", "status": "statut"})
register_labels(Action.SIGNATURE, {"number": "numéro", "title": "objet", "notes": "notes"})
register_labels(Action.SIGNATURE, {"signed_on": "date de signature", "signed_scan": "exemplaire signé"})
register_labels(Action.MEMBER, {"role": "rôle"})


@transaction.atomic
def ctg_update(*, ctg: Ctg, actor, **values) -> Ctg:
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    original, ctg = ctg, Ctg.objects.select_for_update().get(pk=ctg.pk)
    if "title" in values:
        values["title"] = (values["title"] or "").strip()
        if not values["title"]:
            raise ValidationError({"title": "L'intitulé est obligatoire."})
    start = values.get("start_year", ctg.start_year)
    end = values.get("end_year", ctg.end_year)
    signed = ctg.is_signed
    if signed and (start, end) != (ctg.start_year, ctg.end_year):
        raise ValidationError("La période d'une convention signée ne se modifie que par avenant.")
    if "agreement" in values:
        if values["agreement"] not in Agreement.values:
            raise ValidationError({"agreement": "Choisissez accord-cadre ou convention complète."})
        if values["agreement"] != ctg.agreement and ctg.signatories.filter(signed_on__isnull=False).exists():
            raise ValidationError(
                {
                    "agreement": "La nature de la convention initiale se choisit avant la première signature "
                    "(annulez les signatures enregistrées pour la changer)."
                }
            )
    validate_period(start, end)
    if "fields" in values:
        values["fields"] = validate_fields(values["fields"])
    if (start, end) != (ctg.start_year, ctg.end_year):
        _check_no_overlap(communes=ctg.communes.all(), start_year=start, end_year=end, exclude_pk=ctg.pk)

    changes = tracked_update(
        ctg,
        actor=actor,
        ctg=ctg,
        item=None,
        values=values,
        action=Action.DOSSIER_UPDATE,
        summary=lambda labels: "Modification : " + ", ".join(labels),
        display=_display,
    )
    if changes:
        for name in values:
            setattr(original, name, getattr(ctg, name))
    return ctg


def signature_blockers(ctg: Ctg) -> list[str]:
    """What the convention still lacks to be signed (empty once signed): the CAF and at least one party of
    the territory among the signatories, the fields of intervention, each party's signature date."""
    if ctg.is_signed:
        return []
    blockers = []
    try:
        validate_period(ctg.start_year, ctg.end_year)
    except ValidationError:
        blockers.append("La période de la convention n'est pas valide.")
    if not ctg.fields:
        blockers.append("Aucun champ d'intervention n'est choisi.")
    signatories = list(ctg.signatories.select_related("organisation"))
    if not any(s.organisation_id == ctg.caf_id for s in signatories):
        blockers.append("La CAF doit figurer parmi les signataires.")
    if len([s for s in signatories if s.organisation_id != ctg.caf_id]) < 1:
        blockers.append("Il faut au moins un signataire pour le territoire en plus de la CAF.")
    for signatory in signatories:
        if signatory.signed_on is None:
            blockers.append(f"{signatory.organisation} n'a pas encore signé (date de signature à saisir).")
    return blockers


def transition_blockers(ctg: Ctg, to: str) -> list[str]:
    """Why `ctg` cannot move to phase `to` now (empty when it can): only to the next or the previous phase;
    the diagnostic needs communes; the mise en œuvre a signed convention and, after an accord-cadre, a signed
    avenant (it brings the plan d'action)."""
    if to not in PHASE_MOVES.get(ctg.phase, ()):
        return [f"Passage de « {Phase(ctg.phase).label} » à « {Phase(to).label} » impossible."]
    blockers = []
    if to == Phase.DIAGNOSTIC and not ctg.communes.exists():
        blockers.append("Le territoire n'a aucune commune.")
    if to == Phase.MISE_EN_OEUVRE and PHASE_ORDER.index(to) > PHASE_ORDER.index(ctg.phase):
        if not ctg.is_signed:
            blockers.append("La convention n'est pas encore signée par toutes les parties.")
        elif ctg.agreement == Agreement.ACCORD_CADRE and not ctg.avenants.exclude(signed_on=None).exists():
            blockers.append(
                "L'accord-cadre ne contient pas le plan d'action : enregistrez l'avenant signé qui l'ajoute."
            )
    return blockers


@transaction.atomic
def ctg_transition(*, ctg: Ctg, actor, to: str) -> Ctg:
    """Moves the dossier to the phase `to` (see `PHASE_MOVES`, `transition_blockers`); the history says who
    and when."""
    original, ctg = ctg, Ctg.objects.select_for_update().get(pk=ctg.pk)
    if to not in Phase.values:
        raise ValidationError("Phase inconnue.")
    blockers = transition_blockers(ctg, to)
    if blockers:
        raise ValidationError(blockers)
    before = ctg.phase
    ctg.phase = to
    ctg.phase_changed_at = timezone.now()
    ctg.updated_by = actor
    ctg.save(update_fields=["phase", "phase_changed_at", "updated_by", "updated_at"])
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.STATUS,
        summary=f"Phase : {Phase(before).label} → {Phase(to).label}",
        changes={"phase": [Phase(before).label, Phase(to).label]},
    )
    original.phase, original.phase_changed_at = ctg.phase, ctg.phase_changed_at
    return ctg


@transaction.atomic
def ctg_renew(*, ctg: Ctg, actor, start_year: int | None = None, end_year: int | None = None) -> Ctg:
    """The next CTG of the same territory, linked to this one; members, partners and fields carry over."""
    ctg = Ctg.objects.select_for_update().get(pk=ctg.pk)
    if ctg.phase not in RENEWABLE_PHASES:
        raise ValidationError("Seule une CTG en évaluation ou terminée peut être renouvelée.")
    if Ctg.objects.filter(previous=ctg).exists():
        raise ValidationError("Cette CTG a déjà été renouvelée.")
    start_year = start_year or ctg.end_year + 1
    end_year = end_year or start_year + ctg.duration_years - 1
    new = ctg_create(
        actor=actor,
        creator_joins=False,
        title=_renewal_title(ctg, start_year, end_year),
        caf=ctg.caf,
        start_year=start_year,
        end_year=end_year,
        fields=ctg.fields,
        epci=ctg.epci,
        communes=None if ctg.epci_id else list(ctg.communes.all()),
        excluded_communes=list(ctg.excluded_communes.all()),
        previous=ctg,
        is_fictitious=ctg.is_fictitious,
    )
    Partner.objects.bulk_create(
        Partner(ctg=new, organisation_id=p.organisation_id, role=p.role, created_by=actor, updated_by=actor)
        for p in ctg.partnerships.all()
    )
    for membership in ctg.memberships.prefetch_related("communes"):
        copy = Membership.objects.create(
            ctg=new, user=membership.user, role=membership.role, created_by=actor
        )
        copy.communes.set(membership.communes.all())
    history_record(
        ctg=new,
        actor=actor,
        action=Action.RENEWAL,
        summary=f"Renouvellement de « {ctg.title} » ({ctg.period_label})",
    )
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.RENEWAL,
        summary=f"Renouvelée par « {new.title} » ({new.period_label})",
    )
    return new


def _renewal_title(ctg: Ctg, start_year: int, end_year: int) -> str:
    old = ctg.period_label
    if old in ctg.title:
        return ctg.title.replace(old, f"{start_year}-{end_year}")
    return f"{ctg.title} ({start_year}-{end_year})"


# --- parties -------------------------------------------------------------------------------------------


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


# --- avenants ------------------------------------------------------------------------------------------

AVENANT_FIELDS = ("title", "signed_on", "notes")


def _check_avenant(ctg: Ctg, *, title: str, signed_on) -> None:
    errors = {}
    if not title:
        errors["title"] = "L'objet de l'avenant est obligatoire."
    signature = ctg.signature_date
    if signed_on is not None:
        if signed_on > timezone.localdate():
            errors["signed_on"] = "La date de signature ne peut pas être dans le futur."
        elif signature is not None and signed_on < signature:
            errors["signed_on"] = (
                f"Un avenant se signe après la convention qu'il modifie (signée le {_date_text(signature)})."
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def avenant_add(*, ctg: Ctg, actor, title: str, signed_on=None, notes: str = "") -> Avenant:
    """An avenant to the signed convention (« Ajout du plan d'action »), numbered after the last one; its
    signature date once signed."""
    ctg = Ctg.objects.select_for_update().get(pk=ctg.pk)
    if not ctg.is_signed:
        raise ValidationError(
            "Un avenant modifie une convention signée : enregistrez d'abord la signature de chaque partie."
        )
    title, notes = clean_text(title or "").strip(), clean_text(notes or "", multiline=True).strip()
    _check_avenant(ctg, title=title, signed_on=signed_on)
    number = (ctg.avenants.aggregate(last=Max("number"))["last"] or 0) + 1
    avenant = Avenant.objects.create(
        ctg=ctg,
        number=number,
        title=title,
        signed_on=signed_on,
        notes=notes,
        created_by=actor,
        updated_by=actor,
    )
    signed = f" (signé le {_date_text(signed_on)})" if signed_on else ""
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.SIGNATURE,
        summary=f"Avenant n° {number} ajouté : {title}{signed}",
        changes={"title": ["", title], "signed_on": ["", _date_text(signed_on)]},
        item=avenant,
    )
    return avenant


@transaction.atomic
def avenant_update(*, avenant: Avenant, actor, **values) -> Avenant:
    unknown = set(values) - set(AVENANT_FIELDS)
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    avenant = Avenant.objects.select_for_update().select_related("ctg").get(pk=avenant.pk)
    if "title" in values:
        values["title"] = clean_text(values["title"] or "").strip()
    if "notes" in values:
        values["notes"] = clean_text(values["notes"] or "", multiline=True).strip()
    _check_avenant(
        avenant.ctg,
        title=values.get("title", avenant.title),
        signed_on=values.get("signed_on", avenant.signed_on),
    )
    tracked_update(
        avenant,
        actor=actor,
        ctg=avenant.ctg,
        item=avenant,
        values=values,
        action=Action.SIGNATURE,
        summary=lambda labels: f"Avenant n° {avenant.number} modifié : " + ", ".join(labels),
        display=lambda value: _date_text(value) if isinstance(value, datetime.date) else _display(value),
    )
    return avenant


@transaction.atomic
def avenant_delete(*, avenant: Avenant, actor) -> None:
    """Deletes an avenant recorded by mistake: the last one only, so that the numbers follow each other."""
    ctg = avenant.ctg
    last = ctg.avenants.aggregate(last=Max("number"))["last"]
    if avenant.number != last:
        raise ValidationError(
            f"Seul le dernier avenant (n° {last}) se supprime : les numéros des avenants se suivent."
        )
    label = str(avenant)
    avenant.delete()
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.SIGNATURE,
        summary=f"{label} supprimé",
        changes={"title": [avenant.title, ""]},
    )


# --- members -------------------------------------------------------------------------------------------

ROLES_GRANTABLE_BY = {
    Role.PILOTE_CAF: set(Role.values),
    Role.COORDINATION: set(Role.values) - {Role.PILOTE_CAF},
}


@transaction.atomic
def membership_invite(
    *,
    ctg: Ctg,
    actor,
    actor_role: str,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    organisation: Organisation | None = None,
    communes: Iterable[Commune] = (),
    request=None,
) -> Membership:
    """Adds a person to a dossier with a role; a new person gets an email to choose a password. The
    organisation given must be one the dossier may name (`selectors.check_dossier_organisations`)."""
    email = (email or "").strip().lower()
    communes = list(communes)
    errors = {}
    if role not in Role.values:
        errors["role"] = "Rôle inconnu."
    elif role not in ROLES_GRANTABLE_BY.get(actor_role, set()):
        errors["role"] = f"Votre rôle ne permet pas de donner le rôle « {Role(role).label} »."
    if organisation is not None:
        try:
            _check_offered(ctg, organisation)
        except ValidationError as error:
            errors.update(error.message_dict)
    if role == Role.REFERENT_COMMUNAL and not communes:
        errors["communes"] = "Un·e référent·e communal·e suit au moins une commune du territoire."
    outside = [c for c in communes if not ctg.communes.filter(pk=c.pk).exists()]
    if outside:
        errors["communes"] = "Ces communes ne font pas partie du territoire : " + ", ".join(map(str, outside))
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and ctg.memberships.filter(user=existing).exists():
        errors["email"] = f"{email} fait déjà partie de ce dossier."
    if errors:
        raise ValidationError(errors)

    created = existing is None
    user = existing or User.objects.create_user(
        email=email,
        password=None,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        organisation=organisation,
    )
    membership = Membership.objects.create(ctg=ctg, user=user, role=role, created_by=actor, updated_by=actor)
    membership.communes.set(communes)
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.MEMBER,
        summary=f"Invitation de {user} ({user.email}) comme {Role(role).label}",
        changes={"role": ["", Role(role).label]},
    )
    if created:
        _send_invitation(user=user, ctg=ctg, request=request)
    return membership


def _send_invitation(*, user, ctg: Ctg, request) -> None:
    form = PasswordResetForm({"email": user.email})
    if not form.is_valid():  # pragma: no cover - the address was validated above
        return
    # An unusable password makes Django's reset form skip the user; invitees get a random one to replace.
    user.set_password(get_random_string(40))
    user.save(update_fields=["password"])
    form.save(
        request=request,
        domain_override=None if request is not None else "localhost",
        subject_template_name="conventions/invitation_subject.txt",
        email_template_name="conventions/invitation_email.txt",
        extra_email_context={"ctg": ctg},
    )


@transaction.atomic
def membership_remove(*, membership: Membership, actor) -> None:
    ctg = membership.ctg
    label = f"{membership.user} ({membership.get_role_display()})"
    membership.delete()
    history_record(ctg=ctg, actor=actor, action=Action.MEMBER, summary=f"Retrait de {label}")


# --- milestones ----------------------------------------------------------------------------------------

MILESTONE_FIELDS = register_labels(
    Action.MILESTONE,
    {
        "kind": "type",
        "title": "intitulé",
        "date": "date",
        "date_precision": "précision de la date",
        "done": "réalisé",
        "notes": "notes",
    },
)


def dated(date, precision: str, *, done: bool, field: str = "date"):
    """The date to store for `precision` (the first of the month when only the month is known), refused when
    the precision is unknown or when something marked done is dated after today (or in a month to come)."""
    if precision not in DatePrecision.values:
        raise ValidationError({field: "Précision de date inconnue : jour ou mois."})
    if date is None:
        raise ValidationError({field: "La date est obligatoire."})
    today = timezone.localdate()
    if precision == DatePrecision.MONTH:
        date = date.replace(day=1)
        if done and (date.year, date.month) > (today.year, today.month):
            raise ValidationError({field: "Un jalon réalisé ne peut pas être daté d'un mois à venir."})
    elif done and date > today:
        raise ValidationError({field: "Un jalon réalisé ne peut pas être daté d'un jour à venir."})
    return date


def _milestone_display(value) -> str:
    if isinstance(value, str) and value in DatePrecision.values:
        return DatePrecision(value).label
    return _display(value)


@transaction.atomic
def milestone_create(
    *,
    ctg: Ctg,
    actor,
    kind: str,
    title: str,
    date,
    date_precision: str = DatePrecision.DAY,
    done: bool = False,
    notes: str = "",
) -> Milestone:
    """A milestone of the dossier's calendar; `date_precision` « month » when only the month is known (the
    date is then stored as the first of the month and shown « octobre 2023 »)."""
    date = dated(date, date_precision, done=done)
    milestone = Milestone(
        ctg=ctg,
        kind=kind,
        title=(title or "").strip(),
        date=date,
        date_precision=date_precision,
        done=done,
        notes=notes,
        created_by=actor,
        updated_by=actor,
    )
    milestone.full_clean()
    milestone.save()
    history_record(ctg=ctg, actor=actor, action=Action.MILESTONE, summary=f"Jalon ajouté : {milestone}")
    return milestone


@transaction.atomic
def milestone_update(*, milestone: Milestone, actor, **values) -> Milestone:
    unknown = set(values) - set(MILESTONE_FIELDS)
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    values["date"] = dated(
        values.get("date", milestone.date),
        values.get("date_precision", milestone.date_precision),
        done=values.get("done", milestone.done),
    )
    tracked_update(
        milestone,
        actor=actor,
        ctg=milestone.ctg,
        item=None,
        values=values,
        action=Action.MILESTONE,
        summary=lambda labels: f"Jalon modifié : {milestone}",
        display=_milestone_display,
        full_clean=True,
    )
    return milestone


@transaction.atomic
def milestone_delete(*, milestone: Milestone, actor) -> None:
    ctg, label = milestone.ctg, str(milestone)
    milestone.delete()
    history_record(ctg=ctg, actor=actor, action=Action.MILESTONE, summary=f"Jalon supprimé : {label}")
