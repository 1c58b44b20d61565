"""The demo's previous CTG (issue 16), all fictitious and labelled so: the Albigeois' CTG of the four years
before the current demo one, signed, carried out, evaluated (the final evaluation's conclusions on the
CNAF's four questions, when `ctg.evaluation` has its final evaluation) and closed, then renewed into the
current demo CTG: `load_previous_and_renew` returns the new dossier, created by `ctg_renew` with the
unfinished fiche and its indicator carried over (the rest of the demo adds its own signatories, members,
partners, bodies and post to it). Every write goes through the apps' services."""

import datetime
from decimal import Decimal

from django.utils import timezone

from ctg.conventions import services
from ctg.conventions.models import Ctg, Phase
from ctg.evaluation import final_services
from ctg.governance import services as governance_services
from ctg.plans.models import FicheAction
from ctg.plans.services import fiches as fiche_services
from ctg.plans.services.indicators import indicator_create, indicator_value_set
from ctg.plans.services.tree import enjeu_create, operational_objective_create, strategic_objective_create

LABEL = "(démonstration, CTG précédente fictive)"

CONCLUSIONS = {
    "coherence": "Les actions répondaient aux besoins du diagnostic de 2018 (fictif), sauf la jeunesse, "
    "qu'aucune fiche ne couvrait.",
    "achievement": "Une fiche sur trois est réalisée ; le relais petite enfance itinérant reste à étendre.",
    "means": "Un poste de coordination à 0,8 ETP, cofinancé chaque année par la CAF (fictif).",
    "durability": "Les communes poursuivent le guide des services ; le relais continue dans la CTG suivante.",
}

FICHES = (
    # title, status, indicator (label, baseline, realised by year offset) or None
    (
        "Relais petite enfance itinérant",
        FicheAction.Status.EN_COURS,
        ("Communes desservies", 4, {1: 6, 3: 9}),
    ),
    ("Guide des services aux familles", FicheAction.Status.REALISEE, None),
    ("Ludothèque intercommunale", FicheAction.Status.ABANDONNEE, None),
)


def _phase_to(ctg: Ctg, actor, target: str) -> None:
    order = list(Phase.values)
    while order.index(ctg.phase) < order.index(target):
        services.ctg_transition(ctg=ctg, actor=actor, to=order[order.index(ctg.phase) + 1])


def load_previous_and_renew(*, caf, epci, territory_signatory, pilot, coordinator, fields, start_year) -> Ctg:
    """The previous CTG ({start_year - 4}–{start_year - 1}) built and closed, and its renewal from
    `start_year`, returned. Once only: an existing previous demo CTG is renewed again only when it has no
    renewal, else its renewal is returned."""
    first, last = start_year - 4, start_year - 1
    previous = Ctg.objects.filter(epci=epci, is_fictitious=True, start_year=first, end_year=last).first()
    if previous is not None:
        renewal = Ctg.objects.filter(previous=previous).first()
        if renewal is not None:
            return renewal
    else:
        previous = _build_previous(
            caf=caf,
            epci=epci,
            territory_signatory=territory_signatory,
            pilot=pilot,
            coordinator=coordinator,
            fields=fields,
            first=first,
            last=last,
        )
    chosen = [
        key
        for fiche in previous.fiches.exclude(
            status__in=(FicheAction.Status.REALISEE, FicheAction.Status.ABANDONNEE)
        )
        for key in (f"fiche:{fiche.pk}", *(f"indicator:{i.pk}" for i in fiche.indicators.all()))
    ]
    return services.ctg_renew(
        ctg=previous, actor=pilot, start_year=start_year, end_year=start_year + 3, choices=chosen
    )


def _build_previous(*, caf, epci, territory_signatory, pilot, coordinator, fields, first, last) -> Ctg:
    ctg = services.ctg_create(
        actor=pilot,
        title=f"CTG de l'Agglomération de l'Albigeois {first}-{last} {LABEL}",
        caf=caf,
        epci=epci,
        start_year=first,
        end_year=last,
        fields=fields,
        is_fictitious=True,
    )
    services.membership_invite(
        ctg=ctg, actor=pilot, actor_role="pilote_caf", email=coordinator.email, role="coordination"
    )
    signatories = [
        services.signatory_add(
            ctg=ctg, actor=pilot, organisation=organisation, signer_name=name, signer_capacity=capacity
        )
        for organisation, name, capacity in (
            (caf, "Anne Lefèvre (fictive)", "Directrice"),
            (territory_signatory, "Jean Dupuis (fictif)", "Président"),
        )
    ]
    for signatory in signatories:
        services.signature_record(signatory=signatory, actor=pilot, signed_on=datetime.date(first, 3, 15))
    enjeu = enjeu_create(ctg=ctg, actor=pilot, title="Mieux informer et accueillir les familles (fictif)")
    strategic = strategic_objective_create(
        enjeu=enjeu, actor=pilot, title="Rapprocher les services des familles"
    )
    operational = operational_objective_create(
        strategic=strategic, actor=pilot, title="Couvrir les communes rurales"
    )
    _phase_to(ctg, pilot, Phase.MISE_EN_OEUVRE)
    for title, status, indicator in FICHES:
        fiche = fiche_services.fiche_create(
            ctg=ctg, actor=pilot, title=f"{title} (fictif)", objectives=[operational], status=status
        )
        if indicator is None:
            continue
        label, baseline, realised = indicator
        created = indicator_create(
            fiche=fiche, actor=pilot, label=label, baseline_value=Decimal(baseline), baseline_year=first - 1
        )
        for offset, value in realised.items():
            indicator_value_set(
                indicator=created, actor=pilot, year=first + offset, kind="realised", value=value
            )
    _phase_to(ctg, pilot, Phase.EVALUATION)
    _final_evaluation(ctg, pilot)
    _phase_to(ctg, pilot, Phase.CLOSE)
    return ctg


def _final_evaluation(ctg: Ctg, actor) -> None:
    """The final evaluation's conclusions on the four questions, validated by the COPIL's decision at its
    meeting of November of the last year (held)."""
    evaluation = final_services.final_create(ctg=ctg, actor=actor)
    final_services.final_set_conclusions(evaluation=evaluation, actor=actor, **CONCLUSIONS)
    copil = governance_services.body_create(
        ctg=ctg, actor=actor, kind="copil", name="COPIL de la CTG", role="Pilotage et validation (fictif)"
    )
    day = datetime.date(ctg.end_year, 11, 20)
    starts = timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 14))
    meeting = governance_services.meeting_create(
        ctg=ctg,
        actor=actor,
        body=copil,
        title=f"Comité de pilotage : évaluation finale {LABEL}",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place="Siège de la communauté d'agglomération, salle du conseil",
        agenda="Évaluation finale de la CTG ; préparation du renouvellement.",
    )
    governance_services.meeting_mark_held(meeting=meeting, actor=actor)
    decision = governance_services.decision_add(
        meeting=meeting,
        actor=actor,
        text="Le comité de pilotage valide l'évaluation finale et engage le renouvellement (fictif).",
    )
    final_services.final_validate(evaluation=evaluation, actor=actor, decision=decision)
