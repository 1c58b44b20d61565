"""A dossier's life: creation, territory correction until signature, deletion in préparation, edits,
phases of work and renewal."""

from collections.abc import Iterable

from django.contrib.admin.models import DELETION, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from ctg.conventions.models import (
    Agreement,
    Ctg,
    Membership,
    Partner,
    Phase,
)
from ctg.conventions.services.common import (
    DEFAULT_DURATION_YEARS,
    PHASE_MOVES,
    PHASE_ORDER,
    RENEWABLE_PHASES,
    _display,
    audit_log,
    validate_fields,
    validate_period,
)
from ctg.conventions.services.territory import (
    _apply_territory,
    _check_no_overlap,
    _names,
    _resolve_territory,
    territory_key,
)
from ctg.core.history import history_record, register_labels, tracked_update
from ctg.core.models import Action
from ctg.organisations.models import Organisation
from ctg.organisations.permissions import Role
from ctg.territories.models import Commune, Epci


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
def ctg_renew(
    *,
    ctg: Ctg,
    actor,
    start_year: int | None = None,
    end_year: int | None = None,
    choices: Iterable[str] | None = None,
) -> Ctg:
    """The next CTG of the same territory, linked to this one. Members, partners and fields always carry
    over; what else does (signatories to sign again, governance bodies, coordinator post, unfinished fiches
    and their indicators…) is what the apps registered in `ctg.conventions.renewal` offer: everything when
    `choices` is None, else exactly the chosen keys (checked first: nothing is written on a refusal)."""
    from ctg.conventions import renewal

    ctg = Ctg.objects.select_for_update().get(pk=ctg.pk)
    if ctg.phase not in RENEWABLE_PHASES:
        raise ValidationError("Seule une CTG en évaluation ou terminée peut être renouvelée.")
    if Ctg.objects.filter(previous=ctg).exists():
        raise ValidationError("Cette CTG a déjà été renouvelée.")
    offered = renewal.all_keys(renewal.options(ctg))
    chosen = offered if choices is None else renewal.check_choices(ctg, choices)
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
        summary=f"Renouvellement de « {ctg.title} » ({ctg.period_label}) : repris de ce dossier",
    )
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.RENEWAL,
        summary=f"Renouvelée par « {new.title} » ({new.period_label})",
    )
    for carrier in renewal.carriers():
        carrier.carry_over(previous=ctg, new=new, actor=actor, chosen=set(chosen))
    return new


def renewal_signatory_options(previous: Ctg) -> list:
    """The signatories of the previous convention, offered to sign the new one again (unsigned)."""
    from ctg.conventions.renewal import Choice, Group

    signatories = list(previous.signatories.select_related("organisation"))
    if not signatories:
        return []
    return [
        Group(
            key="signatories",
            title="Signataires (à signer de nouveau)",
            help_text="Chaque partie reprise signe la nouvelle convention : aucune signature n'est reprise.",
            choices=[
                Choice(
                    key=f"signatory:{s.pk}",
                    label=str(s.organisation),
                    detail=f"{s.signer_name}, {s.signer_capacity}",
                )
                for s in signatories
            ],
        )
    ]


def renewal_signatory_carry_over(*, previous: Ctg, new: Ctg, actor, chosen: set[str]) -> list[str]:
    from ctg.conventions.services.parties import signatory_add

    done = []
    for signatory in previous.signatories.select_related("organisation"):
        if f"signatory:{signatory.pk}" not in chosen:
            continue
        signatory_add(
            ctg=new,
            actor=actor,
            organisation=signatory.organisation,
            signer_name=signatory.signer_name,
            signer_capacity=signatory.signer_capacity,
        )
        done.append(f"Signataire repris : {signatory.organisation}")
    if done:
        history_record(
            ctg=previous,
            actor=actor,
            action=Action.RENEWAL,
            summary=f"Renouvelée en « {new.title} » : {len(done)} signataire(s) repris, à signer de nouveau",
        )
    return done


def _renewal_title(ctg: Ctg, start_year: int, end_year: int) -> str:
    old = ctg.period_label
    if old in ctg.title:
        return ctg.title.replace(old, f"{start_year}-{end_year}")
    return f"{ctg.title} ({start_year}-{end_year})"


def _register_renewal() -> None:
    from ctg.conventions import renewal

    renewal.register(
        "conventions.signatories",
        order=10,
        options=renewal_signatory_options,
        carry_over=renewal_signatory_carry_over,
    )


_register_renewal()
