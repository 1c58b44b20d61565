"""Our own typology of the family and social services of a territory, for the offer of services (issue 12).

Each type has a stable code (stored on `Structure.type`), a French label, the CTG field it serves (the
`Field` choices of the conventions, so that needs and offer meet on the same thématiques), and where one
exists its codes in two outside nomenclatures:

* `bpe`: the Insee « base permanente des équipements » equipment types (`TYPEQU`, one letter and three
  digits). Only the codes attested in the project's material are given: D502 (établissement d'accueil du jeune
  enfant, the BPE type of the portrait, `ctg.diagnostics.catalogue.BPE_TYPES`) and C107 (école maternelle,
  in the BPE importer's tests). The BPE counts every EAJE under D502, without telling a crèche from a
  micro-crèche. Other types (France Services, centres sociaux, bibliothèques…) have BPE codes too, but the
  BPE dictionary is not among the files of ../shared/data: they are left empty until checked against it,
  rather than guessed.
* `data_inclusion`: the data·inclusion networks that carry such a structure (`reseaux_porteurs`, enum
  `ReseauPorteur` of the data-inclusion-schema 1.x, which has no `typologie` any more). Centres sociaux and
  EVS: the network of the centres sociaux (`fcsf`). data·inclusion has no network for EAJE, RPE, LAEP, ALSH,
  PMI, schools nor libraries.

The typology only grows: a code, once stored, is never renamed nor removed (a structure keeps its type).
"""

from dataclasses import dataclass

from ctg.conventions.models import Field


@dataclass(frozen=True)
class OfferType:
    code: str
    label: str
    field: Field
    bpe: tuple[str, ...] = ()
    data_inclusion: tuple[str, ...] = ()
    # Counted per commune (the assistantes maternelles) rather than listed one by one.
    counted: bool = False


TYPES: tuple[OfferType, ...] = (
    # Petite enfance
    # The BPE counts every EAJE under D502 (« établissement d'accueil du jeune enfant », the type of the
    # portrait, `ctg.diagnostics.catalogue.BPE_TYPES`): its rows come in as this type, whose kind is unknown.
    OfferType("eaje", "EAJE (type non précisé)", Field.PETITE_ENFANCE, bpe=("D502",)),
    OfferType("eaje_creche", "EAJE – crèche collective", Field.PETITE_ENFANCE, bpe=("D502",)),
    OfferType("eaje_micro_creche", "EAJE – micro-crèche", Field.PETITE_ENFANCE, bpe=("D502",)),
    OfferType("eaje_multi_accueil", "EAJE – multi-accueil", Field.PETITE_ENFANCE, bpe=("D502",)),
    OfferType("eaje_creche_familiale", "EAJE – crèche familiale", Field.PETITE_ENFANCE, bpe=("D502",)),
    OfferType("mam", "Maison d'assistants maternels (MAM)", Field.PETITE_ENFANCE),
    OfferType(
        "assistantes_maternelles",
        "Assistantes maternelles (nombre par commune)",
        Field.PETITE_ENFANCE,
        counted=True,
    ),
    OfferType("rpe", "Relais petite enfance (RPE)", Field.PETITE_ENFANCE),
    # Enfance
    OfferType("alsh", "Accueil de loisirs sans hébergement (ALSH)", Field.ENFANCE),
    OfferType("ecole_maternelle", "École maternelle", Field.ENFANCE, bpe=("C107",)),
    OfferType("ecole_elementaire", "École élémentaire ou primaire", Field.ENFANCE),
    # Jeunesse
    OfferType("accueil_jeunes", "Accueil de jeunes", Field.JEUNESSE),
    OfferType(
        "pij",
        "Point ou bureau information jeunesse (PIJ, BIJ)",
        Field.JEUNESSE,
        data_inclusion=("reseau-information-jeunesse",),
    ),
    OfferType("mission_locale", "Mission locale", Field.JEUNESSE, data_inclusion=("mission-locale",)),
    OfferType("mjc", "Maison des jeunes et de la culture (MJC)", Field.JEUNESSE, data_inclusion=("mjc",)),
    # Parentalité
    OfferType("laep", "Lieu d'accueil enfants-parents (LAEP)", Field.PARENTALITE),
    OfferType("mediation_familiale", "Service de médiation familiale", Field.PARENTALITE),
    OfferType("pmi", "Centre de protection maternelle et infantile (PMI)", Field.PARENTALITE),
    # Animation de la vie sociale
    OfferType("centre_social", "Centre social", Field.ANIMATION_VIE_SOCIALE, data_inclusion=("fcsf",)),
    OfferType("evs", "Espace de vie sociale (EVS)", Field.ANIMATION_VIE_SOCIALE, data_inclusion=("fcsf",)),
    OfferType("bibliotheque", "Bibliothèque, médiathèque", Field.ANIMATION_VIE_SOCIALE),
    # Accès aux droits et numérique
    OfferType("france_services", "France Services", Field.ACCES_DROITS, data_inclusion=("france-service",)),
    OfferType(
        "ccas", "Centre communal d'action sociale (CCAS)", Field.ACCES_DROITS, data_inclusion=("ccas-cias",)
    ),
    OfferType(
        "cias",
        "Centre intercommunal d'action sociale (CIAS)",
        Field.ACCES_DROITS,
        data_inclusion=("ccas-cias",),
    ),
    OfferType(
        "point_acces_droit", "Point d'accès au droit", Field.ACCES_DROITS, data_inclusion=("points-justice",)
    ),
    OfferType(
        "espace_numerique",
        "Espace public numérique",
        Field.ACCES_DROITS,
        data_inclusion=("espaces-publics-numeriques",),
    ),
    # Logement
    OfferType(
        "fjt",
        "Résidence sociale, foyer de jeunes travailleurs",
        Field.LOGEMENT,
        data_inclusion=("residences-fjt",),
    ),
    # Handicap
    OfferType(
        "mdph",
        "Maison départementale des personnes handicapées (MDPH)",
        Field.HANDICAP,
        data_inclusion=("mdph",),
    ),
)

BY_CODE: dict[str, OfferType] = {item.code: item for item in TYPES}
assert len(BY_CODE) == len(TYPES), "code de type en double dans la typologie de l'offre"


def choices() -> list[tuple[str, str]]:
    return [(item.code, item.label) for item in TYPES]


def of_field(field: str) -> list[OfferType]:
    """The types that serve a CTG field (a `Field` value)."""
    return [item for item in TYPES if item.field == field]


def by_bpe(code: str) -> list[OfferType]:
    """Our types that a BPE `TYPEQU` code may stand for (D502: every kind of EAJE)."""
    return [item for item in TYPES if code in item.bpe]


def bpe_codes() -> list[str]:
    """Every BPE `TYPEQU` code mapped to one of our types."""
    return sorted({code for item in TYPES for code in item.bpe})


def bpe_import_type(code: str) -> OfferType | None:
    """The type a BPE row of `code` is imported as: the only type of the code, else the one whose label says
    the kind is not known (D502 → « EAJE (type non précisé) »); None for a code not mapped."""
    candidates = by_bpe(code)
    if len(candidates) > 1:
        candidates = [item for item in candidates if "non précisé" in item.label]
    return candidates[0] if len(candidates) == 1 else None


def by_data_inclusion(code: str) -> list[OfferType]:
    """Our types that a data·inclusion structure typology code stands for."""
    return [item for item in TYPES if code in item.data_inclusion]
