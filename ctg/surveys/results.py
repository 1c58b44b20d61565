"""The results of a questionnaire: counts, distributions, rankings, schedule grids, free texts and cross-tabs,
computed from the non-test responses only.

Counting rules
--------------
- A choice question counts each option once per respondent who ticked it (a respondent ticking three options
  of a multiple choice counts once in each of the three; the combinations are never counted), so the options'
  counts of a multiple choice add up to more than its respondents. « Autre (préciser) » is a line of its own
  (the answers with a precision); its texts are listed for the coordination.
- Échelle and nombre: count, mean and median (and the count of each step of a scale).
- Classement: the mean rank of each item (1 = first choice) over the respondents who ranked.
- Grille horaire: the number of respondents who checked each cell.
- Commune: the count per commune.

Small groups (statistical secrecy)
----------------------------------
What is shown outside the coordination MUST NOT reveal a group of fewer than `THRESHOLD` (5) respondents:
with `full=False`, every count from 1 to 4 reads « < 5 », and so does every figure built on it (its
percentage, a mean over fewer than 5). A masked cell that could be found again by subtraction (the only masked
cell of a row or a column whose total is shown) takes its smallest neighbour with it (complementary
suppression, `suppress`), until no line has a single masked cell. `full=True` is for the people who hold
`Op.MANAGE_DIAGNOSTIC` (pilote CAF, coordination): every count, and the free texts.
"""

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ctg.diagnostics.charts import WebChart
from ctg.surveys import rules
from ctg.surveys.models import Audience, Question, Response

THRESHOLD = 5
MASK = "< 5"
OTHER = "Autre (préciser)"
TEXT_KINDS = (Question.Kind.SHORT_TEXT, Question.Kind.LONG_TEXT)
CROSSABLE = (
    Question.Kind.SINGLE_CHOICE,
    Question.Kind.MULTIPLE_CHOICE,
    Question.Kind.SCALE,
    Question.Kind.COMMUNE,
)
VARIABLES = {"type": "Type de répondant", "canal": "Canal de diffusion", "commune": "Commune"}
NO_COMMUNE = "Commune non renseignée"
NO_TYPE = "Non précisé"
NO_TYPE_CODE = ""


# --- masking (pure) --------------------------------------------------------------------------------------


@dataclass
class Cell:
    """A count and whether it is hidden (« < 5 »)."""

    n: int
    masked: bool = False

    @property
    def display(self) -> str:
        return MASK if self.masked else format_int(self.n)


def format_int(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def format_number(value: float, digits: int = 1) -> str:
    text = f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")
    return text


def small(n: int) -> bool:
    return 0 < n < THRESHOLD


def suppress(lines: list[tuple[list[Cell], Cell | None]]) -> None:
    """Masks the small cells, then the complementary ones: `lines` are the (cells, total) of every row and
    column whose total is shown; a line with exactly one masked cell and its total visible masks its smallest
    other non-zero cell (or its total when there is none), again until nothing changes."""
    for cells, total in lines:
        for cell in [*cells, *([total] if total is not None else [])]:
            if small(cell.n):
                cell.masked = True
    changed = True
    while changed:
        changed = False
        for cells, total in lines:
            if total is None or total.masked:
                continue
            if sum(1 for cell in cells if cell.masked) != 1:
                continue
            candidates = sorted((c for c in cells if not c.masked and c.n > 0), key=lambda c: c.n)
            (candidates[0] if candidates else total).masked = True
            changed = True


def percent(cell: Cell, total: Cell) -> str:
    """« 42 % » of a visible cell over a visible non-zero total; « — » otherwise."""
    if cell.masked or total.masked or not total.n:
        return "—"
    return f"{round(100 * cell.n / total.n)}\u202f%"


# --- per question ---------------------------------------------------------------------------------------


@dataclass
class Line:
    label: str
    cell: Cell
    percent: str = ""
    code: str = ""


@dataclass
class TextAnswer:
    answer_id: int
    text: str
    tags: list = field(default_factory=list)
    is_other: bool = False


@dataclass
class QuestionResult:
    question: Question
    number: int
    respondents: Cell
    lines: list = field(default_factory=list)  # choices, communes, scale steps
    stats: list = field(default_factory=list)  # (label, value) of échelle / nombre
    ranking: list = field(default_factory=list)  # (label, mean rank, respondents)
    grid_slots: list = field(default_factory=list)
    grid: list = field(default_factory=list)  # (day, [Cell])
    texts: list = field(default_factory=list)  # TextAnswer, coordination only
    chart: WebChart | None = None
    chart_note: str = ""
    hidden: bool = False  # fewer than 5 respondents, outside the coordination

    @property
    def anchor(self) -> str:
        return f"question-{self.question.pk}"


def questions_of(questionnaire) -> list[Question]:
    return list(
        questionnaire.questions.select_related("section")
        .prefetch_related("options")
        .order_by("section__order", "section_id", "order", "id")
    )


def _answers(questionnaire):
    from ctg.surveys.models import Answer

    return Answer.objects.filter(response__questionnaire=questionnaire, response__is_test=False)


def _chart(lines: list[Line], title: str) -> tuple[WebChart | None, str]:
    """A horizontal bar chart of the visible lines; the masked ones are left out (and said)."""
    shown = [line for line in lines if not line.cell.masked]
    if not shown or not any(line.cell.n for line in shown):
        return None, ""
    note = ""
    if len(shown) < len(lines):
        note = "Les effectifs inférieurs à 5 ne sont pas représentés sur le graphique."
    chart = WebChart(
        labels=[line.label for line in shown],
        series=[[line.cell.n for line in shown]],
        names=[title],
        unit="répondants",
        horizontal=True,
        aspect_ratio=max(1.2, min(4.0, 6 / max(1, len(shown)) + 1)),
    )
    return chart, note


def _counted_lines(labelled: list[tuple[str, str, int]], respondents: Cell, full: bool) -> list[Line]:
    lines = [Line(label=label, code=code, cell=Cell(n)) for code, label, n in labelled]
    if not full:
        suppress([([line.cell for line in lines], respondents)])
    for line in lines:
        line.percent = percent(line.cell, respondents)
    return lines


def _stats(values: list[float], full: bool) -> tuple[list, bool]:
    if not values:
        return [("Répondants", "0")], False
    if not full and len(values) < THRESHOLD:
        return [("Répondants", MASK), ("Moyenne", "—"), ("Médiane", "—")], True
    return [
        ("Répondants", format_int(len(values))),
        ("Moyenne", format_number(statistics.fmean(values))),
        ("Médiane", format_number(statistics.median(values))),
    ], False


def question_result(question, number, rows, *, full, communes=None, tags=None) -> QuestionResult:
    """The result of one question from its answers `rows` ((answer id, value, other text) of non-test
    responses)."""
    respondents = Cell(len(rows))
    if not full and small(respondents.n):
        respondents.masked = True
    result = QuestionResult(question=question, number=number, respondents=respondents)
    kind = question.kind
    tags = tags or {}
    if kind in (Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE):
        counts = Counter()
        others = 0
        for answer_id, value, other in rows:
            for option_id in set(value or []):  # once per respondent, whatever the combination
                counts[option_id] += 1
            if other:
                others += 1
                if full:
                    result.texts.append(TextAnswer(answer_id, other, tags.get(answer_id, []), is_other=True))
        labelled = [(o.code, o.label, counts[o.pk]) for o in question.options.all()]
        if question.allow_other:
            labelled.append(("autre", OTHER, others))
        result.lines = _counted_lines(labelled, respondents, full)
    elif kind == Question.Kind.COMMUNE:
        counts = Counter(value for _id, value, _o in rows)
        names = communes or {}
        labelled = sorted(
            ((code, names.get(code, code), n) for code, n in counts.items()), key=lambda item: item[1]
        )
        result.lines = _counted_lines(labelled, respondents, full)
    elif kind == Question.Kind.SCALE:
        low, high = rules.scale_bounds(
            rules.QuestionRule(
                id=0, kind="echelle", min_value=question.min_value, max_value=question.max_value
            )
        )
        values = [int(value) for _id, value, _o in rows if isinstance(value, int | float)]
        counts = Counter(values)
        labelled = []
        for step in range(low, high + 1):
            label = str(step)
            if step == low and question.min_label:
                label = f"{step} ({question.min_label})"
            elif step == high and question.max_label:
                label = f"{step} ({question.max_label})"
            labelled.append((str(step), label, counts[step]))
        result.lines = _counted_lines(labelled, respondents, full)
        result.stats, result.hidden = _stats(values, full)
    elif kind == Question.Kind.NUMBER:
        values = [float(value) for _id, value, _o in rows if isinstance(value, int | float)]
        result.stats, result.hidden = _stats(values, full)
    elif kind == Question.Kind.RANKING:
        ranks = defaultdict(list)
        for _id, value, _o in rows:
            for rank, option_id in enumerate(value or [], start=1):
                ranks[option_id].append(rank)
        result.hidden = not full and len(rows) < THRESHOLD
        items = []
        for option in question.options.all():
            given = ranks.get(option.pk, [])
            mean = statistics.fmean(given) if given else None
            shown = "—" if result.hidden or mean is None else format_number(mean)
            items.append((option.label, shown, mean if not result.hidden else None))
        result.ranking = sorted(items, key=lambda item: (item[2] is None, item[2] or 0))
    elif kind == Question.Kind.SCHEDULE:
        cells = rules.schedule_cells(question.schedule_days, question.schedule_slots)
        counts = Counter(code for _id, value, _o in rows for code in set(value or []))
        slots = list(dict.fromkeys(slot for _c, _d, slot in cells))
        days = list(dict.fromkeys(day for _c, day, _s in cells))
        grid = {day: [] for day in days}
        for code, day, _slot in cells:
            grid[day].append(Cell(counts[code]))
        if not full:
            every = [cell for row in grid.values() for cell in row]
            suppress([(every, None)])
        result.grid_slots = slots
        result.grid = list(grid.items())
        flat = [
            Line(label=f"{day} {slot.lower()}", cell=cell)
            for (code, day, slot), cell in zip(cells, [c for row in grid.values() for c in row], strict=True)
        ]
        result.chart, result.chart_note = _chart(flat, question.label)
    elif kind in TEXT_KINDS and full:
        result.texts = [
            TextAnswer(answer_id, str(value), tags.get(answer_id, []))
            for answer_id, value, _o in rows
            if value
        ]
    if result.lines and kind != Question.Kind.SCHEDULE:
        result.chart, result.chart_note = _chart(result.lines, question.label)
    return result


@dataclass
class Results:
    respondents: int
    questions: list
    full: bool
    by_channel: list = field(default_factory=list)


def compute(questionnaire, *, full: bool) -> Results:
    """Every question's result (see the module's docstring); `full` for the coordination only."""
    from ctg.surveys.tags import AnswerTag

    questions = questions_of(questionnaire)
    rows = defaultdict(list)
    for answer_id, question_id, value, other in _answers(questionnaire).values_list(
        "id", "question_id", "value", "other_text"
    ):
        rows[question_id].append((answer_id, value, other))
    tags = defaultdict(list)
    if full:
        for answer_id, label in AnswerTag.objects.filter(
            answer__response__questionnaire=questionnaire
        ).values_list("answer_id", "label"):
            tags[answer_id].append(label)
    communes = dict(questionnaire.ctg.communes.values_list("code", "name"))
    total = Response.objects.filter(questionnaire=questionnaire, is_test=False).count()
    results = [
        question_result(q, number, rows[q.pk], full=full, communes=communes, tags=tags)
        for number, q in enumerate(questions, start=1)
    ]
    return Results(respondents=total, questions=results, full=full)


def respondents_label(n: int, full: bool) -> str:
    return MASK if not full and small(n) else format_int(n)


# --- cross-tabs ------------------------------------------------------------------------------------------


@dataclass
class CrossTab:
    question: Question
    variable: str
    columns: list  # labels of the question's answers
    rows: list  # (label, [Cell], total Cell)
    column_totals: list
    total: Cell

    @property
    def variable_label(self) -> str:
        return VARIABLES[self.variable]


def crossable(questions) -> list[Question]:
    return [q for q in questions if q.kind in CROSSABLE]


def respondent_types(questionnaire) -> dict[int, tuple[str, str]] | None:
    """When the questionnaire has a `respondent_type_question`, the type of each non-test response as
    (option code, label) read from its answer to that question: the chosen option, « Autre (préciser) »
    (code « autre ») for a precision, (« », « Non précisé ») for a respondent who skipped it. None without
    such a question (the type is then the questionnaire's audience, `Response.respondent_type`)."""
    question = questionnaire.respondent_type_question
    if question is None:
        return None
    options = {o.pk: (o.code, o.label) for o in question.options.all()}
    chosen = {}
    for response_id, value, other in (
        _answers(questionnaire).filter(question=question).values_list("response_id", "value", "other_text")
    ):
        picked = [options[pk] for pk in value or [] if pk in options]
        if picked:
            chosen[response_id] = picked[0]
        elif other:
            chosen[response_id] = ("autre", OTHER)
    responses = Response.objects.filter(questionnaire=questionnaire, is_test=False).values_list(
        "id", flat=True
    )
    return {pk: chosen.get(pk, (NO_TYPE_CODE, NO_TYPE)) for pk in responses}


def _variable_of(response_values, variable) -> str:
    respondent_type, channel, commune_name = response_values
    if variable == "type":
        return Audience(respondent_type).label if respondent_type in Audience.values else respondent_type
    if variable == "canal":
        return channel or "—"
    return commune_name or NO_COMMUNE


def crosstab(questionnaire, question, variable, *, full: bool) -> CrossTab:
    """The answers of `question` (a choice, a scale or a commune) by respondent type, channel or commune: the
    number of respondents of each group who gave each answer (a multiple choice counts each option once per
    respondent), masked as the results are when not `full`. The respondent type is the answer to the
    questionnaire's `respondent_type_question` when it has one (`respondent_types`), else its audience."""
    if variable not in VARIABLES:
        raise ValueError(variable)
    groups = {
        pk: _variable_of(values, variable)
        for pk, *values in Response.objects.filter(questionnaire=questionnaire, is_test=False).values_list(
            "id", "respondent_type", "channel", "commune__name"
        )
    }
    typed = respondent_types(questionnaire) if variable == "type" else None
    if typed is not None:
        groups = {pk: label for pk, (_code, label) in typed.items()}
    answers = list(
        _answers(questionnaire).filter(question=question).values_list("response_id", "value", "other_text")
    )
    if question.kind in (Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE):
        keys = [(o.pk, o.label) for o in question.options.all()]
        if question.allow_other:
            keys.append(("autre", OTHER))

        def chosen(value, other):
            return set(value or []) | ({"autre"} if other else set())

    elif question.kind == Question.Kind.SCALE:
        low, high = rules.scale_bounds(
            rules.QuestionRule(
                id=0, kind="echelle", min_value=question.min_value, max_value=question.max_value
            )
        )
        keys = [(step, str(step)) for step in range(low, high + 1)]

        def chosen(value, other):
            return {value}

    else:
        names = dict(questionnaire.ctg.communes.values_list("code", "name"))
        keys = sorted(((code, name) for code, name in names.items()), key=lambda item: item[1])

        def chosen(value, other):
            return {value}

    counts = defaultdict(Counter)
    group_totals = Counter()
    for response_id, value, other in answers:
        group = groups.get(response_id, "—")
        group_totals[group] += 1
        for key in chosen(value, other):
            counts[group][key] += 1
    if question.kind == Question.Kind.COMMUNE:
        keys = [(code, name) for code, name in keys if any(counts[g][code] for g in counts)]
    rows = [
        (group, [Cell(counts[group][key]) for key, _label in keys], Cell(group_totals[group]))
        for group in sorted(group_totals)
    ]
    column_totals = [Cell(sum(counts[g][key] for g in counts)) for key, _label in keys]
    total = Cell(len(answers))
    if not full:
        lines = [(cells, row_total) for _g, cells, row_total in rows]
        lines += [([row[1][i] for row in rows], column_totals[i]) for i in range(len(keys))]
        lines.append(([row_total for _g, _c, row_total in rows], total))
        lines.append((column_totals, total))
        suppress(lines)
    return CrossTab(
        question=question,
        variable=variable,
        columns=[label for _key, label in keys],
        rows=rows,
        column_totals=column_totals,
        total=total,
    )


# --- the masked aggregate (export for every member) --------------------------------------------------------


def aggregate_rows(results: Results) -> list[list]:
    """(question n°, question, answer, count, percentage) of every counted line, masked as `results` is."""
    rows = []
    for item in results.questions:
        label = item.question.label
        for line in item.lines:
            rows.append([item.number, label, line.label, line.cell.display, line.percent])
        for stat, value in item.stats:
            rows.append([item.number, label, stat, value, ""])
        for option, mean, _raw in item.ranking:
            rows.append([item.number, label, f"Rang moyen : {option}", mean, ""])
        for day, cells in item.grid:
            for slot, cell in zip(item.grid_slots, cells, strict=True):
                rows.append([item.number, label, f"{day} {slot.lower()}", cell.display, ""])
        if not (item.lines or item.stats or item.ranking or item.grid):
            rows.append([item.number, label, "Répondants", item.respondents.display, ""])
    return rows
