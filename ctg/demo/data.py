"""The demo: a real EPCI of the référentiel, with fictitious people, partners and dossier."""

DEMO_PASSWORD = "demo-ctg-2026"
DEMO_EPCI_SIREN = "248100737"  # CA de l'Albigeois (C2A), Tarn
DEMO_CAF_DEPARTEMENT = "81"
DEMO_REFERENT_COMMUNE = "81004"  # Albi

# email, first name, last name, job title, organisation key, role in the dossier (None: through the CAF)
DEMO_USERS = [
    ("pilote.caf@demo.invalid", "Claire", "Martin", "Conseillère territoriale (fictive)", "caf", None),
    (
        "coordination@demo.invalid",
        "Karim",
        "Benali",
        "Chargé de coopération CTG (fictif)",
        "epci",
        "coordination",
    ),
    (
        "referent.commune@demo.invalid",
        "Sophie",
        "Durand",
        "Référente CTG de la commune (fictive)",
        "commune",
        "referent_communal",
    ),
    (
        "partenaire@demo.invalid",
        "Luc",
        "Moreau",
        "Chef de service enfance-famille (fictif)",
        "departement",
        "partenaire",
    ),
    ("elu@demo.invalid", "Hélène", "Rossi", "Vice-présidente enfance-jeunesse (fictive)", "epci", "lecture"),
]
DEMO_ADMIN = ("admin@demo.invalid", "Admin", "Démo")
