"""The catalogue of the funding parameters and the public values shipped with the platform (issue 14).

Contract:
- every figure shipped here MUST come from a public source named in `SOURCES` (title and address), shown on
  screen beside the value; a figure no public source confirms MUST ship empty (`None`): the simulation then
  says that the CAF has to give it (« valeur à renseigner par la CAF ») rather than guessing;
- the values are by year (`PublicValue.first_year` … `last_year`); a CAF's own table
  (`ctg.funding.models.ParameterVersion`, written by `services.parameter_set`) overrides them year by year;
- this module is pure (no ORM): the rules and the simulation read it through `public_parameters(year)`.
"""

from dataclasses import dataclass
from decimal import Decimal

YEAR_MIN = 2015
YEAR_MAX = 2035

PUBLIC_ORIGIN = "valeur publique"
CAF_ORIGIN = "valeur de la CAF"
MISSING_ORIGIN = "valeur à renseigner par la CAF"


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    unit: str  # shown after the value: "€ par place et par an", "%", "€ par heure"…
    help: str
    kind: str = "amount"  # "amount" (≥ 0, €), "percent" (0–100), "rate" (≥ 0, € per hour)


@dataclass(frozen=True)
class PublicValue:
    first_year: int
    last_year: int
    value: Decimal | None
    source: Source


@dataclass(frozen=True)
class Effective:
    """The value of a parameter for a year, and where it comes from."""

    key: str
    value: Decimal | None
    origin: str  # PUBLIC_ORIGIN, CAF_ORIGIN or MISSING_ORIGIN
    detail: str  # the source's title, or who set it and when
    url: str = ""

    @property
    def label(self) -> str:
        return PARAMETERS[self.key].label

    @property
    def origin_text(self) -> str:
        return f"{self.origin} — {self.detail}" if self.detail else self.origin

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "value": self.value, "origin": self.origin_text}


# The public sources relied on (their titles are shown beside the values).
CIRCULAR_2020 = Source(
    "Lettre circulaire Cnaf du 16 janvier 2020 : déploiement des Conventions territoriales globales (Ctg) et "
    "des nouvelles modalités de financement en remplacement des Contrats enfance jeunesse (Cej)",
    "https://vdocuments.fr/paris-le-16-janvier-entre-les-caf-et-les-collectivits-territoriales-et-favoriser.html",
)
CAF71_BONUS = Source(
    "Caf de Saône-et-Loire, « Bonus territoire et Contrat territorial réservataire EAJE » (caf.fr)",
    "https://www.caf.fr/professionnels/offres-et-services/caf-de-saone-et-loire/partenaires-locaux/"
    "accueil-de-la-petite-enfance/bonus-territoire-et-contrat-territorial-reservataire-eaje",
)
CAF06_TRAJECTOIRE = Source(
    "Caf des Alpes-Maritimes, newsletter partenaires n° 24 (janvier 2026), « Bonus trajectoire de "
    "développement » (caf.fr)",
    "https://www.caf.fr/professionnels/offres-et-services/caf-des-alpes-maritimes/partenaires-locaux/"
    "newsletter-familles-et-territoires/newsletter-partenaires-ndeg24-janvier-2026/"
    "bonus-trajectoire-de-developpement-un-financement-supplementaire-au-service-du-developpement-de-l",
)
BONUS_2018 = Source(
    "Lettre circulaire Cnaf du 21 novembre 2018 sur les bonus « inclusion handicap » et « mixité sociale », "
    "présentée par l'Unccas, « Crèches : bonus inclusion handicap et mixité sociale » (29 novembre 2018)",
    "https://www.unccas.org/creches-bonus-inclusion-handicap-et-mixite-sociale",
)
HANDICAP_2018 = Source(
    "Conseil d'administration de la Cnaf, modalités du bonus « inclusion handicap » (communiqué du 2 octobre "
    "2018), présentées par Les Pros de la petite enfance",
    "https://lesprosdelapetiteenfance.fr/la-cnaf-adopte-les-modalites-des-bonus-handicap-et-mixite-sociale-sociale",
)
DEFAULT_COST = Source(
    "Valeur par défaut de la simulation (issue 14), sans source publique qui la confirme ; pour comparaison, "
    "l'Observatoire national de la petite enfance donnait 14 740 € par place en 2015 "
    "(La Gazette des communes)",
    "https://www.lagazettedescommunes.com/520872/creches-financierement-les-collectivites-ne-se-penchent-pas-"
    "sur-les-berceaux/",
)
NO_SOURCE = Source("Aucune source publique ne confirme ce montant : la CAF le renseigne", "")

EACH_PLACE = "€ par place et par an"

PARAMETERS: dict[str, Parameter] = {
    p.key: p
    for p in [
        Parameter(
            "eaje_new_place_tranche_1",
            "Bonus territoire, places nouvelles d'EAJE, tranche 1 (QPV, ZRR, territoires les moins riches)",
            EACH_PLACE,
            "Montant forfaitaire par place nouvelle ; le maximum, pour les quartiers prioritaires de la "
            "politique de la ville et les zones de revitalisation rurale.",
        ),
        Parameter(
            "eaje_new_place_tranche_2",
            "Bonus territoire, places nouvelles d'EAJE, tranche 2 (intermédiaire)",
            EACH_PLACE,
            "Le montant de la tranche intermédiaire n'est confirmé par aucune source publique : la CAF le "
            "renseigne.",
        ),
        Parameter(
            "eaje_new_place_tranche_3",
            "Bonus territoire, places nouvelles d'EAJE, tranche 3 (territoires les plus riches)",
            EACH_PLACE,
            "Selon le potentiel financier et le niveau de vie par habitant du territoire.",
        ),
        Parameter(
            "eaje_existing_floor",
            "Bonus territoire, places existantes : montant plancher par place",
            EACH_PLACE,
            "Les places existantes reprennent l'ancien montant du contrat enfance jeunesse lissé par place ; "
            "un plancher s'applique au besoin. Montant non publié : la CAF le renseigne.",
        ),
        Parameter(
            "eaje_existing_revaluation",
            "Bonus territoire, places existantes : revalorisation de l'année",
            "%",
            "Revalorisation annuelle prévue sur 2025-2027, appliquée au montant lissé par place. Taux non "
            "publié : la CAF le renseigne.",
            kind="percent",
        ),
        Parameter(
            "trajectoire_threshold_1",
            "Bonus trajectoire : progression minimale des places cofinancées, palier 1",
            "%",
            "Progression des places cofinancées entre 2023 et 2027.",
            kind="percent",
        ),
        Parameter("trajectoire_threshold_2", "Bonus trajectoire : palier 2", "%", "", kind="percent"),
        Parameter("trajectoire_threshold_3", "Bonus trajectoire : palier 3", "%", "", kind="percent"),
        Parameter(
            "trajectoire_amount_1",
            "Bonus trajectoire : montant du palier 1",
            EACH_PLACE,
            "Par place bénéficiant de la PSU et du bonus territoire.",
        ),
        Parameter("trajectoire_amount_2", "Bonus trajectoire : montant du palier 2", EACH_PLACE, ""),
        Parameter("trajectoire_amount_3", "Bonus trajectoire : montant du palier 3", EACH_PLACE, ""),
        Parameter(
            "mixite_threshold_1",
            "Bonus mixité sociale : participation familiale moyenne, seuil 1",
            "€ par heure",
            "Participation moyenne des familles par heure facturée.",
            kind="rate",
        ),
        Parameter("mixite_threshold_2", "Bonus mixité sociale : seuil 2", "€ par heure", "", kind="rate"),
        Parameter("mixite_threshold_3", "Bonus mixité sociale : seuil 3", "€ par heure", "", kind="rate"),
        Parameter("mixite_amount_1", "Bonus mixité sociale : montant jusqu'au seuil 1", EACH_PLACE, ""),
        Parameter("mixite_amount_2", "Bonus mixité sociale : montant jusqu'au seuil 2", EACH_PLACE, ""),
        Parameter("mixite_amount_3", "Bonus mixité sociale : montant jusqu'au seuil 3", EACH_PLACE, ""),
        Parameter(
            "handicap_share_threshold_1",
            "Bonus inclusion handicap : part d'enfants en situation de handicap, seuil 1",
            "%",
            "En dessous de ce seuil (et dès le premier enfant), le taux 1 s'applique.",
            kind="percent",
        ),
        Parameter(
            "handicap_share_threshold_2",
            "Bonus inclusion handicap : seuil 2",
            "%",
            "Jusqu'à ce seuil, le taux 2 ; au-delà, le taux 3.",
            kind="percent",
        ),
        Parameter(
            "handicap_rate_1",
            "Bonus inclusion handicap : taux 1 du prix de revient par place",
            "%",
            "",
            kind="percent",
        ),
        Parameter("handicap_rate_2", "Bonus inclusion handicap : taux 2", "%", "", kind="percent"),
        Parameter("handicap_rate_3", "Bonus inclusion handicap : taux 3", "%", "", kind="percent"),
        Parameter("handicap_cap", "Bonus inclusion handicap : plafond par place", EACH_PLACE, ""),
        Parameter(
            "ctre_place",
            "Contrat territorial réservataire (CTRE) : montant par place réservée nouvelle",
            EACH_PLACE,
            "Montant forfaitaire unique pour les places réservées par des employeurs.",
        ),
        Parameter(
            "alsh_new_hours_cap",
            "ALSH : heures nouvelles éligibles, au plus en part des heures contractualisées",
            "%",
            "",
            kind="percent",
        ),
        Parameter(
            "coordination_rate",
            "Poste de coordination : taux de financement du coût du poste",
            "%",
            "Aucun taux national confirmé : la CAF le renseigne.",
            kind="percent",
        ),
        Parameter(
            "coordination_ceiling",
            "Poste de coordination : plafond par équivalent temps plein",
            "€ par ETP et par an",
            "Aucun plafond national confirmé : la CAF le renseigne.",
        ),
        Parameter(
            "eaje_cost_per_place",
            "Coût de fonctionnement d'une place d'EAJE",
            EACH_PLACE,
            "Sert au reste à charge de la collectivité quand le coût réel n'est pas donné.",
        ),
    ]
}


def _v(first, last, value, source) -> PublicValue:
    return PublicValue(first, last, None if value is None else Decimal(value), source)


PUBLIC_VALUES: dict[str, list[PublicValue]] = {
    "eaje_new_place_tranche_1": [
        _v(2020, 2020, "3100", CIRCULAR_2020),
        _v(2021, YEAR_MAX, "3600", CAF71_BONUS),
    ],
    "eaje_new_place_tranche_2": [_v(2020, YEAR_MAX, None, NO_SOURCE)],
    "eaje_new_place_tranche_3": [
        _v(2020, 2020, "2100", CIRCULAR_2020),
        _v(2021, YEAR_MAX, "2600", CAF71_BONUS),
    ],
    "eaje_existing_floor": [_v(2020, YEAR_MAX, None, CAF71_BONUS)],
    "eaje_existing_revaluation": [_v(2025, 2027, None, CAF71_BONUS)],
    "trajectoire_threshold_1": [_v(2025, YEAR_MAX, "4", CAF06_TRAJECTOIRE)],
    "trajectoire_threshold_2": [_v(2025, YEAR_MAX, "8", CAF06_TRAJECTOIRE)],
    "trajectoire_threshold_3": [_v(2025, YEAR_MAX, "12", CAF06_TRAJECTOIRE)],
    "trajectoire_amount_1": [_v(2025, YEAR_MAX, "100", CAF06_TRAJECTOIRE)],
    "trajectoire_amount_2": [_v(2025, YEAR_MAX, "200", CAF06_TRAJECTOIRE)],
    "trajectoire_amount_3": [_v(2025, YEAR_MAX, "300", CAF06_TRAJECTOIRE)],
    "mixite_threshold_1": [_v(2019, YEAR_MAX, "0.75", BONUS_2018)],
    "mixite_threshold_2": [_v(2019, YEAR_MAX, "1", BONUS_2018)],
    "mixite_threshold_3": [_v(2019, YEAR_MAX, "1.25", BONUS_2018)],
    "mixite_amount_1": [_v(2019, YEAR_MAX, "2100", BONUS_2018)],
    "mixite_amount_2": [_v(2019, YEAR_MAX, "800", BONUS_2018)],
    "mixite_amount_3": [_v(2019, YEAR_MAX, "300", BONUS_2018)],
    "handicap_share_threshold_1": [_v(2019, YEAR_MAX, "5", HANDICAP_2018)],
    "handicap_share_threshold_2": [_v(2019, YEAR_MAX, "7.5", HANDICAP_2018)],
    "handicap_rate_1": [_v(2019, YEAR_MAX, "15", BONUS_2018)],
    "handicap_rate_2": [_v(2019, YEAR_MAX, "30", BONUS_2018)],
    "handicap_rate_3": [_v(2019, YEAR_MAX, "45", BONUS_2018)],
    "handicap_cap": [_v(2019, YEAR_MAX, "1300", BONUS_2018)],
    "ctre_place": [_v(2025, 2025, "2800", CAF71_BONUS)],
    "alsh_new_hours_cap": [_v(2020, YEAR_MAX, "25", CIRCULAR_2020)],
    "coordination_rate": [_v(2020, YEAR_MAX, None, NO_SOURCE)],
    "coordination_ceiling": [_v(2020, YEAR_MAX, None, NO_SOURCE)],
    "eaje_cost_per_place": [_v(YEAR_MIN, YEAR_MAX, "16000", DEFAULT_COST)],
}


def public_value(key: str, year: int) -> PublicValue | None:
    """The public value of `key` in force in `year` (its value may be None: shipped empty), or None when no
    public value covers that year."""
    for entry in PUBLIC_VALUES.get(key, []):
        if entry.first_year <= year <= entry.last_year:
            return entry
    return None


def public_effective(key: str, year: int) -> Effective:
    entry = public_value(key, year)
    if entry is None:
        return Effective(key, None, MISSING_ORIGIN, f"aucune valeur publique pour {year}")
    if entry.value is None:
        return Effective(key, None, MISSING_ORIGIN, entry.source.title, entry.source.url)
    return Effective(key, entry.value, PUBLIC_ORIGIN, entry.source.title, entry.source.url)


def public_parameters(year: int) -> dict[str, Effective]:
    """Every parameter's public value for `year` (those without one: value None, « à renseigner »)."""
    return {key: public_effective(key, year) for key in PARAMETERS}


def unit_of(key: str) -> str:
    return PARAMETERS[key].unit
