"""The fictitious findings (constats) of the demo's diagnostic partagé (issue 13): a dozen atouts, faiblesses,
besoins and ressources from the portrait, the offer, interviews and documents, written through
`ctg.findings.services`, and cited by the demo plan's enjeux (`plans.services.finding_cite`). Loaded once."""

from ctg.conventions.models import Ctg
from ctg.findings import services as findings_services
from ctg.plans import services as plan_services

SAINT_JUERY = "81257"

# (kind, title, evidence, fields, communes, public, source kind, source ref, source label, weight,
#  the beginning of the title of the enjeu that cites it)
FINDINGS = [
    (
        "besoin",
        "Des communes rurales encore loin du relais petite enfance",
        "L'évaluation finale de la CTG précédente : le relais itinérant dessert 9 communes, il reste à "
        "l'étendre (fictif).",
        ["petite_enfance"],
        [],
        "familles des communes rurales",
        "document",
        "",
        "Évaluation finale de la CTG précédente (fictive)",
        2,
        "Mieux informer et accueillir",
    ),
    (
        "besoin",
        "Des places d'accueil du jeune enfant trop peu nombreuses au nord de l'agglomération",
        "Liste d'attente de 38 familles au relais petite enfance (chiffre fictif).",
        ["petite_enfance"],
        [SAINT_JUERY],
        "familles avec enfants de moins de 3 ans",
        "offre",
        "petite_enfance",
        "Besoins et offre — petite enfance",
        3,
        "Développer et rééquilibrer",
    ),
    (
        "faiblesse",
        "Peu de solutions d'accueil en horaires atypiques",
        "« Je commence à 6 h à l'hôpital, aucune crèche n'ouvre avant 7 h 30. » (entretien fictif)",
        ["petite_enfance"],
        [],
        "parents aux horaires décalés",
        "entretien",
        "",
        "Entretien avec le relais petite enfance (fictif)",
        2,
        "Développer et rééquilibrer",
    ),
    (
        "atout",
        "Un réseau d'assistantes maternelles actif et structuré",
        "Trois maisons d'assistantes maternelles ouvertes depuis 2022 (fictif).",
        ["petite_enfance"],
        [],
        "",
        "document",
        "",
        "Bilan du relais petite enfance 2024 (fictif)",
        1,
        "Développer et rééquilibrer",
    ),
    (
        "besoin",
        "Des parents isolés qui ne connaissent pas les lieux de soutien à la parentalité",
        "Une famille monoparentale sur deux dit ne connaître aucun lieu d'accueil enfants-parents (fictif).",
        ["parentalite"],
        [],
        "familles monoparentales",
        "saisie",
        "",
        "Rencontres avec les partenaires (fictif)",
        3,
        "Accompagner les parents",
    ),
    (
        "ressource",
        "Un centre social reconnu par les familles",
        "Fréquentation en hausse de 15 % en deux ans (fictif).",
        ["parentalite", "animation_vie_sociale"],
        [],
        "",
        "document",
        "",
        "Rapport d'activité du centre social (fictif)",
        2,
        "Accompagner les parents",
    ),
    (
        "faiblesse",
        "Peu d'espaces pour les 11-17 ans hors du temps scolaire",
        "Un seul accueil de jeunes sur le territoire (fictif).",
        ["jeunesse"],
        [],
        "adolescents",
        "offre",
        "jeunesse",
        "Besoins et offre — jeunesse",
        2,
        "Offrir aux jeunes",
    ),
    (
        "besoin",
        "Un accompagnement aux démarches en ligne pour les plus âgés",
        "« Je n'ai pas d'ordinateur et la mairie m'envoie sur internet. » (entretien fictif)",
        ["acces_droits"],
        [],
        "personnes âgées isolées",
        "entretien",
        "",
        "Permanence France Services (fictif)",
        2,
        "Faciliter l'accès aux droits",
    ),
    (
        "a_qualifier",
        "Des transports en commun peu adaptés aux communes rurales",
        "",
        ["mobilite"],
        [],
        "",
        "saisie",
        "",
        "Comité technique (fictif)",
        1,
        "",
    ),
]


def load_demo_findings(ctg: Ctg, actor) -> bool:
    """Creates the demo's findings once (none yet) and has the plan's enjeux cite them; returns whether it
    created them now."""
    if ctg.constats.exists():
        return False
    communes = {c.code: c for c in ctg.communes.all()}
    enjeux = list(ctg.enjeux.all())
    for kind, title, evidence, fields, codes, public, source, ref, label, weight, enjeu_prefix in FINDINGS:
        finding = findings_services.finding_create(
            ctg=ctg,
            actor=actor,
            values={
                "kind": kind,
                "title": title,
                "evidence": evidence,
                "fields": fields,
                "communes": [communes[code] for code in codes if code in communes],
                "public": public,
                "source_kind": source,
                "source_ref": ref,
                "source_label": label,
                "weight": weight,
                "is_fictitious": True,
            },
        )
        enjeu = next((e for e in enjeux if enjeu_prefix and e.title.startswith(enjeu_prefix)), None)
        if enjeu is not None:
            plan_services.finding_cite(enjeu=enjeu, actor=actor, finding=finding)
    return True
