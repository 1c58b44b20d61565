"""Exports of a questionnaire's answers.

- The raw data (coordination only: `Op.MANAGE_DIAGNOSTIC`): one row per non-test response, columns
  « reponse », « date », « canal », « commune », « type_repondant », then one column per question named by its
  number (« Q3 »): a multiple choice gives one 0/1 column per option (« Q3_o1 »…; empty when the question was
  not answered) and « Q3_autre » for the precision, a ranking one rank column per item, a schedule grid one
  0/1 column per cell (« Q7_lun-matin »). « type_repondant » is the audience's code, or, when the
  questionnaire has a question that gives the respondent type, the code of the option chosen (empty: not
  given). The codebook (« dictionnaire ») names every column, its question, its type, its codes and the CTG
  field of its question: the sheet « Dictionnaire » of the xlsx, the file « dictionnaire.csv » beside
  « reponses.csv » in the zip of the CSV export.
- The masked aggregate (every member): the counts of `results.aggregate_rows`, « < 5 » outside the
  coordination.

Every cell goes through `ctg/datafiles.py` (formula-safe CSV, text cells in xlsx). Nothing is written.
"""

import io
import zipfile

from openpyxl import Workbook

from ctg.datafiles import csv_writer, xlsx_append
from ctg.surveys import rules
from ctg.surveys.models import Audience, Question, Response
from ctg.surveys.results import OTHER, TEXT_KINDS, questions_of, respondent_types

BASE_COLUMNS = [
    ("reponse", "Numéro de la réponse", "identifiant", ""),
    ("date", "Date d'envoi", "date (AAAA-MM-JJ HH:MM)", ""),
    ("canal", "Canal de diffusion", "texte", ""),
    ("commune", "Commune du répondant (code INSEE)", "code", ""),
    (
        "type_repondant",
        "Type de répondant",
        "code",
        " ; ".join(f"{v} = {label}" for v, label in Audience.choices),
    ),
]
TICK = "0 = non coché, 1 = coché (vide : question non posée ou sans réponse)"


def _scale_codes(question) -> str:
    low, high = rules.scale_bounds(
        rules.QuestionRule(id=0, kind="echelle", min_value=question.min_value, max_value=question.max_value)
    )
    ends = []
    if question.min_label:
        ends.append(f"{low} = {question.min_label}")
    if question.max_label:
        ends.append(f"{high} = {question.max_label}")
    return f"de {low} à {high}" + (f" ({' ; '.join(ends)})" if ends else "")


def columns_of(questions) -> list[dict]:
    """The columns after the base ones: name, question number and label, type, codes, and how to read a
    cell from an answer (`read(value, other_text)`)."""
    columns = []
    for number, question in enumerate(questions, start=1):
        name = f"Q{number}"
        kind = question.get_kind_display()

        def add(column, type_, codes, read, *, q=question, n=number):
            columns.append(
                {"name": column, "number": n, "question": q, "type": type_, "codes": codes, "read": read}
            )

        options = list(question.options.all())
        if question.kind == Question.Kind.MULTIPLE_CHOICE:
            for option in options:
                add(
                    f"{name}_{option.code}",
                    f"{kind} : {option.label}",
                    TICK,
                    lambda value, other, pk=option.pk: 1 if pk in (value or []) else 0,
                )
        elif question.kind == Question.Kind.SINGLE_CHOICE:
            by_pk = {o.pk: o.code for o in options}
            add(
                name,
                kind,
                " ; ".join(f"{o.code} = {o.label}" for o in options),
                lambda value, other, by_pk=by_pk: by_pk.get((value or [None])[0], ""),
            )
        elif question.kind == Question.Kind.RANKING:
            for option in options:
                add(
                    f"{name}_{option.code}",
                    f"{kind} : {option.label}",
                    f"rang donné à « {option.label} » (1 = premier choix)",
                    lambda value, other, pk=option.pk: (
                        (list(value or []).index(pk) + 1) if pk in (value or []) else ""
                    ),
                )
        elif question.kind == Question.Kind.SCHEDULE:
            for code, day, slot in rules.schedule_cells(question.schedule_days, question.schedule_slots):
                add(
                    f"{name}_{code}",
                    f"{kind} : {day} {slot.lower()}",
                    TICK,
                    lambda value, other, code=code: 1 if code in (value or []) else 0,
                )
        elif question.kind == Question.Kind.SCALE:
            add(name, kind, _scale_codes(question), lambda value, other: value)
        elif question.kind == Question.Kind.NUMBER:
            add(name, kind, "nombre", lambda value, other: value)
        elif question.kind == Question.Kind.COMMUNE:
            add(name, kind, "code INSEE de la commune", lambda value, other: value)
        elif question.kind == Question.Kind.DATE:
            add(name, kind, "date (AAAA-MM-JJ)", lambda value, other: value)
        elif question.kind in TEXT_KINDS:
            add(name, kind, "texte libre", lambda value, other: value)
        if question.allow_other and question.kind in (
            Question.Kind.SINGLE_CHOICE,
            Question.Kind.MULTIPLE_CHOICE,
        ):
            add(f"{name}_autre", f"{kind} : Autre (préciser)", "texte libre", lambda value, other: other)
    return columns


def table(questionnaire) -> tuple[list[str], list[list], list[list[str]]]:
    """(header, rows, codebook rows) of the raw export."""
    questions = questions_of(questionnaire)
    columns = columns_of(questions)
    responses = list(
        Response.objects.filter(questionnaire=questionnaire, is_test=False)
        .select_related("commune")
        .prefetch_related("answers")
        .order_by("submitted_at", "id")
    )
    base = list(BASE_COLUMNS)
    typed = respondent_types(questionnaire)
    if typed is not None:
        question = questionnaire.respondent_type_question
        codes = [f"{o.code} = {o.label}" for o in question.options.all()]
        if question.allow_other:
            codes.append(f"autre = {OTHER}")
        codes.append("vide = non précisé")
        base[4] = (
            "type_repondant",
            f"Type de répondant (réponse à « {question.label} »)",
            "code",
            " ; ".join(codes),
        )
    header = [name for name, *_rest in base] + [c["name"] for c in columns]
    rows = []
    for response in responses:
        answers = {a.question_id: a for a in response.answers.all()}
        row = [
            response.pk,
            response.submitted_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            response.channel,
            response.commune_id or "",
            response.respondent_type if typed is None else typed.get(response.pk, ("", ""))[0],
        ]
        for column in columns:
            answer = answers.get(column["question"].pk)
            row.append("" if answer is None else column["read"](answer.value, answer.other_text))
        rows.append(["" if cell is None else cell for cell in row])
    codebook = [["colonne", "question", "intitulé", "type", "codes", "champ de la CTG"]]
    codebook += [[name, "", label, type_, codes, ""] for name, label, type_, codes in base]
    codebook += [
        [
            c["name"],
            f"Q{c['number']}",
            c["question"].label,
            c["type"],
            c["codes"],
            c["question"].get_field_display() if c["question"].field else "",
        ]
        for c in columns
    ]
    return header, rows, codebook


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def raw_zip(questionnaire) -> bytes:
    """« reponses.csv » and « dictionnaire.csv » in one zip."""
    header, rows, codebook = table(questionnaire)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("reponses.csv", _csv([header, *rows]))
        archive.writestr("dictionnaire.csv", _csv(codebook))
    return buffer.getvalue()


def raw_xlsx(questionnaire) -> bytes:
    """Sheets « Réponses » and « Dictionnaire »."""
    header, rows, codebook = table(questionnaire)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Réponses"
    for row in [header, *rows]:
        xlsx_append(sheet, row)
    dictionary = workbook.create_sheet("Dictionnaire")
    for row in codebook:
        xlsx_append(dictionary, row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


AGGREGATE_HEADER = ["question", "intitulé", "réponse", "effectif", "part des répondants"]


def aggregate_csv(results) -> bytes:
    from ctg.surveys.results import aggregate_rows

    return _csv([AGGREGATE_HEADER, *aggregate_rows(results)])
