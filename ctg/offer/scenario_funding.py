"""The funding side of a scenario of the offer of services (issue 14, item 3): per line that creates a
structure and per year of the CTG's period from its opening year, the bonus territoire and the other CAF
bonuses, the CAF's total and the collectivité's remaining cost; totals per year and over the period.

Contract:
- The amounts MUST come from `ctg.funding.simulate.simulate` (the CAF's yearly parameter table and its rules,
  with the public values and their sources); this module MUST NOT hold a rate, an amount or a rule of its own.
  It only turns the lines of a scenario into the simulator's lines and sums what the simulator returns.
- An amount the simulator cannot compute (a tranche the CAF has not filled in, a missing input) MUST be shown
  with its reason and left out of the sums, and every sum it is missing from is marked partial; a figure is
  never guessed. The collectivité's remaining cost (cost per place × places − CAF funding) is given only when
  the CAF's funding of that line and year is complete.
- The inputs the rules need beyond the line's type, places, commune and year (tranche, participation horaire
  moyenne, share of children with a disability, reserved places, ALSH hours, cost per place) are fields of
  `ScenarioLine`, written only by `line_funding_set`: checked (French messages, nothing written on a refusal),
  atomic, recorded in the dossier's history (`Action.SCENARIO_FUNDING`, tied to the scenario).
- Nothing here writes the amounts: they are computed when shown.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from ctg.core.history import register_labels, tracked_update
from ctg.core.models import Action
from ctg.funding import simulate as engine
from ctg.funding.parameters import PARAMETERS
from ctg.offer import typology
from ctg.offer.models import Scenario, ScenarioLine

# The types whose creation the EAJE rules fund, and the accueils de loisirs (ALSH rules: eligible hours).
EAJE_TYPES = frozenset(code for code in typology.BY_CODE if code.startswith("eaje"))
ALSH_TYPES = frozenset({"alsh"})

# The tranches of the bonus territoire for new EAJE places (tranche 1: QPV, ZRR, lowest resources; the
# amounts are the CAF's parameters, `ctg.funding`).
TRANCHES = (
    ("1", "Tranche 1 (QPV, ZRR, territoires aux ressources les plus faibles)"),
    ("2", "Tranche 2 (intermédiaire)"),
    ("3", "Tranche 3 (territoires aux ressources les plus élevées)"),
)
TRANCHE_CODES = frozenset(code for code, _label in TRANCHES)

TRANCHE_MISSING = (
    "Tranche du bonus territoire non renseignée pour cette structure : choisissez-la dans les paramètres "
    "du financement ; aucun montant n'est estimé."
)
PARTICIPATION_MAX = Decimal("20")
COST_MAX = Decimal("1000000")
HOURS_MAX = 10_000_000

FUNDING_FIELDS = {
    "bonus_tranche": "tranche du bonus territoire",
    "participation_horaire": "participation horaire moyenne des familles (€)",
    "handicap_share": "part des enfants en situation de handicap (%)",
    "reserved_places": "places réservées (CTRE)",
    "contracted_hours": "heures conventionnées existantes (ALSH)",
    "requested_hours": "heures nouvelles demandées (ALSH)",
    "cost_per_place": "coût de fonctionnement par place et par an (€)",
}
EAJE_FIELDS = (
    "bonus_tranche",
    "participation_horaire",
    "handicap_share",
    "reserved_places",
    "cost_per_place",
)
ALSH_FIELDS = ("contracted_hours", "requested_hours")
register_labels(Action.SCENARIO_FUNDING, FUNDING_FIELDS)

# The simulator's kinds, in the order shown, with their French names.
KIND_LABELS = {
    "eaje_new_places": "Bonus territoire (places nouvelles)",
    "eaje_mixite": "Bonus mixité sociale",
    "eaje_handicap": "Bonus inclusion handicap",
    "ctre": "Places réservées (CTRE)",
    "alsh_new_hours": "Heures nouvelles éligibles (ALSH)",
    "remaining_cost": "Reste à charge de la collectivité",
}
CAF_KINDS = ("eaje_new_places", "eaje_mixite", "eaje_handicap", "ctre")


def fundable(line: ScenarioLine) -> bool:
    return line.kind == ScenarioLine.Kind.CREATE and line.type in EAJE_TYPES | ALSH_TYPES


def input_fields(line: ScenarioLine) -> tuple[str, ...]:
    """The funding inputs that apply to `line` (none for a closure or a type no rule funds)."""
    if line.kind != ScenarioLine.Kind.CREATE:
        return ()
    if line.type in EAJE_TYPES:
        return EAJE_FIELDS
    if line.type in ALSH_TYPES:
        return ALSH_FIELDS
    return ()


# --- checks ---------------------------------------------------------------------------------------------


def _decimal(value, *, name: str, label: str, low: Decimal, high: Decimal) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationError({name: f"{label} doit être un nombre."})
    try:
        number = Decimal(str(value).strip().replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({name: f"{label} doit être un nombre."}) from None
    if not number.is_finite():
        raise ValidationError({name: f"{label} doit être un nombre."})
    if number < low or number > high:
        raise ValidationError({name: f"{label} doit être compris entre {low} et {high}."})
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError({name: f"{label} a au plus deux décimales."})
    return number.quantize(Decimal("0.01"))


def _integer(value, *, name: str, label: str, high: int) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationError({name: f"{label} doit être un nombre entier."})
    try:
        number = int(str(value).strip().replace("\u202f", "").replace(" ", ""))
    except (TypeError, ValueError):
        raise ValidationError({name: f"{label} doit être un nombre entier."}) from None
    if not 0 <= number <= high:
        raise ValidationError({name: f"{label} doit être compris entre 0 et {high}."})
    return number


def clean_funding(line: ScenarioLine, values: dict) -> dict:
    """The funding inputs of `line`, checked; raises a `ValidationError` naming the field in error (an
    input that does not apply to the line's type is refused, not ignored)."""
    allowed = input_fields(line)
    if not allowed:
        raise ValidationError(
            {
                "__all__": "Aucune règle de financement de la CAF ne s'applique à cette ligne : seules les "
                "créations d'EAJE et d'accueils de loisirs sont simulées."
            }
        )
    unknown = set(values) - set(FUNDING_FIELDS)
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    foreign = [name for name in values if name not in allowed and values[name] not in (None, "")]
    if foreign:
        raise ValidationError(
            {foreign[0]: f"« {FUNDING_FIELDS[foreign[0]]} » ne s'applique pas à ce type de structure."}
        )
    cleaned: dict = {}
    if "bonus_tranche" in values:
        tranche = str(values["bonus_tranche"] or "").strip()
        if tranche and tranche not in TRANCHE_CODES:
            raise ValidationError({"bonus_tranche": f"Tranche du bonus territoire inconnue : « {tranche} »."})
        cleaned["bonus_tranche"] = tranche
    if "participation_horaire" in values:
        cleaned["participation_horaire"] = _decimal(
            values["participation_horaire"],
            name="participation_horaire",
            label="La participation horaire moyenne",
            low=Decimal("0"),
            high=PARTICIPATION_MAX,
        )
    if "handicap_share" in values:
        cleaned["handicap_share"] = _decimal(
            values["handicap_share"],
            name="handicap_share",
            label="La part des enfants en situation de handicap",
            low=Decimal("0"),
            high=Decimal("100"),
        )
    if "reserved_places" in values:
        reserved = _integer(
            values["reserved_places"], name="reserved_places", label="Le nombre de places réservées", high=500
        )
        if reserved is not None and line.places is not None and reserved > line.places:
            raise ValidationError(
                {"reserved_places": f"Les places réservées ne peuvent dépasser les {line.places} places."}
            )
        cleaned["reserved_places"] = reserved
    for name, label in (
        ("contracted_hours", "Le nombre d'heures conventionnées"),
        ("requested_hours", "Le nombre d'heures nouvelles demandées"),
    ):
        if name in values:
            cleaned[name] = _integer(values[name], name=name, label=label, high=HOURS_MAX)
    if "cost_per_place" in values:
        cleaned["cost_per_place"] = _decimal(
            values["cost_per_place"],
            name="cost_per_place",
            label="Le coût par place",
            low=Decimal("0"),
            high=COST_MAX,
        )
    return {name: cleaned[name] for name in cleaned if name in allowed}


@transaction.atomic
def line_funding_set(*, line: ScenarioLine, actor, values: dict) -> dict:
    """Writes the funding inputs of `line` (a dict of `FUNDING_FIELDS`; an empty value clears one), checked
    by `clean_funding`; one line of the dossier's history when something changed. Returns the changes."""
    current = ScenarioLine.objects.select_for_update().select_related("scenario__ctg").get(pk=line.pk)
    cleaned = clean_funding(current, dict(values))
    scenario = current.scenario
    return tracked_update(
        current,
        actor=actor,
        values=cleaned,
        ctg=scenario.ctg,
        action=Action.SCENARIO_FUNDING,
        item=scenario,
        summary=f"Financement simulé du scénario « {scenario.name} » modifié : {current}",
    )


# --- computation ----------------------------------------------------------------------------------------


@dataclass
class Item:
    """One amount (or eligible hours) of one line and one year, as the simulator gave it."""

    kind: str
    label: str
    amount: Decimal | None
    eligible_hours: int | None
    rule: str
    parameters: list[dict]
    problem: str | None

    @property
    def is_caf(self) -> bool:
        return self.kind in CAF_KINDS


@dataclass
class Year:
    """The funding of one line in one year: the CAF's items (and the ALSH's eligible hours), their total, and
    the collectivité's remaining cost (an item too, or the reason it is not computed)."""

    year: int
    items: list[Item]
    caf: Decimal
    caf_complete: bool
    remaining_item: Item | None = None
    remaining_reason: str = ""

    @property
    def caf_items(self) -> list[Item]:
        return [i for i in self.items if i.is_caf]

    @property
    def remaining(self) -> Decimal | None:
        item = self.remaining_item
        return item.amount if item is not None and not item.problem else None

    @property
    def missing(self) -> list[Item]:
        return [i for i in self.items if i.problem]


@dataclass
class LineFunding:
    line: ScenarioLine
    years: list[Year]
    note: str = ""

    @property
    def fundable(self) -> bool:
        return fundable(self.line)


@dataclass
class Total:
    """A sum over lines (and years): `*_complete` False when an amount it should hold is not computed."""

    year: int | None  # None: the whole period
    caf: Decimal = Decimal("0")
    caf_complete: bool = True
    remaining: Decimal = Decimal("0")
    remaining_complete: bool = True
    any_caf: bool = False
    any_remaining: bool = False


@dataclass
class ScenarioFunding:
    scenario: Scenario
    period: tuple[int, int]
    lines: list[LineFunding]
    totals: list[Total] = field(default_factory=list)
    total: Total = field(default_factory=lambda: Total(None))

    @property
    def years(self) -> list[int]:
        return [t.year for t in self.totals]

    @property
    def funded_lines(self) -> list[LineFunding]:
        return [lf for lf in self.lines if lf.years]

    @property
    def problems(self) -> list[str]:
        found = [i.problem for lf in self.lines for y in lf.years for i in y.items if i.problem]
        found += [
            y.remaining_item.problem
            for lf in self.lines
            for y in lf.years
            if y.remaining_item is not None and y.remaining_item.problem
        ]
        return list(dict.fromkeys(found))

    def by_year(self) -> dict[int, Total]:
        return {t.year: t for t in self.totals}


def _years(line: ScenarioLine, start: int, end: int) -> list[int]:
    return list(range(max(line.year, start), end + 1))


def _number(value: Decimal | None):
    """A decimal input as the simulator reads it (a numeric string: no binary rounding)."""
    return None if value is None else str(value)


def simulator_lines(line: ScenarioLine, year: int) -> list[dict]:
    """The simulator's lines of the CAF's funding of `line` in `year` (ids `<line pk>:<year>:<kind>`); the
    remaining cost comes after, from their total (`remaining_line`)."""
    prefix = f"{line.pk}:{year}:"
    if line.type in ALSH_TYPES:
        return [
            {
                "id": prefix + "alsh_new_hours",
                "kind": "alsh_new_hours",
                "contracted_hours": line.contracted_hours,
                "requested_hours": line.requested_hours,
                "year": year,
            }
        ]
    places = line.places
    rows = [
        {
            "id": prefix + "eaje_new_places",
            "kind": "eaje_new_places",
            "places": places,
            "tranche": line.bonus_tranche,
            "year": year,
        }
    ]
    if line.participation_horaire is not None:
        rows.append(
            {
                "id": prefix + "eaje_mixite",
                "kind": "eaje_mixite",
                "places": places,
                "participation_horaire": _number(line.participation_horaire),
                "year": year,
            }
        )
    if line.handicap_share is not None:
        rows.append(
            {
                "id": prefix + "eaje_handicap",
                "kind": "eaje_handicap",
                "places": places,
                "share_percent": _number(line.handicap_share),
                "cost_per_place": _number(line.cost_per_place),
                "year": year,
            }
        )
    if line.reserved_places:
        rows.append({"id": prefix + "ctre", "kind": "ctre", "places": line.reserved_places, "year": year})
    return rows


def remaining_line(line: ScenarioLine, year: int, caf: Decimal) -> dict:
    """The simulator's line of the collectivité's remaining cost: places × cost per place (the line's, else
    the CAF's default parameter) − the CAF's funding `caf`."""
    row = {
        "id": f"{line.pk}:{year}:remaining_cost",
        "kind": "remaining_cost",
        "places": line.places,
        "other_funding": str(caf),
        "year": year,
    }
    if line.cost_per_place is not None:
        row["cost_per_place"] = _number(line.cost_per_place)
    return row


def _simulate(rows: list[dict], caf) -> dict[str, dict]:
    if not rows:
        return {}
    return {result["id"]: result for result in engine.simulate(rows, caf=caf)}


def _amount(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _with_unit(parameter: dict) -> dict:
    known = PARAMETERS.get(parameter.get("key"))
    return {**parameter, "unit": known.unit if known is not None else ""}


def _item(result: dict | None, kind: str) -> Item:
    label = KIND_LABELS.get(kind, kind)
    if result is None:
        return Item(kind, label, None, None, "", [], "Le simulateur n'a rien rendu pour cette ligne.")
    problem = result.get("problem") or None
    return Item(
        kind=kind,
        label=label,
        amount=None if problem else _amount(result.get("amount_eur_per_year")),
        eligible_hours=None if problem else result.get("eligible_hours"),
        rule=result.get("rule") or "",
        parameters=[_with_unit(p) for p in result.get("parameters") or []],
        problem=problem,
    )


def _caf_year(year: int, rows: list[dict], results: dict[str, dict]) -> Year:
    items = [_item(results.get(row["id"]), row["kind"]) for row in rows]
    caf_items = [i for i in items if i.is_caf]
    caf = sum((i.amount for i in caf_items if i.amount is not None), Decimal("0"))
    complete = bool(caf_items) and all(i.amount is not None for i in caf_items)
    return Year(year, items, caf, complete)


def scenario_funding(scenario: Scenario, *, lines=None) -> ScenarioFunding:
    """The funding of `scenario` over its CTG's period: the CAF's funding of every line and year (one call
    of the simulator), then the remaining cost of those whose CAF funding is complete (a second call)."""
    ctg = scenario.ctg
    start, end = ctg.start_year, ctg.end_year
    lines = list(lines if lines is not None else scenario.lines.select_related("commune", "structure"))
    plan: list[tuple[ScenarioLine, list[tuple[int, list[dict]]]]] = []
    every: list[dict] = []
    for line in lines:
        years = []
        if fundable(line):
            for year in _years(line, start, end):
                rows = simulator_lines(line, year)
                years.append((year, rows))
                every.extend(rows)
        plan.append((line, years))
    # A tranche nobody chose is an input missing, said as such (the simulator would call it unknown).
    unasked = {
        row["id"]: {"id": row["id"], "kind": row["kind"], "problem": TRANCHE_MISSING}
        for row in every
        if row["kind"] == "eaje_new_places" and not row["tranche"]
    }
    results = _simulate([row for row in every if row["id"] not in unasked], ctg.caf) | unasked
    funded: list[LineFunding] = []
    remaining_rows: list[tuple[Year, dict]] = []
    for line, years in plan:
        note = ""
        if line.kind == ScenarioLine.Kind.CLOSE:
            note = "Fermeture : la perte de financement n'est pas simulée."
        elif not fundable(line):
            note = "Aucune règle de financement de la CAF n'est simulée pour ce type de structure."
        elif not years:
            note = (
                f"Ouverture en {line.year}, après la fin de la CTG ({end}) : rien à simuler sur sa période."
            )
        rows_of_line = []
        for year, rows in years:
            row = _caf_year(year, rows, results)
            if line.type in ALSH_TYPES:
                row.remaining_reason = (
                    "Le financement de la CAF d'un accueil de loisirs (prestation de service sur les heures "
                    "éligibles) n'est pas simulé : son reste à charge ne l'est pas non plus."
                )
            elif not row.caf_complete:
                row.remaining_reason = (
                    "Un financement de la CAF n'a pas pu être calculé : le reste à charge ne peut pas l'être."
                )
            else:
                remaining_rows.append((row, remaining_line(line, year, row.caf)))
            rows_of_line.append(row)
        funded.append(LineFunding(line, rows_of_line, note))
    remaining = _simulate([r for _year, r in remaining_rows], ctg.caf)
    for row, line_row in remaining_rows:
        row.remaining_item = _item(remaining.get(line_row["id"]), "remaining_cost")
    outcome = ScenarioFunding(scenario, (start, end), funded)
    totals = {year: Total(year) for year in range(start, end + 1)}
    for lf in funded:
        for row in lf.years:
            for total in (totals[row.year], outcome.total):
                if row.caf_items:
                    total.any_caf = True
                    total.caf += row.caf
                    total.caf_complete = total.caf_complete and row.caf_complete
                if row.remaining is not None:
                    total.any_remaining = True
                    total.remaining += row.remaining
                elif row.caf_items:
                    total.remaining_complete = False
    outcome.totals = list(totals.values())
    return outcome


def places_summary(lines) -> tuple[int, int]:
    """Places created and places closed by `lines` (a closed structure counts its capacity, when known)."""
    created = sum(line.places or 0 for line in lines if line.kind == ScenarioLine.Kind.CREATE)
    closed = sum(
        line.structure.capacity or 0
        for line in lines
        if line.kind == ScenarioLine.Kind.CLOSE and line.structure is not None
    )
    return created, closed


__all__ = [
    "ALSH_TYPES",
    "EAJE_TYPES",
    "FUNDING_FIELDS",
    "TRANCHES",
    "ScenarioFunding",
    "clean_funding",
    "fundable",
    "input_fields",
    "line_funding_set",
    "places_summary",
    "scenario_funding",
]
