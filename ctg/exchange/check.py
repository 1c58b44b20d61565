"""Checking the rows of an uploaded plan: every cell read into a clean value, every problem collected with its
sheet, line and column (or its path in the JSON), in French; the fiches, their steps, budget lines and typed
values then go through the business rules of `ctg.plans.rules`, the same as the form's and the services'."""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ctg.conventions.models import Ctg, Field
from ctg.diagnostics.catalogue import BY_ID, Kind
from ctg.diagnostics.portrait import TerritoryNotFound, resolve_territory
from ctg.exchange.layout import (
    ALL_COMMUNES,
    DIRECTION_WORDS,
    LEVEL_OPERATIONAL,
    LEVEL_STRATEGIC,
    MAX_YEAR,
    MIN_YEAR,
    NO_COMMUNE,
    Row,
    chunks,
    fold,
)
from ctg.plans import rules
from ctg.plans.models import FicheAction, Funder, IndicatorValue, PlanIndicator
from ctg.territories.models import Commune
from ctg.text import clean_text


def where_sheet(row: Row, column: str) -> str:
    return f"Feuille « {row.sheet} », ligne {row.line}, colonne « {column} »"


def where_json(row: Row, column: str) -> str:
    return f"{row.path}.{row.keys.get(column, column)}"


NUMBER_RE = re.compile(r"^\d+(\.\d+)*$")
FEMININE = {"priorité", "nature", "origine"}
FICHE_COLUMNS = {
    "title": "intitulé",
    "objectives": "objectifs",
    "fields": "champs",
    "communes": "communes",
    "pilot_person": "personne pilote",
    "start_date": "début",
    "end_date": "fin",
    "status": "statut",
    "priority": "priorité",
}


def _rule_message(problem: rules.Problem) -> str:
    """The sentence of `problem` after « Feuille …, colonne … : »."""
    if problem.code == "end_before_start":
        start, end = problem.params["start"], problem.params["end"]
        return f"la fin ({end:%d/%m/%Y}) précède le début ({start:%d/%m/%Y})."
    return problem.message[0].lower() + problem.message[1:]


class Checker:
    """Turns the rows into clean values, collecting every problem instead of stopping at the first."""

    def __init__(self, ctg: Ctg, where):
        self.ctg = ctg
        self.where = where
        self.period = rules.Period.of(ctg)
        self.errors: list[str] = []
        self.cells_in_error: set[tuple[int, str]] = set()  # (id of the row, column)
        self.territories: dict[str, tuple[str, str]] = {}  # code → (resolved code, error), read once each

    def error(self, row: Row, column: str, message: str) -> None:
        self.errors.append(f"{self.where(row, column)} : {message}")
        self.cells_in_error.add((id(row), column))

    def problems(self, row: Row, problems: list[rules.Problem], columns: dict[str, str]) -> None:
        """The problems found by `ctg.plans.rules` on the values of a row (`columns`: field → column), but for
        the cells already reported (an unreadable cell is not reported twice)."""
        for problem in problems:
            column = columns[problem.field]
            if (id(row), column) not in self.cells_in_error:
                self.error(row, column, _rule_message(problem))

    # Cell readers: each returns the clean value, or None after recording an error (or for an empty cell).

    def text(self, row, column, *, required=False, max_length=None) -> str:
        value = row.get(column)
        if value is None:
            if required:
                self.error(row, column, "valeur obligatoire.")
            return ""
        if isinstance(value, dict | list):
            self.error(row, column, "texte attendu, pas une liste ni un objet.")
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, datetime.datetime | datetime.date):
            value = value.strftime("%d/%m/%Y")
        # Control characters removed as in every form (ctg.text).
        value = clean_text(str(value), multiline=True).strip()
        if max_length and len(value) > max_length:
            self.error(row, column, f"{len(value)} caractères, au plus {max_length}.")
        return value

    def lines(self, row, column, *, max_length) -> list[str]:
        """The non-empty lines of a text cell, each once (the titles of an enjeu's findings, one a line)."""
        lines = [" ".join(line.split()) for line in self.text(row, column).splitlines() if line.strip()]
        too_long = [line for line in lines if len(line) > max_length]
        if too_long:
            self.error(
                row,
                column,
                f"une ligne de {len(too_long[0])} caractères, au plus {max_length} par ligne (un constat par "
                "ligne).",
            )
        return list(dict.fromkeys(lines))

    def number(self, row, column, *, parts=None, required=True) -> str | None:
        value = self.text(row, column, required=required)
        if not value:
            return None
        if not NUMBER_RE.match(value) or (parts is not None and value.count(".") + 1 != parts):
            shape = {1: "« 1 »", 2: "« 1.2 »", 3: "« 1.2.1 »", 4: "« 1.2.1.3 »"}.get(parts, "« 1 »")
            self.error(row, column, f"numéro invalide « {value} » (attendu sous la forme {shape}).")
            return None
        return ".".join(str(int(part)) for part in value.split("."))

    def items(self, row, column) -> list[str]:
        value = row.get(column)
        if value is None:
            return []
        if isinstance(value, list | tuple):
            parts = [str(v).strip() for v in value]
        else:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            parts = [part.strip() for part in str(value).split(";")]
        return [part for part in parts if part]

    def choice(self, row, column, choices, *, what, default=None, extra=None):
        value = self.text(row, column)
        if not value:
            if default is None:
                self.error(row, column, "valeur obligatoire.")
            return default
        known = {}
        for code, label in choices:
            known[fold(code)] = code
            known[fold(label)] = code
        known.update({fold(word): code for word, code in (extra or {}).items()})
        code = known.get(fold(value))
        if code is None:
            possible = ", ".join(label for _, label in choices)
            unknown = "inconnue" if what in FEMININE else "inconnu"
            self.error(row, column, f"{what} {unknown} « {value} » (valeurs possibles : {possible}).")
        return code

    def fields(self, row, column) -> list[str]:
        codes = []
        for value in self.items(row, column):
            single = Row(row.sheet, row.line, {column: value})
            single.__dict__.update(row.__dict__)  # where it comes from
            code = self.choice(single, column, Field.choices, what="champ d'intervention")
            if code and code not in codes:
                codes.append(code)
        return codes

    def portrait_indicators(self, row, column) -> list[str]:
        """Ids of indicators of the portrait (or their labels)."""
        by_label = {fold(indicator.label): key for key, indicator in BY_ID.items()}
        ids = []
        for value in self.items(row, column):
            key = value if value in BY_ID else by_label.get(fold(value))
            if key is None:
                self.error(row, column, f"indicateur du portrait inconnu « {value} ».")
            elif key not in ids:
                ids.append(key)
        return ids

    def portrait_indicator(self, row, column) -> str:
        ids = self.portrait_indicators(row, column)
        if len(ids) > 1:
            self.error(row, column, "un seul indicateur du portrait par indicateur de la fiche.")
            return ""
        if ids and BY_ID[ids[0]].kind == Kind.DERIVED:
            self.error(
                row,
                column,
                f"« {ids[0]} » est le rapport de deux indicateurs du portrait : choisissez l'un de ceux-ci.",
            )
            return ""
        return ids[0] if ids else ""

    def territory(self, row, column) -> str:
        code = self.text(row, column).upper()
        if not code:
            return ""
        if len(code) < 5 and code.isdigit() and len(code) > 3:
            code = code.zfill(5)  # a commune code typed as a number in Excel
        if code not in self.territories:
            try:
                self.territories[code] = (resolve_territory(code).code, "")
            except TerritoryNotFound as error:
                self.territories[code] = ("", str(error))
        resolved, error = self.territories[code]
        if error:
            self.error(row, column, error)
        return resolved

    def year(self, row, column, *, required=True) -> int | None:
        value = row.get(column)
        if value is None:
            if required:
                self.error(row, column, "valeur obligatoire.")
            return None
        try:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            year = int(str(value).strip().removesuffix(".0")) if not isinstance(value, float) else int(value)
        except ValueError:
            self.error(row, column, f"année invalide « {value} ».")
            return None
        if not MIN_YEAR <= year <= MAX_YEAR:
            self.error(row, column, f"année invalide « {value} » (entre {MIN_YEAR} et {MAX_YEAR}).")
            return None
        return year

    def decimal(self, row, column, *, places, max_digits, required=False, default=None, positive=False):
        value = row.get(column)
        if value is None:
            if required:
                self.error(row, column, "valeur obligatoire.")
            return default
        if isinstance(value, (bool, datetime.date)):
            self.error(row, column, f"nombre invalide « {value} ».")
            return None
        text = str(value).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "")
        if isinstance(value, str):
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.error(row, column, f"nombre invalide « {value} ».")
            return None
        if positive and number < 0:
            self.error(row, column, f"montant négatif « {value} » : un montant est positif ou nul.")
            return None
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if abs(number) >= Decimal(10) ** (max_digits - places):
            self.error(row, column, f"nombre trop grand « {value} ».")
            return None
        return number

    def date(self, row, column) -> datetime.date | None:
        value = row.get(column)
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                return datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        self.error(row, column, f"date invalide « {value} » (attendue sous la forme JJ/MM/AAAA).")
        return None

    def unique(self, seen: dict, key, row, column, what) -> bool:
        if key in seen:
            first = seen[key]
            where = f"à la ligne {first.line}" if self.where is where_sheet else f"en {first.path}"
            self.error(row, column, f"{what} en double (déjà {where}).")
            return False
        seen[key] = row
        return True


def check(ctg: Ctg, sheets: dict[str, list[Row]], where) -> tuple[dict, list[str]]:
    """Checks every row; returns the clean plan and the list of problems (`where`: `where_sheet` or
    `where_json`). The plan: {"enjeux": {number: row}, "fiches": {number: row}, "operationals": {…}}, each
    row's clean values in `row.item` (an enjeu's strategic objectives under "strategic", theirs under
    "operational"; a fiche's steps, budget lines and indicators, and an indicator's values)."""
    c = Checker(ctg, where)
    enjeux, strategics, operationals = _check_tree(c, sheets)
    fiches = _check_fiches(c, sheets, strategics, operationals)
    _check_steps(c, sheets, fiches)
    _check_budget(c, sheets, fiches)
    _check_indicators(c, sheets, fiches)
    _check_values(c, sheets, fiches)
    return {"enjeux": enjeux, "fiches": fiches, "operationals": operationals}, c.errors


def _check_tree(c: Checker, sheets) -> tuple[dict, dict, dict]:
    """The sheets « Enjeux » and « Objectifs »: the enjeux, strategic and operational objectives by number."""
    enjeux = {}
    for row in sheets.get("Enjeux", []):
        number = c.number(row, "numéro", parts=1)
        item = {
            "title": c.text(row, "intitulé", required=True, max_length=300),
            "description": c.text(row, "description"),
            "fields": c.fields(row, "champs"),
            "findings": c.lines(row, "constats", max_length=300),
            "attention_indicators": c.portrait_indicators(row, "indicateurs du portrait"),
            "strategic": {},
        }
        if number and c.unique(enjeux, number, row, "numéro", f"numéro d'enjeu « {number} »"):
            enjeux[number] = row
            row.item = item

    # Strategic objectives first, so that an operational row may come before its parent.
    strategics, operationals, seen = {}, {}, {}
    levels = [(LEVEL_STRATEGIC, LEVEL_STRATEGIC), (LEVEL_OPERATIONAL, LEVEL_OPERATIONAL)]
    objective_rows = [
        (c.choice(row, "niveau", levels, what="niveau"), row) for row in sheets.get("Objectifs", [])
    ]
    for level, row in objective_rows:
        if level == LEVEL_STRATEGIC:
            _check_strategic(c, row, enjeux, strategics, seen)
    for level, row in objective_rows:
        if level == LEVEL_OPERATIONAL:
            _check_operational(c, row, enjeux, strategics, operationals, seen)
    return enjeux, strategics, operationals


def _objective_row(c: Checker, row, parts: int, enjeux: dict) -> tuple[str | None, str | None, dict]:
    number = c.number(row, "numéro", parts=parts)
    enjeu = c.number(row, "enjeu", parts=1)
    title = c.text(row, "intitulé", required=True, max_length=300)
    item = {"title": title, "description": c.text(row, "description"), "operational": {}}
    if enjeu and enjeu not in enjeux:
        c.error(row, "enjeu", f"enjeu inconnu « {enjeu} ».")
        enjeu = None
    return number, enjeu, item


def _check_strategic(c: Checker, row, enjeux: dict, strategics: dict, seen: dict) -> None:
    number, enjeu, item = _objective_row(c, row, 2, enjeux)
    if c.text(row, "parent"):
        c.error(row, "parent", "un objectif stratégique n'a pas de parent (laisser vide).")
    if number and enjeu and number.rsplit(".", 1)[0] != enjeu:
        c.error(row, "numéro", f"le numéro « {number} » ne commence pas par celui de l'enjeu « {enjeu} ».")
        number = None
    if number and c.unique(seen, number, row, "numéro", f"numéro d'objectif « {number} »"):
        strategics[number] = row
        row.item = item
        if enjeu:
            enjeux[enjeu].item["strategic"][number] = row


def _check_operational(
    c: Checker, row, enjeux: dict, strategics: dict, operationals: dict, seen: dict
) -> None:
    number, enjeu, item = _objective_row(c, row, 3, enjeux)
    parent = c.number(row, "parent", parts=2)
    if parent and parent not in strategics:
        c.error(row, "parent", f"objectif stratégique inconnu « {parent} ».")
        parent = None
    if parent and enjeu and parent.split(".")[0] != enjeu:
        c.error(row, "parent", f"l'objectif « {parent} » n'appartient pas à l'enjeu « {enjeu} ».")
        parent = None
    if number and parent and number.rsplit(".", 1)[0] != parent:
        c.error(row, "numéro", f"le numéro « {number} » ne commence pas par celui du parent « {parent} ».")
        number = None
    if number and c.unique(seen, number, row, "numéro", f"numéro d'objectif « {number} »"):
        operationals[number] = row
        row.item = item
        if parent:
            strategics[parent].item["operational"][number] = row


def _commune_values(c: Checker, row) -> list[str]:
    # A code typed as a number in Excel loses its leading zero (« 1001 » for « 01001 »).
    return [v.zfill(5) if v.isdigit() else v for v in c.items(row, "communes")]


def _check_fiches(c: Checker, sheets, strategics: dict, operationals: dict) -> dict:
    """The sheet « Fiches »: each row read, then checked by `rules.fiche_problems` (objectives, communes,
    dates within the CTG's period…)."""
    fiches = {}
    commune_codes = set(c.ctg.communes.values_list("code", flat=True))
    # The communes named anywhere in the sheet, looked up at once.
    named = list(dict.fromkeys(code for row in sheets.get("Fiches", []) for code in _commune_values(c, row)))
    known = set()
    for chunk in chunks(named):
        known.update(Commune.objects.filter(code__in=chunk).values_list("code", flat=True))
    for row in sheets.get("Fiches", []):
        number = c.number(row, "numéro", parts=3)
        objectives = _fiche_objectives(c, row, strategics, operationals)
        if number and objectives is not None:
            prefix = number.rsplit(".", 1)[0]
            allowed = list(dict.fromkeys(o.rsplit(".", 1)[0] for o in objectives))
            if allowed and prefix not in allowed:
                c.error(
                    row,
                    "numéro",
                    f"le numéro « {number} » doit commencer par l'objectif stratégique d'un de ses objectifs "
                    f"({' ou '.join(allowed)}).",
                )
                number = None
        item = _fiche_item(c, row, objectives or [], _fiche_communes(c, row, known, commune_codes))
        c.problems(row, rules.fiche_problems(item, c.period), FICHE_COLUMNS)
        if number and c.unique(fiches, number, row, "numéro", f"numéro de fiche « {number} »"):
            row.item = item
    return fiches


def _fiche_objectives(c: Checker, row, strategics: dict, operationals: dict) -> list[str] | None:
    """The numbers of the fiche's operational objectives; None when one of them is in error."""
    objectives, valid = [], True
    for value in c.items(row, "objectifs"):
        if not NUMBER_RE.match(value):
            c.error(row, "objectifs", f"numéro d'objectif invalide « {value} ».")
            valid = False
            continue
        value = ".".join(str(int(part)) for part in value.split("."))
        if value in operationals:
            if value not in objectives:
                objectives.append(value)
            continue
        valid = False
        if value in strategics:
            c.error(
                row,
                "objectifs",
                f"« {value} » est un objectif stratégique : une fiche se rattache à des objectifs "
                "opérationnels.",
            )
        else:
            c.error(row, "objectifs", f"objectif inconnu « {value} ».")
    return objectives if valid else None


def _fiche_communes(c: Checker, row, known: set, commune_codes: set) -> tuple[bool, list[str]]:
    """(all communes, the INSEE codes of the fiche's communes)."""
    values = _commune_values(c, row)
    folded = [fold(v) for v in values]
    if not values or folded == [ALL_COMMUNES]:
        return True, []
    # « toutes » with codes: both are passed on, and `plans.rules` refuses the ambiguity.
    all_communes = ALL_COMMUNES in folded
    communes = []
    if folded != [NO_COMMUNE]:
        for code in (v for v, f in zip(values, folded, strict=True) if f != ALL_COMMUNES):
            if code not in known:
                c.error(row, "communes", f"commune inconnue « {code} » (code Insee attendu, ou « toutes »).")
            elif code not in commune_codes:
                c.error(row, "communes", f"la commune « {code} » est hors du territoire du dossier.")
            elif code not in communes:
                communes.append(code)
    return all_communes, communes


def _fiche_item(c: Checker, row, objectives: list[str], communes: tuple[bool, list[str]]) -> dict:
    item = {
        "objectives": objectives,
        "title": c.text(row, "intitulé", required=True, max_length=300),
        "fields": c.fields(row, "champs"),
        "context": c.text(row, "contexte"),
        "description": c.text(row, "description"),
        "target_public": c.text(row, "public"),
        "all_communes": communes[0],
        "communes": communes[1],
        "pilot_organisation": c.text(row, "pilote", max_length=250),
        "pilot_person": c.text(row, "personne pilote", max_length=200),
        "partners": list(dict.fromkeys(c.items(row, "partenaires"))),
        "start_date": c.date(row, "début"),
        "end_date": c.date(row, "fin"),
        "status": c.choice(
            row, "statut", FicheAction.Status.choices, what="statut", default=FicheAction.Status.A_VENIR
        ),
        "priority": c.choice(
            row,
            "priorité",
            FicheAction.Priority.choices,
            what="priorité",
            default=FicheAction.Priority.MOYENNE,
        ),
        "notes": c.text(row, "notes"),
        "steps": [],
        "budget": [],
        "indicators": {},
    }
    for name in item["partners"]:
        if len(name) > 250:
            c.error(
                row, "partenaires", f"nom d'organisation trop long « {name[:40]}… » (250 caractères au plus)."
            )
    return item


def _fiche_of(c: Checker, row, fiches: dict) -> dict | None:
    number = c.number(row, "fiche", parts=3)
    if number and number not in fiches:
        c.error(row, "fiche", f"fiche inconnue « {number} ».")
        return None
    return fiches[number].item if number else None


def _year_in_period(c: Checker, row, column: str) -> int | None:
    """A year of the CTG (steps, budget lines, typed values): read, then checked by `rules.year_problem`."""
    year = c.year(row, column)
    if year is not None:
        c.problems(row, [p for p in [rules.year_problem(year, c.period)] if p], {"year": column})
    return year


def _check_steps(c: Checker, sheets, fiches: dict) -> None:
    for row in sheets.get("Étapes", []):
        fiche = _fiche_of(c, row, fiches)
        step = {"year": _year_in_period(c, row, "année"), "description": c.text(row, "étape", required=True)}
        if fiche is not None:
            fiche["steps"].append(step)


def _check_budget(c: Checker, sheets, fiches: dict) -> None:
    seen = {}
    for row in sheets.get("Budget", []):
        fiche = _fiche_of(c, row, fiches)
        line = {
            "year": _year_in_period(c, row, "année"),
            "funder": c.choice(row, "financeur", Funder.choices, what="financeur"),
            "planned": c.decimal(row, "prévu", places=2, max_digits=12, default=Decimal(0), positive=True),
            "spent": c.decimal(row, "réalisé", places=2, max_digits=12, default=Decimal(0), positive=True),
        }
        key = (id(fiche), line["year"], line["funder"])
        if (
            fiche is not None
            and line["year"]
            and line["funder"]
            and c.unique(seen, key, row, "financeur", "ligne de budget (même fiche, année et financeur)")
        ):
            fiche["budget"].append(line)


def _check_indicators(c: Checker, sheets, fiches: dict) -> None:
    seen = {}
    direction_words = {word: code for code, word in DIRECTION_WORDS.items()}
    for row in sheets.get("Indicateurs", []):
        fiche = _fiche_of(c, row, fiches)
        number = c.number(row, "numéro d'indicateur", parts=1)
        indicator = {
            "label": c.text(row, "intitulé", required=True, max_length=300),
            "unit": c.text(row, "unité", max_length=60),
            "direction": c.choice(
                row,
                "sens",
                PlanIndicator.Direction.choices,
                what="sens",
                default=PlanIndicator.Direction.UP,
                extra=direction_words,
            ),
            "nature": c.choice(
                row,
                "nature",
                PlanIndicator.Nature.choices,
                what="nature",
                default=PlanIndicator.Nature.RESULT,
            ),
            "baseline_value": c.decimal(row, "référence", places=4, max_digits=16),
            "baseline_year": c.year(row, "année de référence", required=False),
            "portrait_indicator": c.portrait_indicator(row, "indicateur du portrait"),
            "territory_code": c.territory(row, "territoire"),
            "values": {},
        }
        if fiche is not None and number:
            key = (id(fiche), number)
            if c.unique(seen, key, row, "numéro d'indicateur", f"indicateur « {number} »"):
                fiche["indicators"][number] = indicator


def _check_values(c: Checker, sheets, fiches: dict) -> None:
    """The sheet « Valeurs »: a typed value is of a year of the CTG; one from the open data keeps the year of
    its vintage, whatever it is (as `indicator_refresh_open_data` writes it)."""
    seen = {}
    for row in sheets.get("Valeurs", []):
        fiche = _fiche_of(c, row, fiches)
        number = c.number(row, "indicateur", parts=1)
        indicator = None
        if fiche is not None and number:
            indicator = fiche["indicators"].get(number)
            if indicator is None:
                c.error(row, "indicateur", f"indicateur « {number} » inconnu pour cette fiche.")
        value = {
            "year": c.year(row, "année"),
            "kind": c.choice(row, "type", IndicatorValue.Kind.choices, what="type"),
            "value": c.decimal(row, "valeur", places=4, max_digits=16, required=True),
            "origin": c.choice(
                row,
                "origine",
                IndicatorValue.Origin.choices,
                what="origine",
                default=IndicatorValue.Origin.TYPED,
            ),
            "source": c.text(row, "source", max_length=300),
        }
        if value["year"] is not None and value["origin"] == IndicatorValue.Origin.TYPED:
            c.problems(
                row, [p for p in [rules.year_problem(value["year"], c.period)] if p], {"year": "année"}
            )
        if indicator is not None and value["year"] and value["kind"]:
            key = (id(indicator), value["year"], value["kind"])
            if c.unique(seen, key, row, "type", "valeur (même indicateur, année et type)"):
                indicator["values"][(value["year"], value["kind"])] = value
