"""The demo plan d'action (fictitious): enjeux › objectifs stratégiques › objectifs opérationnels › fiches.

Years are offsets from the CTG's first year (0 = first year). Amounts in euros. Every name is fictitious.
"""

# (title, fields, [(strategic title, [(operational title, [fiche, …]), …]), …])
# fiche: dict(title, fields, status, priority, pilot (organisation key), communes ("all" or INSEE codes),
#             budget [(year offset, funder, planned, spent)], indicators [(label, unit, direction, baseline,
#             targets {offset: value}, realised {offset: value})])
ENJEUX = [
    (
        "Développer et rééquilibrer l'offre d'accueil du jeune enfant",
        ["petite_enfance"],
        [
            (
                "Augmenter le nombre de places d'accueil collectif",
                [
                    (
                        "Créer une micro-crèche dans le nord de l'agglomération",
                        [
                            {
                                "title": "Création d'une micro-crèche de 12 places à Saint-Juéry",
                                "fields": ["petite_enfance"],
                                "status": "en_cours",
                                "priority": "haute",
                                "pilot": "epci",
                                "communes": ["81257"],
                                "budget": [
                                    (0, "caf", 45000, 45000),
                                    (0, "epci", 30000, 28000),
                                    (1, "caf", 38000, 12000),
                                ],
                                "indicators": [
                                    (
                                        "Places d'accueil collectif créées",
                                        "places",
                                        "up",
                                        0,
                                        {1: 6, 2: 12},
                                        {1: 6},
                                    ),
                                ],
                            },
                            {
                                "title": "Extension du multi-accueil d'Albi (10 places)",
                                "fields": ["petite_enfance"],
                                "status": "a_venir",
                                "priority": "moyenne",
                                "pilot": "commune",
                                "communes": ["81004"],
                                "budget": [(2, "caf", 60000, 0), (2, "communes", 40000, 0)],
                                "indicators": [
                                    (
                                        "Places ouvertes au multi-accueil",
                                        "places",
                                        "up",
                                        40,
                                        {2: 45, 3: 50},
                                        {},
                                    ),
                                ],
                            },
                        ],
                    ),
                    (
                        "Soutenir l'accueil individuel",
                        [
                            {
                                "title": "Relais petite enfance itinérant dans les communes rurales",
                                "fields": ["petite_enfance", "parentalite"],
                                "status": "en_cours",
                                "priority": "haute",
                                "pilot": "epci",
                                "communes": "all",
                                "budget": [
                                    (0, "caf", 22000, 21500),
                                    (0, "epci", 18000, 18000),
                                    (1, "caf", 22000, 20000),
                                    (1, "msa", 3000, 3000),
                                ],
                                "indicators": [
                                    (
                                        "Assistantes maternelles ayant participé à un atelier",
                                        "personnes",
                                        "up",
                                        35,
                                        {0: 45, 1: 55, 2: 60, 3: 65},
                                        {0: 48, 1: 52},
                                    ),
                                ],
                            },
                        ],
                    ),
                ],
            ),
        ],
    ),
    (
        "Accompagner les parents dans leur rôle éducatif",
        ["parentalite"],
        [
            (
                "Rendre l'offre de soutien à la parentalité lisible et accessible",
                [
                    (
                        "Créer des lieux de rencontre entre parents",
                        [
                            {
                                "title": "Ouverture d'un lieu d'accueil enfants-parents (LAEP)",
                                "fields": ["parentalite", "petite_enfance"],
                                "status": "realisee",
                                "priority": "haute",
                                "pilot": "centre_social",
                                "communes": ["81004"],
                                "budget": [(0, "caf", 15000, 15000), (0, "departement", 5000, 5000)],
                                "indicators": [
                                    (
                                        "Familles accueillies au LAEP",
                                        "familles",
                                        "up",
                                        0,
                                        {0: 40, 1: 60},
                                        {0: 52, 1: 71},
                                    ),
                                ],
                            },
                            {
                                "title": "Cafés des parents dans les écoles",
                                "fields": ["parentalite"],
                                "status": "en_cours",
                                "priority": "moyenne",
                                "pilot": "association",
                                "communes": "all",
                                "budget": [
                                    (0, "caf", 6000, 5200),
                                    (1, "caf", 6000, 5800),
                                    (1, "communes", 2000, 1500),
                                ],
                                "indicators": [
                                    (
                                        "Rencontres organisées par an",
                                        "rencontres",
                                        "up",
                                        4,
                                        {0: 10, 1: 16, 2: 20},
                                        {0: 9, 1: 14},
                                    ),
                                ],
                            },
                        ],
                    ),
                    (
                        "Informer les familles",
                        [
                            {
                                "title": "Guide numérique des services aux familles",
                                "fields": ["parentalite", "acces_droits"],
                                "status": "realisee",
                                "priority": "basse",
                                "pilot": "epci",
                                "communes": "all",
                                "budget": [(0, "epci", 8000, 7400)],
                                "indicators": [
                                    (
                                        "Consultations du guide par an",
                                        "consultations",
                                        "up",
                                        0,
                                        {1: 3000},
                                        {0: 1800, 1: 3400},
                                    ),
                                ],
                            },
                        ],
                    ),
                ],
            ),
        ],
    ),
    (
        "Offrir aux jeunes des espaces d'engagement et d'autonomie",
        ["jeunesse", "enfance"],
        [
            (
                "Structurer une politique jeunesse intercommunale",
                [
                    (
                        "Renforcer l'accueil de loisirs",
                        [
                            {
                                "title": "Harmonisation des tarifs des accueils de loisirs (ALSH)",
                                "fields": ["enfance"],
                                "status": "en_cours",
                                "priority": "moyenne",
                                "pilot": "epci",
                                "communes": "all",
                                "budget": [(1, "caf", 12000, 9000), (1, "epci", 20000, 15000)],
                                "indicators": [
                                    (
                                        "Part des familles au quotient familial le plus bas",
                                        "%",
                                        "up",
                                        18,
                                        {2: 25, 3: 28},
                                        {1: 21},
                                    ),
                                ],
                            },
                            {
                                "title": "Accueil des 11-14 ans le mercredi après-midi",
                                "fields": ["jeunesse"],
                                "status": "en_pause",
                                "priority": "basse",
                                "pilot": "commune",
                                "communes": ["81004", "81257"],
                                "budget": [(1, "caf", 8000, 2000)],
                                "indicators": [
                                    ("Jeunes inscrits", "jeunes", "up", 0, {1: 30, 2: 45}, {1: 12}),
                                ],
                            },
                        ],
                    ),
                    (
                        "Favoriser l'engagement des jeunes",
                        [
                            {
                                "title": "Conseil intercommunal des jeunes",
                                "fields": ["jeunesse"],
                                "status": "en_cours",
                                "priority": "moyenne",
                                "pilot": "epci",
                                "communes": "all",
                                "budget": [
                                    (0, "epci", 5000, 4300),
                                    (1, "epci", 5000, 4800),
                                    (1, "etat", 2000, 2000),
                                ],
                                "indicators": [
                                    (
                                        "Projets portés par des jeunes",
                                        "projets",
                                        "up",
                                        0,
                                        {0: 2, 1: 4, 2: 6},
                                        {0: 3, 1: 4},
                                    ),
                                ],
                            },
                        ],
                    ),
                ],
            ),
        ],
    ),
    (
        "Faciliter l'accès aux droits et lutter contre l'isolement",
        ["acces_droits", "animation_vie_sociale"],
        [
            (
                "Rapprocher les services des habitants",
                [
                    (
                        "Développer l'animation de la vie sociale",
                        [
                            {
                                "title": "Création d'un espace de vie sociale en milieu rural",
                                "fields": ["animation_vie_sociale"],
                                "status": "a_venir",
                                "priority": "haute",
                                "pilot": "association",
                                "communes": ["81052", "81059"],
                                "budget": [(2, "caf", 25000, 0), (2, "departement", 10000, 0)],
                                "indicators": [
                                    (
                                        "Habitants participant aux activités",
                                        "habitants",
                                        "up",
                                        0,
                                        {2: 150, 3: 250},
                                        {},
                                    ),
                                ],
                            },
                            {
                                "title": "Permanences d'accès aux droits itinérantes",
                                "fields": ["acces_droits"],
                                "status": "en_cours",
                                "priority": "haute",
                                "pilot": "centre_social",
                                "communes": "all",
                                "budget": [
                                    (0, "caf", 10000, 10000),
                                    (0, "msa", 4000, 4000),
                                    (1, "caf", 10000, 8500),
                                    (1, "departement", 6000, 6000),
                                ],
                                "indicators": [
                                    (
                                        "Taux de non-recours estimé",
                                        "%",
                                        "down",
                                        30,
                                        {1: 25, 3: 18},
                                        {0: 28, 1: 27},
                                    ),
                                ],
                            },
                            {
                                "title": "Ateliers numériques pour les familles",
                                "fields": ["acces_droits"],
                                "status": "abandonnee",
                                "priority": "basse",
                                "pilot": "association",
                                "communes": ["81004"],
                                "budget": [(0, "caf", 3000, 800)],
                                "indicators": [],
                            },
                        ],
                    ),
                ],
            ),
        ],
    ),
]

BILAN_FIRST_YEAR = (
    "Première année de la convention : ouverture du LAEP au centre social (52 familles accueillies), "
    "lancement du relais petite enfance itinérant, mise en ligne du guide des services aux familles. "
    "Le projet d'accueil des 11-14 ans est suspendu faute d'animateur. (Bilan fictif de démonstration.)"
)
