"""The rules of a questionnaire's answers, pure (no ORM): which questions are visible given the answers, and
what a submitted form may hold. The public form, the paper entry and the services all use them.

Contract
--------
- `read_submission(structure, data)` reads a submitted form (a mapping with `getlist`, e.g. `request.POST`;
  field `q<id>` for the values, `q<id>-autre` for « Autre (préciser) »). It MUST NOT trust the form: a field
  naming a question that is not in this questionnaire (another dossier's question id) is a problem of the
  whole form (key None).
- `check_answers(structure, submitted)` returns `(problems, answers)`: `problems` maps a question id (or None
  for the whole form) to French messages; `answers` maps each visible, answered question to its normalised
  value (`Normalised`), in question order. When `problems` is not empty, nothing may be stored.
- `answer_problems(structure, submitted)` is the problems alone.
- A condition bypass is REFUSED, not ignored: an answer to a question that the earlier answers hide is a
  problem (« Cette question ne s'applique pas… »). The form hides such questions with a script and says the
  condition in their label, so a person without the script knows to leave them empty.
- Conditions are read in question order: a question is visible when it has no condition, or when the
  question it depends on (always an earlier one) is visible and meets it. « est » : the option is among the
  chosen ones; « n'est pas » : it is not (an unanswered question is « not » any option); « a répondu » /
  « n'a pas répondu » : the question has an answer or not. An invalid answer counts as no answer.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 5000
OTHER_TEXT_MAX = 500
OTHER = "autre"

SCHEDULE_DAYS = {
    "lun": "Lundi",
    "mar": "Mardi",
    "mer": "Mercredi",
    "jeu": "Jeudi",
    "ven": "Vendredi",
    "sam": "Samedi",
    "dim": "Dimanche",
}
DAYS_OF = {"lun-ven": 5, "lun-sam": 6, "lun-dim": 7}
SCHEDULE_SLOTS = {
    "demi_journees": {"matin": "Matin", "apres_midi": "Après-midi"},
    "creneaux": {
        "avant_8h": "Avant 8 h",
        "matin": "8 h – 12 h",
        "midi": "12 h – 14 h",
        "apres_midi": "14 h – 18 h",
        "apres_18h": "Après 18 h",
    },
}

CHOICES = ("choix_unique", "choix_multiple")
_FIELD = re.compile(r"q(\d+)(?:-.*)?")


@dataclass(frozen=True)
class QuestionRule:
    """What the rules need of a question (built from the models by `services.structure_of`)."""

    id: int
    kind: str
    label: str = ""
    required: bool = False
    allow_other: bool = False
    options: tuple[int, ...] = ()
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    schedule_days: str = "lun-ven"
    schedule_slots: str = "demi_journees"
    condition_question: int | None = None
    condition_operator: str = ""
    condition_option: int | None = None


@dataclass(frozen=True)
class Structure:
    """The questions in order (sections first, then questions) and the communes of the dossier."""

    questions: tuple[QuestionRule, ...]
    communes: frozenset[str] = frozenset()

    def question(self, question_id: int) -> QuestionRule | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class Submitted:
    values: tuple[str, ...] = ()
    other: str = ""


@dataclass(frozen=True)
class Normalised:
    """A stored answer: `value` as `Answer.value`, the chosen options, the « Autre » text, the commune."""

    value: object
    option_ids: tuple[int, ...] = ()
    other_text: str = ""
    commune: str | None = None


@dataclass
class Checked:
    problems: dict = field(default_factory=dict)
    answers: dict = field(default_factory=dict)


# --- the grid of a schedule question -------------------------------------------------------------------


def schedule_cells(days: str, slots: str) -> list[tuple[str, str, str]]:
    """The cells of a week's grid, in grid order: (code « lun-matin », day label, slot label)."""
    day_codes = list(SCHEDULE_DAYS)[: DAYS_OF.get(days, 5)]
    slot_labels = SCHEDULE_SLOTS.get(slots, SCHEDULE_SLOTS["demi_journees"])
    return [
        (f"{day}-{slot}", SCHEDULE_DAYS[day], label)
        for day in day_codes
        for slot, label in slot_labels.items()
    ]


def scale_bounds(question: QuestionRule) -> tuple[int, int]:
    low = int(question.min_value) if question.min_value is not None else 1
    high = int(question.max_value) if question.max_value is not None else 5
    return low, high


# --- reading a form ------------------------------------------------------------------------------------


def _getlist(data, key) -> list:
    if hasattr(data, "getlist"):
        return list(data.getlist(key))
    value = data.get(key)
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def read_submission(structure: Structure, data) -> tuple[dict[int, Submitted], list[str]]:
    """The submitted values of each question of the structure, and the problems of the whole form (a field
    that names an unknown question)."""
    known = {q.id for q in structure.questions}
    unknown = False
    for key in list(data):
        match = _FIELD.fullmatch(key)
        if match and int(match.group(1)) not in known:
            unknown = True
    submitted = {}
    for question in structure.questions:
        values = tuple(str(v).strip() for v in _getlist(data, f"q{question.id}") if str(v).strip())
        other_values = _getlist(data, f"q{question.id}-autre")
        other = str(other_values[0]).strip() if other_values else ""
        if values or other:
            submitted[question.id] = Submitted(values=values, other=other)
    problems = ["Le formulaire contient une question qui n'est pas de ce questionnaire."] if unknown else []
    return submitted, problems


# --- one question --------------------------------------------------------------------------------------


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(" ", "").replace("\u202f", "").replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _option_ids(question: QuestionRule, values) -> tuple[list[int], bool, bool]:
    """The chosen option ids, whether « Autre » was chosen, whether a value was not an option."""
    ids, other, tampered = [], False, False
    for value in values:
        if value == OTHER and question.allow_other:
            other = True
        elif value.isdigit() and int(value) in question.options:
            if int(value) not in ids:
                ids.append(int(value))
        else:
            tampered = True
    return ids, other, tampered


def _check_one(question: QuestionRule, sub: Submitted, communes) -> tuple[list[str], Normalised | None]:
    kind = question.kind
    values = sub.values
    if kind in ("texte_court", "texte_long"):
        limit = SHORT_TEXT_MAX if kind == "texte_court" else LONG_TEXT_MAX
        text = values[0] if values else ""
        if len(values) > 1:
            return ["Une seule réponse est attendue."], None
        if len(text) > limit:
            return [f"Votre réponse dépasse {limit} caractères ({len(text)})."], None
        if kind == "texte_court" and ("\n" in text or "\r" in text):
            text = " ".join(text.split())
        return ([], Normalised(text)) if text else ([], None)
    if kind in CHOICES:
        ids, other, tampered = _option_ids(question, values)
        other_text = sub.other
        if other_text and not question.allow_other:
            return ["Cette question ne propose pas « Autre »."], None
        if other_text:
            other = True
        if tampered:
            return ["Un choix n'est pas une réponse proposée par cette question."], None
        if len(other_text) > OTHER_TEXT_MAX:
            return [f"La précision dépasse {OTHER_TEXT_MAX} caractères."], None
        if other and not other_text:
            return ["Précisez votre réponse « Autre »."], None
        if kind == "choix_unique" and len(ids) + (1 if other else 0) > 1:
            return ["Un seul choix est possible."], None
        if not ids and not other:
            return [], None
        return [], Normalised(ids, option_ids=tuple(ids), other_text=other_text)
    if sub.other:
        return ["Cette question ne propose pas « Autre »."], None
    if kind == "classement":
        ids = []
        for value in values:
            if not value.isdigit() or int(value) not in question.options:
                return ["Un choix n'est pas une réponse proposée par cette question."], None
            ids.append(int(value))
        if not ids:
            return [], None
        if sorted(ids) != sorted(question.options):
            return ["Classez chaque proposition une fois, chacune à un rang différent."], None
        return [], Normalised(ids, option_ids=tuple(ids))
    if len(values) > 1 and kind != "grille_horaire":
        return ["Une seule réponse est attendue."], None
    text = values[0] if values else ""
    if kind == "grille_horaire":
        cells = [code for code, _d, _s in schedule_cells(question.schedule_days, question.schedule_slots)]
        if any(value not in cells for value in values):
            return ["Une case cochée n'existe pas dans cette grille."], None
        chosen = [code for code in cells if code in values]
        return ([], Normalised(chosen)) if chosen else ([], None)
    if not text:
        return [], None
    if kind == "echelle":
        low, high = scale_bounds(question)
        if not text.lstrip("-").isdigit() or not low <= int(text) <= high:
            return [f"Choisissez une valeur entre {low} et {high}."], None
        return [], Normalised(int(text))
    if kind == "nombre":
        number = _number(text)
        if number is None or len(text) > 30:
            return ["Saisissez un nombre (par exemple 3 ou 2,5)."], None
        if question.min_value is not None and number < question.min_value:
            return [f"Le nombre doit être au moins {_plain(question.min_value)}."], None
        if question.max_value is not None and number > question.max_value:
            return [f"Le nombre doit être au plus {_plain(question.max_value)}."], None
        value = int(number) if number == number.to_integral_value() else float(number)
        return [], Normalised(value)
    if kind == "date":
        try:
            day = datetime.date.fromisoformat(text)
        except ValueError:
            day = None
        if day is None or len(text) != 10 or not 1900 <= day.year <= 2100:
            return ["Saisissez une date valide (jj/mm/aaaa)."], None
        return [], Normalised(day.isoformat())
    if kind == "commune":
        if text not in communes:
            return ["Choisissez une commune du territoire dans la liste."], None
        return [], Normalised(text, commune=text)
    return ["Type de question inconnu."], None


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f").rstrip("0")
    return text.replace(".", ",")


# --- conditions ----------------------------------------------------------------------------------------


def condition_met(question: QuestionRule, answer: Normalised | None) -> bool:
    """Whether the answer to the question it depends on meets the question's condition."""
    operator = question.condition_operator
    if operator == "a_repondu":
        return answer is not None
    if operator == "n_a_pas_repondu":
        return answer is None
    chosen = answer.option_ids if answer is not None else ()
    if operator == "est":
        return question.condition_option in chosen
    if operator == "n_est_pas":
        return question.condition_option not in chosen
    return True


def visible_questions(structure: Structure, answers: dict[int, Normalised]) -> set[int]:
    """The ids of the questions shown given the (normalised) answers, read in question order."""
    visible: set[int] = set()
    for question in structure.questions:
        source = question.condition_question
        if source is None or (source in visible and condition_met(question, answers.get(source))):
            visible.add(question.id)
    return visible


# --- the whole form ------------------------------------------------------------------------------------


def check_answers(structure: Structure, submitted: dict[int, Submitted], form_problems=()) -> Checked:
    checked = Checked()
    if form_problems:
        checked.problems[None] = list(form_problems)
    valid: dict[int, Normalised] = {}
    visible: set[int] = set()
    for question in structure.questions:
        source = question.condition_question
        shown = source is None or (source in visible and condition_met(question, valid.get(source)))
        sub = submitted.get(question.id)
        if not shown:
            if sub is not None:
                checked.problems[question.id] = [
                    "Cette question ne s'applique pas à vos réponses précédentes : laissez-la vide."
                ]
            continue
        visible.add(question.id)
        if sub is None:
            problems, normalised = [], None
        else:
            problems, normalised = _check_one(question, sub, structure.communes)
        if problems:
            checked.problems[question.id] = problems
            continue
        if normalised is None:
            if question.required:
                checked.problems[question.id] = ["Cette question est obligatoire."]
            continue
        valid[question.id] = normalised
    checked.answers = valid
    return checked


def answer_problems(structure: Structure, submitted: dict[int, Submitted]) -> dict:
    return check_answers(structure, submitted).problems


# --- the builder's rules -------------------------------------------------------------------------------


def condition_problems(
    *, order: list[int], question_id: int | None, source_id: int, operator: str, option_id, source_kind: str
) -> list[str]:
    """A display condition may only point at an EARLIER question; « est » / « n'est pas » need an option of
    a choice question. `order`: the question ids in questionnaire order (the new question, not yet saved,
    comes last: `question_id` None)."""
    if source_id not in order:
        return ["La question de la condition n'est pas de ce questionnaire."]
    position = order.index(question_id) if question_id in order else len(order)
    if question_id == source_id or order.index(source_id) >= position:
        return ["Une condition ne peut porter que sur une question placée avant celle-ci."]
    if operator not in ("est", "n_est_pas", "a_repondu", "n_a_pas_repondu"):
        return ["Choisissez la condition."]
    if operator in ("est", "n_est_pas"):
        if source_kind not in CHOICES:
            return ["« est » et « n'est pas » portent sur une question à choix."]
        if option_id is None:
            return ["Choisissez la réponse attendue."]
    return []
