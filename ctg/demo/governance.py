"""The fictitious steering of the demo dossier: a COPIL and a COTECH with their members (real institutions,
fictitious people), three past meetings held with attendance, minutes and decisions (one of them applied to
the plan, changing a fiche's status) and one upcoming meeting. Written through the governance services."""

import datetime

from django.utils import timezone

from ctg.conventions.models import Ctg
from ctg.governance import services
from ctg.governance.models import Decision, Participant
from ctg.plans.models import FicheAction

COORDINATION = "coordination@demo.invalid"

COPIL_ROLE = (
    "Instance de décision : valide le diagnostic, le plan d'action et les bilans. Deux réunions par an."
)
COTECH_ROLE = "Instance technique : prépare les travaux du COPIL et suit les fiches action. Chaque trimestre."

# (organisation key, person, capacity, email or demo account)
COPIL_MEMBERS = [
    ("caf", "Claire Martin", "Conseillère territoriale", "pilote.caf@demo.invalid"),
    ("caf", "Bernard Lefèvre", "Directeur", "direction.caf@demo.invalid"),
    ("epci", "Hélène Rossi", "Vice-présidente enfance-jeunesse", "elu@demo.invalid"),
    ("epci", "Karim Benali", "Chargé de coopération CTG", COORDINATION),
    ("departement", "Luc Moreau", "Chef de service enfance-famille", "partenaire@demo.invalid"),
    ("commune", "Jean-Pierre Garnier", "Adjoint au maire", "adjoint.commune@demo.invalid"),
]
COTECH_MEMBERS = [
    ("caf", "Claire Martin", "Conseillère territoriale", "pilote.caf@demo.invalid"),
    ("epci", "Karim Benali", "Chargé de coopération CTG", COORDINATION),
    ("commune", "Sophie Durand", "Référente CTG de la commune", "referent.commune@demo.invalid"),
    ("departement", "Nadia Chevalier", "Travailleuse sociale de secteur", "secteur.cd@demo.invalid"),
    ("centre_social", "Marc Fontaine", "Directeur", "centre.social@demo.invalid"),
]

PAST_MEETINGS = [
    # (body, days before today, title, agenda, minutes, decisions)
    (
        "COPIL",
        300,
        "Lancement du diagnostic",
        "1. Présentation de la démarche CTG\n2. Calendrier du diagnostic\n3. Composition du COTECH",
        "Le comité lance le diagnostic partagé et arrête son calendrier. Le COTECH suivra les ateliers.",
        ["Le diagnostic partagé est lancé ; restitution prévue avant l'été."],
    ),
    (
        "COTECH",
        180,
        "Préparation du plan d'action",
        "1. Retour des ateliers\n2. Enjeux retenus\n3. Premières fiches action",
        "Les ateliers ont réuni 25 participants. Trois enjeux sont proposés au COPIL.",
        ["Trois enjeux sont proposés au COPIL."],
    ),
    (
        "COPIL",
        60,
        "Suivi annuel du plan d'action",
        "1. Bilan de l'année\n2. Avancement des fiches action\n3. Budget de l'année suivante",
        "Le comité valide le bilan annuel et le démarrage des fiches prioritaires.",
        ["Le bilan annuel est validé."],
    ),
]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _add_members(body, members, organisations, users, actor):
    for key, person, capacity, email in members:
        organisation = organisations.get(key) or organisations["epci"]
        services.member_add(
            body=body,
            actor=actor,
            organisation=organisation,
            person_name=person,
            capacity=capacity,
            email=email,
            user=users.get(email),
        )


def _fiche_to_start(ctg: Ctg):
    """A fiche of the demo plan whose status the last COPIL changes, and the new status."""
    fiches = list(ctg.fiches.order_by("position", "id"))
    for fiche in fiches:
        if fiche.status == FicheAction.Status.A_VENIR:
            return fiche, FicheAction.Status.EN_COURS
    for fiche in fiches:
        if fiche.status != FicheAction.Status.REALISEE:
            return fiche, FicheAction.Status.REALISEE
    return None, None


def load_demo_governance(ctg: Ctg, users: dict, organisations: dict) -> bool:
    """Creates the demo governance once (nothing when the dossier already has bodies); returns whether it was
    created now."""
    if ctg.bodies.exists():
        return False
    actor = users.get(COORDINATION)
    copil = services.body_create(
        ctg=ctg,
        actor=actor,
        kind="copil",
        name="COPIL de la CTG",
        role=COPIL_ROLE,
    )
    cotech = services.body_create(
        ctg=ctg,
        actor=actor,
        kind="cotech",
        name="COTECH de la CTG",
        role=COTECH_ROLE,
    )
    _add_members(copil, COPIL_MEMBERS, organisations, users, actor)
    _add_members(cotech, COTECH_MEMBERS, organisations, users, actor)
    bodies = {"COPIL": copil, "COTECH": cotech}
    today = timezone.localdate()
    attendance_cycle = [
        Participant.Attendance.PRESENT,
        Participant.Attendance.PRESENT,
        Participant.Attendance.EXCUSED,
        Participant.Attendance.PRESENT,
        Participant.Attendance.ABSENT,
    ]
    last = None
    for body_key, days, title, agenda, minutes, decisions in PAST_MEETINGS:
        day = today - datetime.timedelta(days=days)
        meeting = services.meeting_create(
            ctg=ctg,
            actor=actor,
            body=bodies[body_key],
            title=title,
            starts_at=_at(day, 14),
            ends_at=_at(day, 16),
            place="Siège de la communauté d'agglomération, salle du conseil",
            agenda=agenda,
        )
        services.meeting_mark_held(meeting=meeting, actor=actor)
        participants = list(meeting.participants.all())
        services.attendance_set(
            meeting=meeting,
            actor=actor,
            attendance={
                p.pk: attendance_cycle[i % len(attendance_cycle)] for i, p in enumerate(participants)
            },
        )
        services.minutes_set(meeting=meeting, actor=actor, minutes=minutes)
        for text in decisions:
            services.decision_add(meeting=meeting, actor=actor, text=text)
        last = meeting

    fiche, status = _fiche_to_start(ctg)
    if fiche is not None:
        decision = services.decision_add(
            meeting=last,
            actor=actor,
            text=f"La fiche « {fiche.title} » passe au statut « {FicheAction.Status(status).label} ».",
            kind=Decision.Kind.FICHE_STATUS,
            fiche=fiche,
            payload={"status": status},
        )
        services.decision_apply(decision=decision, actor=actor)

    upcoming = today + datetime.timedelta(days=30)
    services.meeting_create(
        ctg=ctg,
        actor=actor,
        body=copil,
        title="Bilan de mi-parcours",
        starts_at=_at(upcoming, 10),
        ends_at=_at(upcoming, 12),
        place="Siège de la communauté d'agglomération, salle du conseil",
        link="https://visio.demo.invalid/copil-ctg",
        agenda="1. Bilan de mi-parcours\n2. Ajustements du plan d'action\n3. Questions diverses",
    )
    return True
