"""The fictitious ateliers of the demo's diagnostic partagé (issue 13): « Petite enfance et modes de garde »
(a day and its hours) and « Jeunesse et mobilité » (only its month is known), both held the year before the
CTG began, as the demo's milestone « Ateliers thématiques petite enfance et jeunesse » says. Each has its
invitations and registrations (invented people, or « Participant·e n » for the young ones; names shared only
with consent), its attendance (registered people, a communal referent, a walk-in), its contributions, a dot
vote on the demo's findings and, for the first one, its report and a finding created from a contribution that
an enjeu of the plan cites.

Every write goes through `ctg.ateliers.services` (and `ctg.plans.services` for the citation); each atelier is
flagged `is_fictitious`. Loaded once: an atelier whose title the dossier already has is left as it is."""

import datetime

from ctg.ateliers import services
from ctg.ateliers.models import Atelier, Registration
from ctg.conventions.models import Ctg, DatePrecision
from ctg.demo.data import DEMO_REFERENT_COMMUNE
from ctg.demo.findings import SAINT_JUERY
from ctg.plans import services as plan_services

EARLY_CHILDHOOD = "Petite enfance et modes de garde"
YOUTH = "Jeunesse et mobilité"

# (name, organisation key or None, role, registration status, consents: listed, contact, present)
EARLY_CHILDHOOD_PEOPLE = [
    ("Nadia Ferrand (fictive)", None, "parent", "inscrit", True, True, True),
    ("Julien Pagès (fictif)", None, "parent", "inscrit", False, False, True),
    ("Camille Roux (fictive)", None, "assistante maternelle", "inscrit", True, False, True),
    ("Élodie Vidal (fictive)", None, "assistante maternelle", "inscrit", True, True, True),
    ("Thomas Garrigues (fictif)", "centre_social", "animateur famille", "inscrit", True, True, True),
    ("Sarah Bousquet (fictive)", "association", "bénévole", "inscrit", False, True, True),
    ("Pauline Cabrol (fictive)", "commune", "directrice de crèche", "inscrit", True, False, True),
    ("Mehdi Azoulay (fictif)", None, "parent", "inscrit", False, False, False),
    ("Laure Fabre (fictive)", "caf", "conseillère petite enfance", "excuse", True, False, False),
    ("Jeanne Bonnafous (fictive)", None, "parent", "invite", False, False, False),
]
EARLY_CHILDHOOD_CONTRIBUTIONS = [
    (
        "Aucune crèche n'ouvre avant 7 h 30 : impossible pour les parents qui travaillent à l'hôpital.",
        "parent",
    ),
    (
        "Les familles découvrent trop tard qu'il faut chercher une place dès la grossesse.",
        "Relais petite enfance",
    ),
    ("Les assistantes maternelles ont des places libres le mercredi, mais personne ne le sait.", ""),
    ("Un lieu d'accueil enfants-parents à Saint-Juéry éviterait d'aller jusqu'à Albi.", "parent"),
    ("Proposer des temps d'échange entre parents le samedi matin.", "Centre social"),
]
EARLY_CHILDHOOD_REPORT = (
    "Compte rendu fictif (démonstration).\n\n"
    "Dix-huit personnes ont participé : parents, assistantes maternelles, professionnelles des crèches et "
    "du centre social. Trois tables ont tourné (world café) : trouver une place, les horaires, l'information "
    "des familles.\n\n"
    "À retenir : des horaires d'accueil trop étroits pour les parents aux horaires décalés ; une information "
    "sur les modes de garde qui arrive trop tard ; des places libres chez les assistantes maternelles mal "
    "connues. Le vote par gommettes place en tête le manque de places au nord de l'agglomération."
)
# The finding written from the second contribution (the facilitator's « Créer un constat »).
ATELIER_FINDING = {
    "kind": "besoin",
    "title": "Des familles qui cherchent un mode de garde trop tard, faute d'information dès la grossesse",
    "evidence": "Constat partagé par les parents et le relais petite enfance à l'atelier (fictif).",
    "fields": ["petite_enfance"],
    "public": "futurs parents",
    "weight": 2,
}
ATELIER_FINDING_ENJEU = "Développer et rééquilibrer"

YOUTH_CONTRIBUTIONS = [
    ("Le dernier bus pour Albi part à 18 h 10 : impossible de rester au club après les cours.", "jeunesse"),
    ("On aimerait un lieu à nous le samedi après-midi, pas seulement le mercredi.", "jeunesse"),
    ("Le permis coûte cher : une aide au permis contre des heures de bénévolat ?", "mobilite"),
    ("Le point information jeunesse est inconnu des collégiens.", "jeunesse"),
]

# The dots each finding received (by the beginning of its title, among the demo's findings).
EARLY_CHILDHOOD_VOTES = {
    "Des places d'accueil du jeune enfant": 14,
    "Peu de solutions d'accueil en horaires atypiques": 11,
    "Un réseau d'assistantes maternelles": 4,
    "Des parents isolés": 7,
}
YOUTH_VOTES = {
    "Peu d'espaces pour les 11-17 ans": 12,
    "Des transports en commun peu adaptés": 9,
}


def _commune(ctg: Ctg, code: str):
    """The commune of the dossier with that code, else the first one (a smaller territory in the tests)."""
    communes = ctg.communes.order_by("code")
    return communes.filter(code=code).first() or communes.first()


def _findings_by_prefix(ctg: Ctg, prefixes) -> dict:
    findings = list(ctg.constats.filter(is_fictitious=True))
    chosen = {}
    for prefix, dots in prefixes.items():
        finding = next((f for f in findings if f.title.startswith(prefix)), None)
        if finding is not None:
            chosen[finding] = dots
    return chosen


def _vote(atelier: Atelier, actor, votes: dict) -> None:
    for finding, dots in _findings_by_prefix(atelier.ctg, votes).items():
        services.dot_vote_set(atelier=atelier, actor=actor, finding=finding, dots=dots)


def _early_childhood(ctg: Ctg, actor, users: dict, organisations: dict) -> Atelier:
    atelier = services.atelier_create(
        ctg=ctg,
        actor=actor,
        title=EARLY_CHILDHOOD,
        themes=["petite_enfance", "parentalite"],
        date=datetime.date(ctg.start_year - 1, 9, 21),
        start_time=datetime.time(18, 0),
        end_time=datetime.time(20, 30),
        format=Atelier.Format.PRESENTIEL,
        method=Atelier.Method.WORLD_CAFE,
        commune=_commune(ctg, DEMO_REFERENT_COMMUNE),
        address="Salle des associations, 3 rue des Tilleuls (adresse fictive)",
        facilitator_name="Karim Benali (fictif)",
        facilitator_organisation=organisations.get("centre_social"),
        capacity=20,
        description=(
            "18 h : accueil et présentation des premiers chiffres du diagnostic\n"
            "18 h 20 : world café en trois tables (trouver une place, les horaires, l'information)\n"
            "19 h 45 : vote par gommettes sur les constats\n"
            "20 h 15 : suites données"
        ),
        status=Atelier.Status.HELD,
        is_fictitious=True,
    )
    present = []
    for name, org_key, role, status, listed, contact, came in EARLY_CHILDHOOD_PEOPLE:
        registration = services.registration_add(
            atelier=atelier,
            actor=actor,
            person_name=name,
            organisation=organisations.get(org_key) if org_key else None,
            role=role,
            status=status,
            consent_listed=listed,
            consent_contact=contact,
        )
        if came:
            present.append(registration.pk)
    referent = users["referent.commune@demo.invalid"]
    services.attendance_set(atelier=atelier, actor=actor, registrations=present, members=[referent.pk])
    for number in range(1, 10):
        services.attendance_add(atelier=atelier, actor=actor, person_name=f"Participant·e {number} (fictif)")
    contributions = [
        services.contribution_add(
            atelier=atelier, actor=actor, text=text, author_name=author, theme="petite_enfance"
        )
        for text, author in EARLY_CHILDHOOD_CONTRIBUTIONS
    ]
    services.report_set(atelier=atelier, actor=actor, report=EARLY_CHILDHOOD_REPORT)
    _vote(atelier, actor, EARLY_CHILDHOOD_VOTES)
    finding = services.finding_from_atelier(
        atelier=atelier, actor=actor, values=dict(ATELIER_FINDING), contribution=contributions[1]
    )
    enjeu = ctg.enjeux.filter(title__startswith=ATELIER_FINDING_ENJEU).first()
    if enjeu is not None:
        plan_services.finding_cite(enjeu=enjeu, actor=actor, finding=finding)
    return atelier


def _youth(ctg: Ctg, actor, organisations: dict) -> Atelier:
    atelier = services.atelier_create(
        ctg=ctg,
        actor=actor,
        title=YOUTH,
        themes=["jeunesse", "mobilite"],
        date=datetime.date(ctg.start_year - 1, 10, 1),
        date_precision=DatePrecision.MONTH,
        format=Atelier.Format.PRESENTIEL,
        method=Atelier.Method.FOCUS_GROUPE,
        commune=_commune(ctg, SAINT_JUERY),
        address="Espace jeunes (adresse fictive)",
        facilitator_name="Animatrice jeunesse (fictive)",
        facilitator_organisation=organisations.get("association"),
        description="Focus groupe avec des collégiens et des lycéens : loisirs, lieux, déplacements.",
        status=Atelier.Status.HELD,
        is_fictitious=True,
    )
    # Minors: registered without their names, as « Participant·e n ».
    present = [
        services.registration_add(
            atelier=atelier,
            actor=actor,
            person_name=f"Participant·e {number} (fictif)",
            role="jeune de 14 à 17 ans",
            status=Registration.Status.REGISTERED,
        ).pk
        for number in range(1, 9)
    ]
    services.attendance_set(atelier=atelier, actor=actor, registrations=present[:7])
    services.attendance_add(
        atelier=atelier,
        actor=actor,
        person_name="Yanis Delmas (fictif)",
        organisation=organisations.get("association"),
        consent_listed=True,
    )
    for text, theme in YOUTH_CONTRIBUTIONS:
        services.contribution_add(atelier=atelier, actor=actor, text=text, author_name="", theme=theme)
    _vote(atelier, actor, YOUTH_VOTES)
    return atelier


def load_demo_ateliers(ctg: Ctg, actor, users: dict, organisations: dict) -> int:
    """Creates the demo ateliers that the dossier does not have yet (by title); returns how many it created
    now."""
    titles = set(ctg.ateliers.values_list("title", flat=True))
    created = 0
    if EARLY_CHILDHOOD not in titles:
        _early_childhood(ctg, actor, users, organisations)
        created += 1
    if YOUTH not in titles:
        _youth(ctg, actor, organisations)
        created += 1
    return created
