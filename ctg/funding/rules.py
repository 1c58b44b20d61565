"""The CAF's funding rules as pure functions (issue 14): no ORM, no clock.

Contract:
- each rule takes the line's inputs (a mapping: numbers or numeric strings) and a parameter mapping
  (`key → parameters.Effective`, the values of one year with their origin) and returns a `Result`: the amount
  in € per year (Decimal, to the cent) or, for the ALSH, the eligible hours; the French text of the rule
  applied; the parameters used (key, label, value, origin);
- a line that cannot be computed MUST return a French reason (`Result.problem`) and no amount: an input
  missing, negative or not a number, an unknown tranche, a parameter without a value for the year (the CAF is
  asked for it: nothing is guessed);
- `RULES` maps each kind to its rule; `compute(kind, inputs, parameters)` is the one entry point.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ctg.funding.parameters import PARAMETERS, Effective

CENT = Decimal("0.01")
INPUT_MAX = Decimal(10**12)  # far above any real figure; keeps every amount within Decimal's precision
HUNDRED = Decimal(100)


class LineProblem(Exception):
    """A line that cannot be computed; its message is French and shown as is."""


@dataclass
class Result:
    amount: Decimal | None = None
    eligible_hours: int | None = None
    rule: str = ""
    parameters: list[Effective] = field(default_factory=list)
    problem: str | None = None

    def parameters_as_dicts(self) -> list[dict]:
        return [p.as_dict() for p in self.parameters]


def fr_number(value, decimals: int | None = None) -> str:
    """3 600, 0,9, 72 000,50: French figures (non-breaking spaces, decimal comma)."""
    value = Decimal(value)
    if abs(value) >= INPUT_MAX * INPUT_MAX:  # beyond any figure: shown as is rather than rounded
        return str(value)
    if decimals is None:
        value = value.quantize(CENT, rounding=ROUND_HALF_UP).normalize()
        decimals = max(0, -value.as_tuple().exponent)
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u00a0").replace(".", ",")


def euros(value) -> str:
    return f"{fr_number(value)}\u00a0€"


def number(inputs: Mapping, name: str, label: str, *, integer=False, positive=False, maximum=None) -> Decimal:
    """The input `name` as a Decimal ≥ 0 (> 0 when `positive`), or a French refusal naming it by `label`."""
    raw = inputs.get(name)
    if raw is None or raw == "":
        raise LineProblem(f"{label.capitalize()} manquant(e) (« {name} »).")
    if isinstance(raw, bool):
        raise LineProblem(f"{label.capitalize()} : un nombre est attendu, pas « {raw} ».")
    if isinstance(raw, str):
        text = raw.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
    elif isinstance(raw, int | float | Decimal):
        text = str(raw)
    else:
        raise LineProblem(f"{label.capitalize()} : un nombre est attendu.")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise LineProblem(f"{label.capitalize()} : un nombre est attendu, pas « {raw} ».") from None
    if not value.is_finite():
        raise LineProblem(f"{label.capitalize()} : un nombre est attendu, pas « {raw} ».")
    if value < 0:
        raise LineProblem(f"{label.capitalize()} ne peut pas être négatif(ve) ({fr_number(value)}).")
    if positive and value == 0:
        raise LineProblem(f"{label.capitalize()} doit être supérieur(e) à zéro.")
    if integer and value != value.to_integral_value():
        raise LineProblem(f"{label.capitalize()} : un nombre entier est attendu ({fr_number(value)}).")
    maximum = INPUT_MAX if maximum is None else maximum
    if value > maximum:
        raise LineProblem(f"{label.capitalize()} ne peut pas dépasser {fr_number(maximum)}.")
    return value


def optional_number(inputs: Mapping, name: str, label: str, **kwargs) -> Decimal | None:
    if inputs.get(name) in (None, ""):
        return None
    return number(inputs, name, label, **kwargs)


class _Uses:
    """The parameters a rule reads, kept in the order read; a missing value stops the rule with its name."""

    def __init__(self, parameters: Mapping[str, Effective], year_label: str):
        self.parameters = parameters
        self.used: list[Effective] = []
        self.year_label = year_label

    def __call__(self, key: str) -> Decimal:
        effective = self.parameters.get(key)
        if effective is None:
            raise LineProblem(f"Paramètre inconnu « {key} ».")
        if effective not in self.used:
            self.used.append(effective)
        if effective.value is None:
            raise LineProblem(
                f"Paramètre sans valeur{self.year_label} : « {PARAMETERS[key].label} ». "
                "La CAF doit le renseigner dans sa table des paramètres ; aucun montant n'est estimé."
            )
        return effective.value


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _places(inputs, name="places", label="nombre de places") -> Decimal:
    return number(inputs, name, label, integer=True)


# The rules, one per kind. Each returns (amount or None, eligible hours or None, rule text).


def eaje_new_places(inputs: Mapping, use: _Uses):
    places = _places(inputs)
    tranche = str(inputs.get("tranche", "")).strip()
    if tranche not in ("1", "2", "3"):
        raise LineProblem(
            f"Tranche inconnue « {tranche} » : les tranches sont 1 (QPV, ZRR, territoires les moins riches), "
            "2 (intermédiaire) ou 3 (territoires les plus riches)."
        )
    per_place = use(f"eaje_new_place_tranche_{tranche}")
    amount = places * per_place
    rule = (
        f"Bonus territoire, places nouvelles d'EAJE, tranche {tranche} : {fr_number(places)} places × "
        f"{euros(per_place)} par place et par an = {euros(amount)} par an."
    )
    return amount, None, rule


def eaje_existing_places(inputs: Mapping, use: _Uses, year: int):
    places = number(inputs, "places", "nombre de places", integer=True, positive=True)
    per_place = optional_number(inputs, "amount_per_place", "montant lissé par place")
    if per_place is None:
        former = number(inputs, "former_cej_amount", "ancien montant du contrat enfance jeunesse (€ par an)")
        per_place = former / places
        origin = f"ancien montant CEJ {euros(_cents(former))} ÷ {fr_number(places)} places"
    else:
        origin = "montant lissé par place donné"
    floor = use("eaje_existing_floor")
    applied = max(per_place, floor)
    text = f"{origin} = {euros(_cents(per_place))} par place"
    if applied != per_place:
        text += f", porté au plancher de {euros(floor)}"
    if 2025 <= year <= 2027:
        revaluation = use("eaje_existing_revaluation")
        applied = applied * (1 + revaluation / HUNDRED)
        text += f", revalorisé de {fr_number(revaluation)}\u00a0% en {year}"
    amount = applied * places
    rule = (
        f"Bonus territoire, places existantes d'EAJE : {text} ; × {fr_number(places)} places = "
        f"{euros(_cents(amount))} par an."
    )
    return amount, None, rule


def eaje_trajectoire(inputs: Mapping, use: _Uses):
    before = number(inputs, "places_2023", "places cofinancées en 2023", integer=True, positive=True)
    after = number(inputs, "places_2027", "places cofinancées en 2027", integer=True)
    growth = (after - before) / before * HUNDRED
    growth_text = f"{fr_number(growth.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP))}\u00a0%"
    steps = [(use(f"trajectoire_threshold_{i}"), use(f"trajectoire_amount_{i}"), i) for i in (1, 2, 3)]
    reached = [step for step in steps if growth >= step[0]]
    head = f"Bonus trajectoire : places cofinancées {fr_number(before)} en 2023 → {fr_number(after)} en 2027"
    if not reached:
        rule = (
            f"{head}, soit {growth_text}, sous le premier palier ({fr_number(steps[0][0])}\u00a0%) : "
            "pas de bonus."
        )
        return Decimal(0), None, rule
    threshold, per_place, index = reached[-1]
    amount = per_place * after
    rule = (
        f"{head}, soit {growth_text} (palier {index} : au moins {fr_number(threshold)}\u00a0%) : "
        f"{euros(per_place)} × {fr_number(after)} places = {euros(amount)} par an."
    )
    return amount, None, rule


def eaje_mixite(inputs: Mapping, use: _Uses):
    places = _places(inputs)
    participation = number(inputs, "participation_horaire", "participation familiale moyenne par heure")
    steps = [(use(f"mixite_threshold_{i}"), use(f"mixite_amount_{i}"), i) for i in (1, 2, 3)]
    shown = f"{fr_number(participation, 2)}\u00a0€ par heure"
    for threshold, per_place, index in steps:
        if participation <= threshold:
            amount = per_place * places
            rule = (
                f"Bonus mixité sociale : participation familiale moyenne de {shown}, au plus "
                f"{fr_number(threshold, 2)}\u00a0€ (tranche {index}) : {euros(per_place)} × "
                f"{fr_number(places)} places = {euros(amount)} par an."
            )
            return amount, None, rule
    rule = (
        f"Bonus mixité sociale : participation familiale moyenne de {shown}, au-delà de "
        f"{fr_number(steps[-1][0], 2)}\u00a0€ : pas de bonus."
    )
    return Decimal(0), None, rule


def eaje_handicap(inputs: Mapping, use: _Uses):
    places = _places(inputs)
    share = number(inputs, "share_percent", "part d'enfants en situation de handicap (%)", maximum=HUNDRED)
    cost = number(inputs, "cost_per_place", "prix de revient par place (€ par an)", positive=True)
    cap = use("handicap_cap")
    first, second = use("handicap_share_threshold_1"), use("handicap_share_threshold_2")
    if share == 0:
        return Decimal(0), None, "Bonus inclusion handicap : aucun enfant en situation de handicap accueilli."
    if share < first:
        index, band = 1, f"moins de {fr_number(first)}\u00a0%"
    elif share <= second:
        index, band = 2, f"de {fr_number(first)} à {fr_number(second)}\u00a0%"
    else:
        index, band = 3, f"plus de {fr_number(second)}\u00a0%"
    rate = use(f"handicap_rate_{index}")
    per_place = cost * rate / HUNDRED
    capped = min(per_place, cap)
    cap_text = f", plafonné à {euros(cap)}" if capped < per_place else ""
    amount = capped * places
    rule = (
        f"Bonus inclusion handicap : {fr_number(share)}\u00a0% d'enfants en situation de handicap ({band}) : "
        f"{fr_number(rate)}\u00a0% du prix de revient de {euros(cost)} par place = "
        f"{euros(_cents(per_place))}{cap_text} ; × {fr_number(places)} places = "
        f"{euros(_cents(amount))} par an."
    )
    return amount, None, rule


def ctre(inputs: Mapping, use: _Uses):
    places = _places(inputs, "places", "nombre de places réservées")
    per_place = use("ctre_place")
    amount = per_place * places
    rule = (
        f"Contrat territorial réservataire : {fr_number(places)} places réservées × {euros(per_place)} = "
        f"{euros(amount)} par an."
    )
    return amount, None, rule


def alsh_new_hours(inputs: Mapping, use: _Uses):
    contracted = number(inputs, "contracted_hours", "heures contractualisées", integer=True)
    requested = number(inputs, "requested_hours", "heures nouvelles demandées", integer=True)
    cap_percent = use("alsh_new_hours_cap")
    cap = int(contracted * cap_percent / HUNDRED)
    eligible = min(int(requested), cap)
    if eligible < requested:
        end = f"les heures demandées ({fr_number(requested)}) sont ramenées à {fr_number(eligible)}"
    else:
        end = f"les {fr_number(requested)} heures demandées sont toutes éligibles"
    rule = (
        f"ALSH : heures nouvelles éligibles au plus {fr_number(cap_percent)}\u00a0% des "
        f"{fr_number(contracted)} heures contractualisées, soit {fr_number(cap)} heures ; {end}."
    )
    return None, eligible, rule


def coordination_post(inputs: Mapping, use: _Uses):
    fte = number(inputs, "fte", "équivalent temps plein", positive=True, maximum=Decimal(50))
    cost = number(inputs, "cost", "coût annuel du poste (€)")
    rate = use("coordination_rate")
    ceiling = use("coordination_ceiling")
    funded = cost * rate / HUNDRED
    limit = ceiling * fte
    amount = min(funded, limit)
    cap_text = f", plafonné à {euros(ceiling)} × {fr_number(fte)} ETP" if limit < funded else ""
    rule = (
        f"Poste de coordination : {fr_number(rate)}\u00a0% du coût de {euros(cost)} = {euros(_cents(funded))}"
        f"{cap_text} ; soit {euros(_cents(amount))} par an."
    )
    return amount, None, rule


def remaining_cost(inputs: Mapping, use: _Uses):
    places = _places(inputs)
    given = optional_number(inputs, "cost_per_place", "coût par place (€ par an)")
    cost = given if given is not None else use("eaje_cost_per_place")
    other = optional_number(inputs, "other_funding", "autres financements (€ par an)") or Decimal(0)
    total = cost * places
    amount = max(total - other, Decimal(0))
    origin = "coût donné" if given is not None else "coût par défaut"
    rule = (
        f"Reste à charge de la collectivité : {fr_number(places)} places × {euros(cost)} ({origin}) = "
        f"{euros(total)}, moins les autres financements ({euros(other)}) = {euros(_cents(amount))} par an."
    )
    return amount, None, rule


RULES: dict[str, Callable] = {
    "eaje_new_places": eaje_new_places,
    "eaje_existing_places": eaje_existing_places,
    "eaje_trajectoire": eaje_trajectoire,
    "eaje_mixite": eaje_mixite,
    "eaje_handicap": eaje_handicap,
    "ctre": ctre,
    "alsh_new_hours": alsh_new_hours,
    "coordination_post": coordination_post,
    "remaining_cost": remaining_cost,
}

KIND_LABELS = {
    "eaje_new_places": "EAJE : places nouvelles (bonus territoire)",
    "eaje_existing_places": "EAJE : places existantes (bonus territoire)",
    "eaje_trajectoire": "EAJE : bonus trajectoire",
    "eaje_mixite": "EAJE : bonus mixité sociale",
    "eaje_handicap": "EAJE : bonus inclusion handicap",
    "ctre": "Contrat territorial réservataire (CTRE)",
    "alsh_new_hours": "ALSH : heures nouvelles",
    "coordination_post": "Poste de coordination",
    "remaining_cost": "Reste à charge de la collectivité",
}

# The inputs of each kind (name, French label), for the simulator's form and the command's help.
INPUTS: dict[str, list[tuple[str, str]]] = {
    "eaje_new_places": [("places", "Places"), ("tranche", "Tranche (1, 2 ou 3)")],
    "eaje_existing_places": [
        ("places", "Places"),
        ("former_cej_amount", "Ancien montant CEJ (€ par an)"),
        ("amount_per_place", "ou montant lissé par place (€)"),
    ],
    "eaje_trajectoire": [
        ("places_2023", "Places cofinancées 2023"),
        ("places_2027", "Places cofinancées 2027"),
    ],
    "eaje_mixite": [("places", "Places"), ("participation_horaire", "Participation moyenne (€ par heure)")],
    "eaje_handicap": [
        ("places", "Places"),
        ("share_percent", "Part d'enfants en situation de handicap (%)"),
        ("cost_per_place", "Prix de revient par place (€ par an)"),
    ],
    "ctre": [("places", "Places réservées")],
    "alsh_new_hours": [
        ("contracted_hours", "Heures contractualisées"),
        ("requested_hours", "Heures demandées"),
    ],
    "coordination_post": [("fte", "ETP"), ("cost", "Coût annuel du poste (€)")],
    "remaining_cost": [
        ("places", "Places"),
        ("cost_per_place", "Coût par place (€ par an, facultatif)"),
        ("other_funding", "Autres financements (€ par an, facultatif)"),
    ],
}


def compute(kind: str, inputs: Mapping, parameters: Mapping[str, Effective], *, year: int) -> Result:
    """The result of one line: its amount (or eligible hours), rule and parameters, or its problem."""
    rule = RULES.get(kind)
    if rule is None:
        known = ", ".join(RULES)
        return Result(problem=f"Type de ligne inconnu « {kind} » (types connus : {known}).")
    use = _Uses(parameters, f" pour {year}")
    try:
        if rule is eaje_existing_places:
            amount, hours, text = rule(inputs, use, year)
        else:
            amount, hours, text = rule(inputs, use)
    except LineProblem as problem:
        return Result(parameters=use.used, problem=str(problem))
    return Result(
        amount=None if amount is None else _cents(amount),
        eligible_hours=hours,
        rule=text,
        parameters=use.used,
    )
