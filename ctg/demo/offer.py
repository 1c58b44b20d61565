"""The fictitious inventory of the offer of services of the demo (issue 12, item 6): about forty structures
of the Agglomération de l'Albigeois over every CTG field (EAJE, MAM, assistantes maternelles counted per
commune, RPE, LAEP, ALSH, accueil jeunes, PIJ, centre social, EVS, France Services, CCAS, PMI, médiation
familiale, Mission locale, écoles, médiathèque, FJT, MDPH), with opening hours, CAF funding and accessibility;
one crèche « en projet », one « fermée ».

Nothing of it comes from a real file: every structure is `is_fictitious`, of source `demo`, and its name
says « fictif / fictive » wherever it is shown. Coordinates are the commune's centroid
(`ctg.offer.needs.centroids`, else an approximate table) shifted by a few hundred metres. The west of the
agglomération (Marssac-sur-Tarn, Terssac, Castelnau-de-Lévis…) has no open EAJE within 10 km, so that the
white zones page has something to show; the demo scenario puts a micro-crèche there.

Idempotent: a structure whose (source, source_id) exists is left as it is (a person may have edited it); a
structure of a commune missing from the référentiel is skipped. Every write goes through
`ctg.offer.services.structure_create`.
"""

import datetime

from django.utils import timezone

from ctg.conventions.models import Ctg
from ctg.offer import scenario_funding, scenarios, services
from ctg.offer.models import Structure
from ctg.territories.models import Commune

SOURCE = "demo"
PREFIX = "albigeois-"

# Approximate centroids (lat, lon) of the communes of the CA de l'Albigeois, used only when the contours
# of the communes are not available (`ctg.offer.needs.centroids` gives none).
FALLBACK_CENTROIDS = {
    "81004": (43.926, 2.148),  # Albi
    "81018": (43.964, 2.226),  # Arthès
    "81052": (43.911, 2.223),  # Cambon
    "81059": (43.888, 2.105),  # Carlus
    "81063": (43.944, 2.071),  # Castelnau-de-Lévis
    "81074": (43.927, 2.226),  # Cunac
    "81079": (43.840, 2.203),  # Dénat
    "81097": (43.879, 2.230),  # Fréjairolles
    "81144": (43.965, 2.182),  # Lescure-d'Albigeois
    "81156": (43.911, 2.036),  # Marssac-sur-Tarn
    "81218": (43.881, 2.180),  # Puygouzon
    "81232": (43.882, 2.073),  # Rouffiac
    "81257": (43.939, 2.225),  # Saint-Juéry
    "81274": (43.886, 2.134),  # Saliès
    "81284": (43.911, 2.107),  # Le Sequestre
    "81297": (43.922, 2.070),  # Terssac
}
# The commune of the demo scenario when it is in the référentiel (no EAJE within 10 km).
SCENARIO_COMMUNE = "81156"

WEEKDAYS = "Mo-Fr 09:00-12:00,13:30-17:00"
CRECHE_HOURS = "Mo-Fr 07:30-18:30; PH off"
WEDNESDAY_AND_HOLIDAYS = "We 07:30-18:30"
FULL = Structure.Accessibility.FULL
PARTIAL = Structure.Accessibility.PARTIAL

# (key, commune code, type, name, (lat, lon) offset in degrees, manager key or None, other values)
STRUCTURES: tuple[tuple, ...] = (
    # --- Albi
    (
        "creche-lutins",
        "81004",
        "eaje_creche",
        "Crèche collective Les Lutins (fictive)",
        (0.004, 0.016),
        "epci",
        {
            "address": "12 rue des Tilleuls",
            "public": "Enfants et familles",
            "ages": "10 semaines - 4 ans",
            "capacity": 60,
            "opening_hours": CRECHE_HOURS,
            "caf_funding": ["psu", "bonus_territoire"],
            "accessibility": FULL,
        },
    ),
    (
        "multi-accueil-petits-pas",
        "81004",
        "eaje_multi_accueil",
        "Multi-accueil Les Petits Pas (fictif)",
        (-0.004, 0.020),
        "epci",
        {
            "address": "4 place du Marché",
            "public": "Enfants et familles",
            "ages": "10 semaines - 4 ans",
            "capacity": 40,
            "opening_hours": "Mo-Fr 07:30-19:00; PH off",
            "hours_note": "Accueil régulier et occasionnel ; 4 places d'urgence.",
            "caf_funding": ["psu", "bonus_territoire"],
            "accessibility": FULL,
        },
    ),
    (
        "micro-creche-pitchouns",
        "81004",
        "eaje_micro_creche",
        "Micro-crèche Les Pitchouns (fictive)",
        (0.008, 0.018),
        None,
        {
            "address": "27 avenue des Acacias",
            "public": "Enfants et familles",
            "ages": "2 mois - 3 ans",
            "capacity": 12,
            "opening_hours": "Mo-Fr 07:00-19:30",
            "hours_note": "Gestion privée, financée par le complément de libre choix du mode de garde.",
            "accessibility": PARTIAL,
            "accessibility_note": "Entrée de plain-pied ; sanitaires non adaptés.",
        },
    ),
    (
        "rpe",
        "81004",
        "rpe",
        "Relais petite enfance de l'Albigeois (fictif)",
        (-0.002, 0.004),
        "epci",
        {
            "address": "8 rue des Lavandières",
            "public": "Assistantes maternelles, gardes à domicile et parents",
            "opening_hours": "Mo-Fr 09:00-12:00,13:30-17:00; We 09:00-12:00",
            "hours_note": "Permanences itinérantes le jeudi dans les communes de l'agglomération.",
            "caf_funding": ["ps_rpe"],
            "accessibility": FULL,
        },
    ),
    (
        "laep-passerelle",
        "81004",
        "laep",
        "Lieu d'accueil enfants-parents La Passerelle (fictif)",
        (0.002, -0.006),
        "association",
        {
            "address": "3 impasse des Glycines",
            "public": "Enfants de moins de 6 ans et leurs parents",
            "ages": "0 - 6 ans",
            "opening_hours": "Tu 09:00-12:00; Sa 09:30-12:00",
            "hours_note": "Accueil libre, anonyme et gratuit.",
            "caf_funding": ["ps_laep"],
            "accessibility": FULL,
        },
    ),
    (
        "alsh-cordeliers",
        "81004",
        "alsh",
        "Accueil de loisirs Les Cordeliers (fictif)",
        (-0.006, 0.000),
        "commune",
        {
            "address": "15 chemin des Écoliers",
            "public": "Enfants",
            "ages": "3 - 11 ans",
            "capacity": 120,
            "opening_hours": "We 07:30-18:30",
            "hours_note": "Mercredis et vacances scolaires (du lundi au vendredi, 7 h 30 - 18 h 30).",
            "caf_funding": ["ps_alsh"],
            "accessibility": FULL,
        },
    ),
    (
        "espace-jeunes",
        "81004",
        "accueil_jeunes",
        "Espace jeunes du Castelviel (fictif)",
        (0.005, -0.004),
        "commune",
        {
            "address": "22 rue des Peupliers",
            "public": "Jeunes",
            "ages": "11 - 17 ans",
            "capacity": 36,
            "opening_hours": "Tu-Fr 16:30-19:00; We 13:30-18:30; Sa 14:00-18:00",
            "caf_funding": ["ps_jeunes"],
            "accessibility": PARTIAL,
            "accessibility_note": "Salle d'activité à l'étage, sans ascenseur.",
        },
    ),
    (
        "pij",
        "81004",
        "pij",
        "Point information jeunesse de l'Albigeois (fictif)",
        (0.001, 0.001),
        "epci",
        {
            "address": "1 rue des Hirondelles",
            "public": "Jeunes",
            "ages": "15 - 29 ans",
            "opening_hours": "Mo-Fr 13:30-18:00; We 10:00-12:00",
            "accessibility": FULL,
        },
    ),
    (
        "centre-social",
        "81004",
        "centre_social",
        "Centre social des Quatre Saisons (fictif)",
        (-0.008, 0.010),
        "centre_social",
        {
            "address": "5 allée des Quatre Saisons",
            "public": "Tous publics",
            "opening_hours": "Mo-Fr 09:00-12:00,14:00-18:30; Sa 09:00-12:00",
            "caf_funding": ["ps_animation_globale", "ps_acf", "clas"],
            "accessibility": FULL,
        },
    ),
    (
        "france-services",
        "81004",
        "france_services",
        "France Services de démonstration d'Albi (fictive)",
        (0.003, 0.008),
        "epci",
        {
            "address": "10 boulevard des Platanes",
            "public": "Tous publics",
            "opening_hours": "Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00",
            "accessibility": FULL,
        },
    ),
    (
        "ccas",
        "81004",
        "ccas",
        "CCAS d'Albi (fictif)",
        (0.000, -0.002),
        "commune",
        {
            "address": "2 rue de la Mairie",
            "public": "Tous publics",
            "opening_hours": WEEKDAYS,
            "accessibility": FULL,
        },
    ),
    (
        "pmi",
        "81004",
        "pmi",
        "Centre de PMI d'Albi (fictif)",
        (-0.003, -0.008),
        "departement",
        {
            "address": "9 rue des Mésanges",
            "public": "Futurs parents, parents et enfants de moins de 6 ans",
            "ages": "0 - 6 ans",
            "opening_hours": "Mo-Fr 08:30-12:00,13:30-17:00",
            "hours_note": "Consultations de nourrissons sur rendez-vous.",
            "accessibility": FULL,
        },
    ),
    (
        "mediation-familiale",
        "81004",
        "mediation_familiale",
        "Service de médiation familiale de l'Albigeois (fictif)",
        (0.006, 0.006),
        "association",
        {
            "address": "14 rue des Charmes",
            "public": "Parents, grands-parents, familles",
            "opening_hours": "Mo-Th 09:00-12:00,14:00-18:00; Fr 09:00-12:00",
            "hours_note": "Entretiens d'information gratuits, sur rendez-vous.",
            "caf_funding": ["ps_mediation_familiale"],
            "accessibility": PARTIAL,
            "accessibility_note": "Bureau au rez-de-chaussée ; pas de place de stationnement réservée.",
        },
    ),
    (
        "mission-locale",
        "81004",
        "mission_locale",
        "Mission locale de l'Albigeois (fictive)",
        (-0.001, 0.012),
        None,
        {
            "address": "6 avenue des Cerisiers",
            "public": "Jeunes",
            "ages": "16 - 25 ans",
            "opening_hours": "Mo-Fr 08:30-12:30,13:30-17:30",
            "accessibility": FULL,
        },
    ),
    (
        "ecole-maternelle-tilleuls",
        "81004",
        "ecole_maternelle",
        "École maternelle Les Tilleuls (fictive)",
        (0.007, -0.010),
        "commune",
        {
            "address": "18 rue des Tilleuls",
            "public": "Enfants",
            "ages": "3 - 6 ans",
            "capacity": 150,
            "opening_hours": "Mo,Tu,Th,Fr 08:30-11:45,13:45-16:30; We 08:30-11:30",
            "accessibility": FULL,
        },
    ),
    (
        "ecole-elementaire-centre",
        "81004",
        "ecole_elementaire",
        "École élémentaire du Centre (fictive)",
        (-0.005, -0.012),
        "commune",
        {
            "address": "3 place de l'École",
            "public": "Enfants",
            "ages": "6 - 11 ans",
            "capacity": 260,
            "opening_hours": "Mo,Tu,Th,Fr 08:30-11:45,13:45-16:30; We 08:30-11:30",
            "accessibility": PARTIAL,
            "accessibility_note": "Classes de l'étage accessibles par une rampe extérieure.",
        },
    ),
    (
        "mediatheque",
        "81004",
        "bibliotheque",
        "Médiathèque de l'Albigeois (fictive)",
        (0.010, 0.002),
        "epci",
        {
            "address": "30 quai des Saules",
            "public": "Tous publics",
            "opening_hours": "Tu,Th,Fr 12:00-18:30; We,Sa 10:00-18:00",
            "accessibility": FULL,
        },
    ),
    (
        "fjt",
        "81004",
        "fjt",
        "Résidence jeunes travailleurs Les Hirondelles (fictive)",
        (-0.010, 0.006),
        "association",
        {
            "address": "40 avenue des Hirondelles",
            "public": "Jeunes",
            "ages": "16 - 30 ans",
            "capacity": 48,
            "opening_hours": "24/7",
            "caf_funding": ["ps_fjt"],
            "accessibility": PARTIAL,
            "accessibility_note": "Deux logements adaptés au rez-de-chaussée.",
        },
    ),
    (
        "mdph",
        "81004",
        "mdph",
        "Maison départementale des personnes handicapées (fictive)",
        (-0.007, 0.015),
        "departement",
        {
            "address": "11 rue des Aubépines",
            "public": "Personnes handicapées et leurs proches",
            "opening_hours": WEEKDAYS,
            "accessibility": FULL,
        },
    ),
    # --- Saint-Juéry
    (
        "multi-accueil-saint-jurey",
        "81257",
        "eaje_multi_accueil",
        "Multi-accueil Les Loupiots (fictif)",
        (0.002, -0.003),
        "epci",
        {
            "address": "7 rue des Forges",
            "public": "Enfants et familles",
            "ages": "10 semaines - 4 ans",
            "capacity": 24,
            "opening_hours": CRECHE_HOURS,
            "caf_funding": ["psu"],
            "accessibility": FULL,
        },
    ),
    (
        "mam-calins",
        "81257",
        "mam",
        "MAM Les Câlins (fictive)",
        (-0.003, 0.002),
        None,
        {
            "address": "16 rue des Violettes",
            "public": "Enfants et familles",
            "ages": "0 - 6 ans",
            "capacity": 12,
            "opening_hours": "Mo-Fr 07:00-19:00",
            "hours_note": "Trois assistantes maternelles agréées, quatre enfants chacune.",
            "accessibility": PARTIAL,
        },
    ),
    (
        "alsh-saint-juery",
        "81257",
        "alsh",
        "Accueil de loisirs du Saut-du-Tarn (fictif)",
        (0.004, 0.004),
        "epci",
        {
            "address": "2 chemin des Berges",
            "public": "Enfants",
            "ages": "3 - 12 ans",
            "capacity": 60,
            "opening_hours": WEDNESDAY_AND_HOLIDAYS,
            "hours_note": "Mercredis et vacances scolaires.",
            "caf_funding": ["ps_alsh"],
            "accessibility": FULL,
        },
    ),
    (
        "mediatheque-saint-juery",
        "81257",
        "bibliotheque",
        "Bibliothèque de Saint-Juéry (fictive)",
        (-0.001, -0.004),
        "epci",
        {
            "address": "1 place de la Bibliothèque",
            "public": "Tous publics",
            "opening_hours": "Tu,Fr 14:00-18:00; We,Sa 10:00-12:00,14:00-17:00",
            "accessibility": FULL,
        },
    ),
    # --- Lescure-d'Albigeois
    (
        "micro-creche-lescure",
        "81144",
        "eaje_micro_creche",
        "Micro-crèche Les Coccinelles (fictive)",
        (0.002, 0.003),
        "epci",
        {
            "address": "5 rue des Coquelicots",
            "public": "Enfants et familles",
            "ages": "10 semaines - 3 ans",
            "capacity": 10,
            "opening_hours": "Mo-Fr 07:30-18:30",
            "caf_funding": ["psu", "bonus_territoire"],
            "accessibility": FULL,
        },
    ),
    (
        "ecole-lescure",
        "81144",
        "ecole_elementaire",
        "École primaire des Coquelicots (fictive)",
        (-0.002, -0.002),
        None,
        {
            "address": "9 rue des Coquelicots",
            "public": "Enfants",
            "ages": "3 - 11 ans",
            "capacity": 180,
            "opening_hours": "Mo,Tu,Th,Fr 08:45-12:00,13:45-16:30",
            "accessibility": FULL,
        },
    ),
    # --- Puygouzon: a crèche in project
    (
        "creche-puygouzon-projet",
        "81218",
        "eaje_multi_accueil",
        "Multi-accueil des Vignes, en projet (fictif)",
        (0.003, -0.002),
        "epci",
        {
            "address": "Zone des Vignes",
            "public": "Enfants et familles",
            "ages": "10 semaines - 4 ans",
            "capacity": 30,
            "status": Structure.Status.PLANNED,
            "hours_note": "Ouverture prévue à la rentrée ; travaux en cours.",
            "caf_funding": ["psu", "bonus_territoire"],
            "accessibility": FULL,
        },
    ),
    (
        "alsh-puygouzon",
        "81218",
        "alsh",
        "Accueil de loisirs des Vignes (fictif)",
        (-0.002, 0.003),
        "epci",
        {
            "address": "1 chemin des Vignes",
            "public": "Enfants",
            "ages": "3 - 11 ans",
            "capacity": 40,
            "opening_hours": WEDNESDAY_AND_HOLIDAYS,
            "hours_note": "Mercredis et vacances scolaires.",
            "caf_funding": ["ps_alsh"],
            "accessibility": FULL,
        },
    ),
    # --- Terssac: a micro-crèche closed
    (
        "micro-creche-terssac-fermee",
        "81297",
        "eaje_micro_creche",
        "Micro-crèche Les Hérissons, fermée (fictive)",
        (0.001, 0.002),
        None,
        {
            "address": "3 rue des Aulnes",
            "public": "Enfants et familles",
            "ages": "2 mois - 3 ans",
            "capacity": 10,
            "status": Structure.Status.CLOSED,
            "hours_note": "Fermée faute de repreneur ; les familles se sont reportées sur Albi.",
            "accessibility": PARTIAL,
        },
    ),
    # --- Marssac-sur-Tarn: no EAJE (the scenario's commune)
    (
        "alsh-marssac",
        "81156",
        "alsh",
        "Accueil de loisirs du Bord de Tarn (fictif)",
        (0.002, 0.002),
        None,
        {
            "address": "4 rue du Port",
            "public": "Enfants",
            "ages": "3 - 11 ans",
            "capacity": 50,
            "opening_hours": WEDNESDAY_AND_HOLIDAYS,
            "hours_note": "Mercredis et vacances scolaires.",
            "caf_funding": ["ps_alsh"],
            "accessibility": PARTIAL,
        },
    ),
    (
        "ecole-marssac",
        "81156",
        "ecole_maternelle",
        "École maternelle du Port (fictive)",
        (-0.002, 0.001),
        None,
        {
            "address": "6 rue du Port",
            "public": "Enfants",
            "ages": "3 - 6 ans",
            "capacity": 90,
            "opening_hours": "Mo,Tu,Th,Fr 08:45-12:00,13:45-16:30",
            "accessibility": FULL,
        },
    ),
    # --- Castelnau-de-Lévis
    (
        "evs-castelnau",
        "81063",
        "evs",
        "Espace de vie sociale Le Lien (fictif)",
        (0.001, 0.002),
        "association",
        {
            "address": "2 place de la Halle",
            "public": "Tous publics",
            "opening_hours": "Tu,Th 14:00-18:00; We 09:30-12:00,14:00-18:00",
            "caf_funding": ["ps_evs"],
            "accessibility": PARTIAL,
        },
    ),
    # --- Le Sequestre
    (
        "accueil-jeunes-sequestre",
        "81284",
        "accueil_jeunes",
        "Accueil jeunes Le Local (fictif)",
        (0.002, -0.002),
        "epci",
        {
            "address": "11 rue des Sports",
            "public": "Jeunes",
            "ages": "11 - 17 ans",
            "capacity": 24,
            "opening_hours": "We 14:00-18:30; Fr 17:00-20:00; Sa 14:00-18:00",
            "caf_funding": ["ps_jeunes"],
            "accessibility": FULL,
        },
    ),
)

# Assistantes maternelles counted per commune (type `assistantes_maternelles`, « places » = their number, as
# in the template of the offer): {commune code: number}.
ASSISTANTES_MATERNELLES = {
    "81004": 182,
    "81257": 38,
    "81144": 27,
    "81218": 21,
    "81156": 19,
    "81018": 14,
    "81052": 13,
    "81284": 12,
    "81074": 9,
    "81063": 9,
    "81097": 8,
    "81297": 7,
    "81079": 5,
    "81274": 4,
    "81059": 3,
    "81232": 3,
}

# Fictitious phone numbers: the 05 36 49 xx xx range that the ARCEP keeps for works of fiction.
PHONE = "05 36 49 00 {:02d}"


def _points(codes: list[str]) -> dict[str, tuple[float, float]]:
    from ctg.offer.needs import centroids

    try:
        points, _source = centroids(codes)
    except Exception:  # pragma: no cover - contours unreadable: the approximate table below
        points = {}
    return {code: points.get(code) or FALLBACK_CENTROIDS.get(code) for code in codes}


def _values(index: int, spec: tuple, commune: Commune, point, organisations: dict) -> dict:
    key, _code, kind, name, offset, manager, extra = spec
    values = {
        "type": kind,
        "name": name,
        "commune": commune,
        "postcode": (commune.postal_codes.split() or [""])[0][:5],
        "source": SOURCE,
        "source_id": PREFIX + key,
        "is_fictitious": True,
        "manager": organisations.get(manager) if manager else None,
        "phone": PHONE.format(index + 1),
        "email": f"{key}@demo.invalid",
        **extra,
    }
    if point is not None:
        values["latitude"] = round(point[0] + offset[0], 5)
        values["longitude"] = round(point[1] + offset[1], 5)
    if values.get("status") == Structure.Status.PLANNED:
        values["expected_opening"] = datetime.date(timezone.localdate().year + 1, 9, 1)
    return values


def _assistantes_maternelles(commune: Commune, count: int) -> dict:
    return {
        "type": "assistantes_maternelles",
        "name": f"Assistantes maternelles de {commune.name} (nombre fictif)",
        "commune": commune,
        "postcode": (commune.postal_codes.split() or [""])[0][:5],
        "source": SOURCE,
        "source_id": f"{PREFIX}assistantes-maternelles-{commune.code}",
        "is_fictitious": True,
        "public": "Enfants et familles",
        "ages": "0 - 6 ans",
        "capacity": count,
        "hours_note": "Nombre d'assistantes maternelles en activité dans la commune (fictif).",
    }


def demo_structures(ctg: Ctg, organisations: dict | None = None) -> list[dict]:
    """The values of every demo structure whose commune is in the dossier's EPCI (communes missing from the
    référentiel are left out)."""
    organisations = organisations or {}
    communes = {c.code: c for c in Commune.objects.filter(epci=ctg.epci, is_active=True)}
    points = _points(sorted(communes))
    rows = []
    for index, spec in enumerate(STRUCTURES):
        code = spec[1]
        if code in communes:
            rows.append(_values(index, spec, communes[code], points[code], organisations))
    for code, count in ASSISTANTES_MATERNELLES.items():
        if code in communes:
            rows.append(_assistantes_maternelles(communes[code], count))
    return rows


SCENARIO_DESCRIPTION = (
    "Scénario fictif de démonstration : une micro-crèche de 12 places dans une commune de l'ouest de "
    "l'agglomération, sans établissement d'accueil du jeune enfant à moins de 10 km, pour mesurer ce qu'elle "
    "change au taux de couverture et aux zones blanches."
)


def _scenario_commune(ctg: Ctg) -> Commune | None:
    """The commune of the demo scenario: Marssac-sur-Tarn when in the référentiel, else the most populated
    commune of the EPCI without an open EAJE; None when every commune has one."""
    communes = Commune.objects.filter(epci=ctg.epci, is_active=True)
    with_eaje = Structure.objects.filter(
        commune__in=communes, type__startswith="eaje", status=Structure.Status.OPEN
    ).values_list("commune_id", flat=True)
    candidates = communes.exclude(code__in=with_eaje)
    preferred = candidates.filter(code=SCENARIO_COMMUNE).first()
    return preferred or candidates.order_by("-population", "code").first()


def load_demo_scenario(ctg: Ctg, coordinator):
    """Creates the fictitious scenario of the demo once (nothing when the dossier has a fictitious scenario,
    or when every commune has an EAJE); returns it when created now."""
    if ctg.offer_scenarios.filter(is_fictitious=True).exists():
        return None
    commune = _scenario_commune(ctg)
    if commune is None:
        return None
    year = timezone.localdate().year + 1
    scenario = scenarios.scenario_create(
        ctg=ctg,
        actor=coordinator,
        name=f"Micro-crèche de 12 places à {commune.name}, ouverture {year} (fictif)",
        description=SCENARIO_DESCRIPTION,
        is_fictitious=True,
        lines=[
            {
                "kind": "creation",
                "type": "eaje_micro_creche",
                "places": 12,
                "commune": commune,
                "year": year,
                "name": f"Micro-crèche de {commune.name} (projet fictif)",
            }
        ],
    )
    # Its funding side (issue 14), fictitious too: the tranche and family participation are the demo's
    # choices; the amounts come from the public parameters through the simulator, labelled fictitious.
    scenario_funding.line_funding_set(
        line=scenario.lines.get(),
        actor=coordinator,
        values={"bonus_tranche": "3", "participation_horaire": "0,95"},
    )
    return scenario


def load_demo_offer(ctg: Ctg, coordinator, organisations: dict | None = None) -> int:
    """Creates the demo structures that do not exist yet (by source and source id), as the coordinator, then
    the demo scenario when missing; returns how many structures were created now."""
    rows = demo_structures(ctg, organisations)
    existing = set(
        Structure.objects.filter(source=SOURCE, source_id__in=[row["source_id"] for row in rows]).values_list(
            "source_id", flat=True
        )
    )
    created = 0
    for values in rows:
        if values["source_id"] not in existing:
            services.structure_create(actor=coordinator, values=values)
            created += 1
    load_demo_scenario(ctg, coordinator)
    return created
