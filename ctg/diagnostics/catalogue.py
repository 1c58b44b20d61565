"""The indicator catalogue of the portrait social de territoire (../shared/docs/indicators.md), as data.

The ids, labels, units and formulas are a contract: the CLI's JSON, the exports and the plan's indicators
refer to them. Column names are templates: `{yy}` is the two-digit vintage of the dataset
(P{yy}_POP0014 → P22_POP0014).
"""

from dataclasses import dataclass, field

from django.db import models


class Theme(models.TextChoices):
    DEMOGRAPHIE = "demographie", "Démographie"
    FAMILLES = "familles", "Familles"
    PETITE_ENFANCE = "petite_enfance", "Petite enfance"
    JEUNESSE = "jeunesse", "Jeunesse"
    REVENUS = "revenus_pauvrete", "Revenus et pauvreté"
    ALLOCATAIRES = "allocataires_caf", "Allocataires CAF"
    EMPLOI = "emploi", "Emploi"
    EQUIPEMENTS = "equipements", "Équipements"


class Kind(models.TextChoices):
    COUNT = "count", "effectif (somme des communes)"
    RATE = "rate", "taux (numérateur et dénominateur sommés)"
    EVOLUTION = "evolution", "évolution annuelle moyenne"
    NOT_AGGREGATABLE = "not_aggregatable", "médiane ou taux publié (ne s'agrège pas)"
    DERIVED = "derived", "rapport de deux indicateurs du portrait"


RP = "rp_dossier_complet"
FILOSOFI = "filosofi_com"
CAF = "caf_iris"
CHILDCARE = "caf_txcouv_com"
CHILDCARE_EPCI = "caf_txcouv_epci"
CHILDCARE_DEP = "caf_txcouv_dep"
BPE = "bpe"
CAF_COMMUNE = "caf_commune"
FILOSOFI_IRIS = "filosofi_iris"

SOURCES = {
    RP: "Insee, recensement de la population (RP {year})",
    FILOSOFI: "Insee-DGFiP-Cnaf-Cnav-CCMSA, FiLoSoFi {year}",
    CAF: "Insee-Cnaf, allocataires CAF au 31/12/{year}",
    CHILDCARE: "Cnaf, taux de couverture de l'accueil du jeune enfant {year} (data.caf.fr)",
    CHILDCARE_EPCI: "Cnaf, taux de couverture de l'accueil du jeune enfant {year} (data.caf.fr)",
    CHILDCARE_DEP: "Cnaf, taux de couverture de l'accueil du jeune enfant {year} (data.caf.fr)",
    BPE: "Insee, base permanente des équipements (BPE {year})",
    CAF_COMMUNE: "Cnaf, base communale des allocataires au 31/12/{year} (data.caf.fr)",
    FILOSOFI_IRIS: "Insee-DGFiP-Cnaf-Cnav-CCMSA, FiLoSoFi {year}, IRIS, revenus déclarés",
}

# The datasets as the portrait names them (« Données utilisées »): one per kind of the store
# (`DatasetImport.Kind`), so that a page never shows a raw key.
DATASET_LABELS = {
    RP: "Recensement de la population (dossier complet)",
    FILOSOFI: "FiLoSoFi (revenus et pauvreté)",
    CAF: "Allocataires CAF",
    CHILDCARE: "Accueil du jeune enfant (taux de couverture des communes)",
    CHILDCARE_EPCI: "Accueil du jeune enfant (taux de couverture des intercommunalités)",
    CHILDCARE_DEP: "Accueil du jeune enfant (taux de couverture des départements)",
    BPE: "Base permanente des équipements",
    CAF_COMMUNE: "Allocataires CAF (données communales)",
    FILOSOFI_IRIS: "FiLoSoFi par IRIS (revenus déclarés)",
}


def dataset_label(kind: str) -> str:
    return DATASET_LABELS[kind]


AGE_BANDS = (
    "P{yy}_POP0014",
    "P{yy}_POP1529",
    "P{yy}_POP3044",
    "P{yy}_POP4559",
    "P{yy}_POP6074",
    "P{yy}_POP7589",
    "P{yy}_POP90P",
)
# Population: Pyy_POP, or the sum of the age bands when the file has no Pyy_POP.
POPULATION = (("P{yy}_POP",), AGE_BANDS)


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    theme: str
    unit: str
    dataset: str
    kind: str
    # Alternatives: the first whose columns all exist in the dataset wins; each is a tuple of summed columns.
    numerator: tuple[tuple[str, ...], ...]
    denominator: tuple[tuple[str, ...], ...] = ()
    scale: float = 100.0
    definition: str = ""
    # For comparisons (points of attention): is a higher value rather a concern, an asset, or neither?
    higher_is: str = "neutre"
    decimals: int = 1
    years_back: tuple[int, ...] = field(default=())  # EVOLUTION: the older vintages to try, most wanted first
    # When `dataset` has no vintage in the store: another dataset and its columns ({yyyy}: any year present).
    fallback: tuple[str, tuple[tuple[str, ...], ...]] | None = None
    # The fallback file only carries figures of the primary source (BPE columns of the dossier complet).
    fallback_keeps_source: bool = False
    # Official figures published for an upper level (never rebuilt from communes): territory kind → (dataset,
    # summed columns).
    levels: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    # DERIVED: numerator indicator id / denominator indicator id × scale.
    derived_from: tuple[str, str] | None = None

    @property
    def source_template(self) -> str:
        return SOURCES[self.dataset]

    @property
    def is_rate(self) -> bool:
        return self.kind in (Kind.RATE, Kind.EVOLUTION) or (
            self.kind == Kind.NOT_AGGREGATABLE and "%" in self.unit
        )


# A density's unit, written out (never « ‰₀ »).
PER_10000 = "équipements pour 10 000 habitants"
# The units that are counted things, and their singular: « 1 équipement », « 0,5 place », « 2 places ».
UNIT_SINGULARS = {
    "équipements": "équipement",
    "foyers": "foyer",
    "habitants": "habitant",
    "enfants": "enfant",
    "familles": "famille",
    "communes": "commune",
    "ménages": "ménage",
    "personnes": "personne",
    "places": "place",
}


def unit_for(unit: str, value: float | None) -> str:
    """The unit agreeing with the number, as French writes it: singular below 2 (« 1 équipement », « 1,5
    place pour 100 enfants… »), plural from 2 (« 2 équipements »)."""
    first, space, rest = (unit or "").partition(" ")
    if value is not None and abs(value) < 2 and first in UNIT_SINGULARS:
        return UNIT_SINGULARS[first] + space + rest
    return unit


def _c(*columns: str) -> tuple[tuple[str, ...], ...]:
    return (tuple(columns),)


INDICATORS: tuple[Indicator, ...] = (
    # Démographie
    Indicator(
        "population",
        "Population (recensement)",
        Theme.DEMOGRAPHIE,
        "hab.",
        RP,
        Kind.COUNT,
        POPULATION,
        definition="Population municipale du recensement (Pyy_POP, ou somme des tranches d'âge).",
        decimals=0,
    ),
    Indicator(
        "evolution_annuelle_population",
        "Évolution annuelle moyenne de la population",
        Theme.DEMOGRAPHIE,
        "% / an",
        RP,
        Kind.EVOLUTION,
        POPULATION,
        denominator=(("P{xx}_POP",),),
        years_back=(6, 5, 7, 8, 9, 10, 11),
        definition=(
            "((Pyy_POP / Pxx_POP)^(1/(yy-xx)) − 1) × 100, xx = yy − 6 ou le millésime antérieur présent."
        ),
        decimals=2,
    ),
    Indicator(
        "part_moins_15_ans",
        "Part des moins de 15 ans",
        Theme.DEMOGRAPHIE,
        "%",
        RP,
        Kind.RATE,
        _c("P{yy}_POP0014"),
        POPULATION,
        definition="Pyy_POP0014 / population × 100.",
    ),
    Indicator(
        "part_15_29_ans",
        "Part des 15-29 ans",
        Theme.JEUNESSE,
        "%",
        RP,
        Kind.RATE,
        _c("P{yy}_POP1529"),
        POPULATION,
        definition="Pyy_POP1529 / population × 100.",
    ),
    Indicator(
        "part_60_ans_et_plus",
        "Part des 60 ans et plus",
        Theme.DEMOGRAPHIE,
        "%",
        RP,
        Kind.RATE,
        _c("P{yy}_POP6074", "P{yy}_POP7589", "P{yy}_POP90P"),
        POPULATION,
        definition="(Pyy_POP6074 + Pyy_POP7589 + Pyy_POP90P) / population × 100.",
    ),
    Indicator(
        "part_75_ans_et_plus",
        "Part des 75 ans et plus",
        Theme.DEMOGRAPHIE,
        "%",
        RP,
        Kind.RATE,
        _c("P{yy}_POP7589", "P{yy}_POP90P"),
        POPULATION,
        definition="(Pyy_POP7589 + Pyy_POP90P) / population × 100.",
    ),
    Indicator(
        "enfants_moins_3_ans",
        "Enfants de moins de 3 ans",
        Theme.PETITE_ENFANCE,
        "enfants",
        RP,
        Kind.COUNT,
        _c("P{yy}_POP0002"),
        definition="Pyy_POP0002 (fichier détaillé base-cc-evol-struct-pop).",
        decimals=0,
    ),
    Indicator(
        "part_11_17_ans",
        "Part des 11-17 ans",
        Theme.JEUNESSE,
        "%",
        RP,
        Kind.RATE,
        _c("P{yy}_POP1117"),
        POPULATION,
        definition="Pyy_POP1117 / population × 100 (fichier détaillé base-cc-evol-struct-pop).",
    ),
    # Familles
    Indicator(
        "familles_avec_enfants",
        "Familles avec enfant(s) de moins de 25 ans",
        Theme.FAMILLES,
        "familles",
        RP,
        Kind.COUNT,
        _c("C{yy}_COUPAENF", "C{yy}_FAMMONO"),
        definition="Cyy_COUPAENF + Cyy_FAMMONO.",
        decimals=0,
    ),
    Indicator(
        "part_familles_monoparentales",
        "Part des familles monoparentales parmi les familles avec enfant(s)",
        Theme.FAMILLES,
        "%",
        RP,
        Kind.RATE,
        _c("C{yy}_FAMMONO"),
        _c("C{yy}_FAMMONO", "C{yy}_COUPAENF"),
        definition="Cyy_FAMMONO / (Cyy_FAMMONO + Cyy_COUPAENF) × 100.",
        higher_is="vigilance",
    ),
    Indicator(
        "menages_une_personne",
        "Ménages d'une personne",
        Theme.FAMILLES,
        "ménages",
        RP,
        Kind.COUNT,
        _c("C{yy}_MENPSEUL"),
        definition="Cyy_MENPSEUL.",
        decimals=0,
    ),
    # Emploi
    Indicator(
        "taux_chomage_15_64",
        "Taux de chômage des 15-64 ans (au sens du recensement)",
        Theme.EMPLOI,
        "%",
        RP,
        Kind.RATE,
        _c("P{yy}_CHOM1524", "P{yy}_CHOM2554", "P{yy}_CHOM5564"),
        _c("P{yy}_ACT1524", "P{yy}_ACT2554", "P{yy}_ACT5564"),
        definition=(
            "(Pyy_CHOM1524 + Pyy_CHOM2554 + Pyy_CHOM5564) / (Pyy_ACT1524 + Pyy_ACT2554 + Pyy_ACT5564) × 100."
        ),
        higher_is="vigilance",
    ),
    Indicator(
        "taux_chomage_15_24",
        "Taux de chômage des 15-24 ans",
        Theme.JEUNESSE,
        "%",
        RP,
        Kind.RATE,
        _c("P{yy}_CHOM1524"),
        _c("P{yy}_ACT1524"),
        definition="Pyy_CHOM1524 / Pyy_ACT1524 × 100.",
        higher_is="vigilance",
    ),
    # Revenus et pauvreté (FiLoSoFi: never aggregated)
    Indicator(
        "revenu_median_uc",
        "Médiane du revenu disponible par unité de consommation",
        Theme.REVENUS,
        "€",
        FILOSOFI,
        Kind.NOT_AGGREGATABLE,
        _c("MED{yy}"),
        definition="MEDyy.",
        higher_is="atout",
        decimals=0,
    ),
    Indicator(
        "taux_pauvrete",
        "Taux de pauvreté (seuil 60 %)",
        Theme.REVENUS,
        "%",
        FILOSOFI,
        Kind.NOT_AGGREGATABLE,
        _c("TP60{yy}"),
        definition="TP60yy.",
        higher_is="vigilance",
    ),
    Indicator(
        "part_prestations_sociales_revenu",
        "Part des prestations sociales dans le revenu disponible",
        Theme.REVENUS,
        "%",
        FILOSOFI,
        Kind.NOT_AGGREGATABLE,
        _c("PPSOC{yy}"),
        definition="PPSOCyy.",
        higher_is="vigilance",
    ),
    # Allocataires CAF
    Indicator(
        "allocataires",
        "Foyers allocataires",
        Theme.ALLOCATAIRES,
        "foyers",
        CAF,
        Kind.COUNT,
        _c("a"),
        definition="Σ a (foyers percevant au moins une prestation CAF en décembre).",
        decimals=0,
    ),
    Indicator(
        "personnes_couvertes_caf",
        "Personnes couvertes par au moins une prestation CAF",
        Theme.ALLOCATAIRES,
        "personnes",
        CAF_COMMUNE,
        Kind.COUNT,
        _c("NB_Pers_par_Foyer_Alloc"),
        definition=(
            "Personnes couvertes (fichier communal data.caf.fr, toutes les communes), "
            "sinon Σ percou des IRIS (Insee-Cnaf)."
        ),
        decimals=0,
        fallback=(CAF, _c("percou")),
    ),
    Indicator(
        "part_allocataires_monoparents",
        "Part des allocataires monoparents",
        Theme.ALLOCATAIRES,
        "%",
        CAF,
        Kind.RATE,
        _c("am"),
        _c("a"),
        definition="Σ am / Σ a × 100.",
        higher_is="vigilance",
    ),
    Indicator(
        "allocataires_rsa",
        "Allocataires du RSA",
        Theme.ALLOCATAIRES,
        "foyers",
        CAF,
        Kind.COUNT,
        _c("arsas"),
        definition="Σ arsas.",
        decimals=0,
    ),
    Indicator(
        "part_allocataires_rsa",
        "Part des allocataires percevant le RSA",
        Theme.ALLOCATAIRES,
        "%",
        CAF,
        Kind.RATE,
        _c("arsas"),
        _c("a"),
        definition="Σ arsas / Σ a × 100.",
        higher_is="vigilance",
    ),
    Indicator(
        "allocataires_aah",
        "Allocataires de l'AAH",
        Theme.ALLOCATAIRES,
        "foyers",
        CAF,
        Kind.COUNT,
        _c("aaah"),
        definition="Σ aaah.",
        decimals=0,
    ),
    Indicator(
        "allocataires_aide_logement",
        "Allocataires d'une aide au logement",
        Theme.ALLOCATAIRES,
        "foyers",
        CAF,
        Kind.COUNT,
        _c("aal"),
        definition="Σ aal.",
        decimals=0,
    ),
    Indicator(
        "allocataires_prime_activite",
        "Allocataires de la prime d'activité",
        Theme.ALLOCATAIRES,
        "foyers",
        CAF,
        Kind.COUNT,
        _c("appa"),
        definition="Σ appa.",
        decimals=0,
    ),
    # Petite enfance: Cnaf, published per commune (above 10 000 inhabitants), EPCI and département
    Indicator(
        "taux_couverture_accueil_jeune_enfant",
        "Taux de couverture global de l'accueil du jeune enfant",
        Theme.PETITE_ENFANCE,
        "places pour 100 enfants de moins de 3 ans",
        CHILDCARE,
        Kind.NOT_AGGREGATABLE,
        _c("txcouv_com"),
        definition="txcouv publié par la Cnaf pour la commune, l'EPCI ou le département (jamais recalculé).",
        higher_is="atout",
        levels=(("epci", CHILDCARE_EPCI, ("txcouv_epci",)), ("departement", CHILDCARE_DEP, ("txcouv_dep",))),
    ),
    Indicator(
        "places_eaje",
        "Places en établissements d'accueil du jeune enfant",
        Theme.PETITE_ENFANCE,
        "places",
        CHILDCARE,
        Kind.COUNT,
        _c("pl_psu_col_com", "pl_hors_psu_col_com"),
        definition="Places d'accueil collectif (EAJE PSU et hors PSU) publiées par la Cnaf.",
        decimals=0,
        levels=(
            ("epci", CHILDCARE_EPCI, ("pl_psu_col_epci", "pl_hors_psu_col_epci")),
            ("departement", CHILDCARE_DEP, ("pl_psu_col_dep", "pl_hors_psu_col_dep")),
        ),
    ),
)

# BPE equipment types shown in the portrait. The counts come from the BPE file (one row per equipment) or,
# when it is not loaded, from the BPE_yyyy_<type> columns of the census dossier complet.
BPE_TYPES = {
    "D502": "Établissements d'accueil du jeune enfant",
    "C201": "Collèges",
    "C301": "Lycées d'enseignement général et/ou technologique",
    "D307": "Pharmacies",
    "B105": "Supermarchés",
    "B201": "Supérettes",
}


def _bpe_indicators() -> tuple[Indicator, ...]:
    items = []
    for code, label in BPE_TYPES.items():
        items.append(
            Indicator(
                f"equipements_{code}",
                f"{label} (nombre)",
                Theme.EQUIPEMENTS,
                "équipements",
                BPE,
                Kind.COUNT,
                _c(code),
                definition=f"Nombre d'équipements de type {code} (Insee, base permanente des équipements).",
                decimals=0,
                fallback=(RP, ((f"BPE_{{yyyy}}_{code}",),)),
                fallback_keeps_source=True,
            )
        )
        items.append(
            Indicator(
                f"equipements_{code}_pour_10000",
                f"{label} pour 10 000 habitants",
                Theme.EQUIPEMENTS,
                PER_10000,
                BPE,
                Kind.DERIVED,
                (),
                scale=10000.0,
                definition=f"Équipements de type {code} / population × 10 000.",
                higher_is="atout",
                derived_from=(f"equipements_{code}", "population"),
            )
        )
    return tuple(items)


INDICATORS = INDICATORS + _bpe_indicators()
BY_ID = {indicator.id: indicator for indicator in INDICATORS}
THEME_ORDER = list(Theme.values)


def indicator(indicator_id: str) -> Indicator:
    return BY_ID[indicator_id]


def source_label(ind: Indicator, year: int | None, dataset: str | None = None) -> str:
    return SOURCES[dataset or ind.dataset].format(year=year if year else "—")


# The key figures: the commune-by-commune table of an EPCI and the first annex of the convention.
COMMUNE_TABLE_INDICATORS = (
    "population",
    "part_moins_15_ans",
    "part_75_ans_et_plus",
    "part_familles_monoparentales",
    "taux_chomage_15_64",
    "revenu_median_uc",
    "taux_pauvrete",
    "allocataires",
)
