"""The layout of the exchanged plan: the sheets of the workbook and their columns, the keys of the JSON, the
words of the choice columns, the rows as read (`Row`), and the error of a refused file (`PlanImportError`)."""

import unicodedata

from django.core.exceptions import ValidationError

from ctg.plans.models import FicheAction, Funder, IndicatorValue, PlanIndicator

FORMAT = "ctg-plan"
VERSION = 1
SUPPORTED_VERSIONS = (1,)
NO_OBJECTIVE = "0.0"
ALL_COMMUNES = "toutes"
NO_COMMUNE = "aucune"
MIN_YEAR = 1900
MAX_YEAR = 2100


class PlanImportError(ValidationError):
    """The file is refused; `messages` lists every problem found, in French."""


# Sheet → columns: (header, width, required on import).
SHEETS: dict[str, list[tuple[str, int, bool]]] = {
    "Enjeux": [
        ("numéro", 10, True),
        ("intitulé", 45, True),
        ("description", 60, True),
        ("champs", 35, True),
        ("constats", 60, True),
        ("indicateurs du portrait", 30, False),
        # The axes of the CAF's schéma départemental (issue 14): exported to be read, ignored on import (the
        # axes are the CAF's, an imported plan's enjeux are tagged in the platform).
        ("axes du schéma", 40, False),
    ],
    "Objectifs": [
        ("numéro", 10, True),
        ("enjeu", 10, True),
        ("niveau", 15, True),
        ("parent", 10, True),
        ("intitulé", 55, True),
        ("description", 60, False),
    ],
    "Fiches": [
        ("numéro", 12, True),
        ("objectifs", 18, True),
        ("intitulé", 45, True),
        ("champs", 35, True),
        ("contexte", 50, True),
        ("description", 60, True),
        ("public", 35, True),
        ("communes", 30, True),
        ("pilote", 30, True),
        ("personne pilote", 25, True),
        ("partenaires", 40, True),
        ("début", 12, True),
        ("fin", 12, True),
        ("statut", 14, True),
        ("priorité", 12, True),
        ("notes", 40, True),
    ],
    "Étapes": [("fiche", 12, True), ("année", 10, True), ("étape", 80, True)],
    "Budget": [
        ("fiche", 12, True),
        ("année", 10, True),
        ("financeur", 16, True),
        ("prévu", 14, True),
        ("réalisé", 14, True),
    ],
    "Indicateurs": [
        ("fiche", 12, True),
        ("numéro d'indicateur", 12, True),
        ("intitulé", 45, True),
        ("unité", 14, True),
        ("sens", 10, True),
        ("nature", 12, True),
        ("référence", 14, True),
        ("année de référence", 12, True),
        ("indicateur du portrait", 25, True),
        ("territoire", 12, True),
    ],
    "Valeurs": [
        ("fiche", 12, True),
        ("indicateur", 12, True),
        ("année", 10, True),
        ("type", 10, True),
        ("valeur", 14, True),
        ("origine", 18, True),
        ("source", 40, False),
    ],
}
TEXT_COLUMNS = {"numéro", "enjeu", "parent", "objectifs", "fiche", "communes", "territoire", "indicateur"}
DATE_COLUMNS = {"début", "fin"}
AMOUNT_COLUMNS = {"prévu", "réalisé"}

DIRECTION_WORDS = {PlanIndicator.Direction.UP: "hausse", PlanIndicator.Direction.DOWN: "baisse"}
LEVEL_STRATEGIC = "stratégique"
LEVEL_OPERATIONAL = "opérationnel"
CHOICE_LISTS = {
    ("Objectifs", "niveau"): [LEVEL_STRATEGIC, LEVEL_OPERATIONAL],
    ("Fiches", "statut"): FicheAction.Status.labels,
    ("Fiches", "priorité"): FicheAction.Priority.labels,
    ("Budget", "financeur"): Funder.labels,
    ("Indicateurs", "sens"): list(DIRECTION_WORDS.values()),
    ("Indicateurs", "nature"): PlanIndicator.Nature.labels,
    ("Valeurs", "type"): [label.lower() for label in IndicatorValue.Kind.labels],
    ("Valeurs", "origine"): [label.lower() for label in IndicatorValue.Origin.labels],
}
NOTICE = [
    "Plan d'action de la CTG : mode d'emploi du classeur",
    "Une feuille par table ; la première ligne (les en-têtes) ne doit pas être modifiée. Les autres "
    "feuilles que celles-ci sont ignorées à l'import.",
    "Numéros : enjeu « 1 », objectif stratégique « 1.2 » (enjeu 1), objectif opérationnel « 1.2.1 » (parent "
    "1.2), fiche « 1.2.3 » (3e fiche de l'objectif stratégique 1.2, qui commence par l'objectif stratégique "
    "d'un de ses objectifs opérationnels). Les lignes se désignent par ces numéros ; à l'import, le plan est "
    "renuméroté dans l'ordre des numéros.",
    "Listes (champs, objectifs, communes, partenaires) : valeurs séparées par « ; ». Une fiche se rattache à "
    "au moins un objectif opérationnel et concerne au moins une commune (codes Insee), ou « toutes ».",
    "Pilote et partenaires : nom exact d'une organisation connue de la plateforme ; sinon elle est créée "
    "(type « Autre partenaire »).",
    "Dates au format JJ/MM/AAAA, comprises dans la période de la CTG, comme les années des étapes, du budget "
    "et des valeurs saisies ; montants en euros, positifs ou nuls. Statut, priorité, financeur, sens, "
    "nature, type et origine : une des valeurs proposées dans la cellule.",
    "L'import ne remplit qu'un plan vide. Le classeur est vérifié en entier : au moindre problème, rien "
    "n'est enregistré et chaque problème est signalé avec sa feuille, sa ligne et sa colonne.",
]

# For the JSON import: sheet → (column, key) of the JSON export.
JSON_KEYS: dict[str, list[tuple[str, str]]] = {
    "Enjeux": [
        ("numéro", "number"),
        ("intitulé", "title"),
        ("description", "description"),
        ("champs", "fields"),
        ("constats", "findings"),
        ("indicateurs du portrait", "attention_indicators"),
    ],
    "Objectifs": [("numéro", "number"), ("intitulé", "title"), ("description", "description")],
    "Fiches": [
        ("numéro", "number"),
        ("objectifs", "objectives"),
        ("intitulé", "title"),
        ("champs", "fields"),
        ("contexte", "context"),
        ("description", "description"),
        ("public", "target_public"),
        ("communes", "communes"),
        ("pilote", "pilot_organisation"),
        ("personne pilote", "pilot_person"),
        ("partenaires", "partners"),
        ("début", "start_date"),
        ("fin", "end_date"),
        ("statut", "status"),
        ("priorité", "priority"),
        ("notes", "notes"),
    ],
    "Étapes": [("année", "year"), ("étape", "description")],
    "Budget": [("année", "year"), ("financeur", "funder"), ("prévu", "planned"), ("réalisé", "spent")],
    "Indicateurs": [
        ("numéro d'indicateur", "number"),
        ("intitulé", "label"),
        ("unité", "unit"),
        ("sens", "direction"),
        ("nature", "nature"),
        ("référence", "baseline_value"),
        ("année de référence", "baseline_year"),
        ("indicateur du portrait", "portrait_indicator"),
        ("territoire", "territory_code"),
    ],
    "Valeurs": [
        ("année", "year"),
        ("type", "kind"),
        ("valeur", "value"),
        ("origine", "origin"),
        ("source", "source"),
    ],
}


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced: to compare labels typed by hand."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("’", "'").split())


class Row(dict):
    """The cells of a row by column header, with where it comes from (a JSON row also has `path` and `keys`:
    its path in the file and the JSON key of each column)."""

    def __init__(self, sheet: str, line: int, cells: dict):
        super().__init__(cells)
        self.sheet = sheet
        self.line = line


def versions() -> str:
    return ", ".join(str(version) for version in SUPPORTED_VERSIONS)


def chunks(items: list, size: int = 500):
    """`items` in slices of `size` (an IN list stays under the databases' parameter limits)."""
    for index in range(0, len(items), size):
        yield items[index : index + size]


def counted(n: int, singular: str, plural: str) -> str:
    return f"{n} {plural if n > 1 else singular}"
