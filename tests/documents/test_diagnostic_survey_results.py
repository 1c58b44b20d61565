"""The questionnaires' results in the diagnostic document (issue 13, item 4): a question tagged with a CTG
field gives its counts in that field's part — each option of a multiple choice once per respondent, the
questionnaire's name, audience, period and respondents — in the built document, the PDF and the DOCX; a
questionnaire answered by fewer than 5 people shows no figure of its questions (masked as anything shared
outside the coordination), free texts are counted, never reproduced; a question of a field the dossier does
not cover goes to the cross-cutting stakes; a question without field stays out of the fields' parts."""

import io

import pytest

from ctg.documents import diagnostic, diagnostic_render
from ctg.surveys import services
from ctg.surveys.models import Question
from tests.documents.test_diagnostic_report import flat, pdf_text

pytestmark = pytest.mark.django_db

SECRET_TEXT = "Texte libre confidentiel 4242"


def _questionnaire(ctg, *, title, audience, questions, answers):
    """A questionnaire opened with `questions` (key → create arguments) and `answers` (a list of {key:
    value}, option labels for the choice questions), answered through the public link."""
    questionnaire = services.questionnaire_create(ctg=ctg, actor=None, title=title, audience=audience)
    section = services.section_create(questionnaire=questionnaire, actor=None, title="Questions")
    created = {
        key: services.question_create(questionnaire=questionnaire, actor=None, section=section, **values)
        for key, values in questions.items()
    }
    link = services.link_create(questionnaire=questionnaire, actor=None, channel="école")
    services.questionnaire_open(questionnaire=questionnaire, actor=None)
    for answer in answers:
        data = {}
        for key, value in answer.items():
            question = created[key]
            if question.has_options:
                labels = value if isinstance(value, list) else [value]
                data[f"q{question.pk}"] = [str(question.options.get(label=label).pk) for label in labels]
            else:
                data[f"q{question.pk}"] = value
        services.response_submit(questionnaire=questionnaire, link=link, data=data)
    return questionnaire


@pytest.fixture
def dossier(world):
    ctg = world.ctg
    ctg.fields = ["petite_enfance", "jeunesse"]
    ctg.save()
    families = {
        "modes": {
            "kind": Question.Kind.MULTIPLE_CHOICE,
            "label": "Modes de garde utilisés",
            "options_text": "Crèche\nAssistante maternelle\nFamille",
            "field": "petite_enfance",
        },
        "satisfaction": {
            "kind": Question.Kind.SCALE,
            "label": "Satisfaction de l'accueil",
            "min_value": "1",
            "max_value": "5",
            "field": "petite_enfance",
        },
        "comment": {"kind": Question.Kind.LONG_TEXT, "label": "Vos remarques", "field": "petite_enfance"},
        "seniors": {
            "kind": Question.Kind.SINGLE_CHOICE,
            "label": "Aidez-vous un parent âgé ?",
            "options_text": "Oui\nNon",
            "field": "seniors",
        },
        "untagged": {
            "kind": Question.Kind.SINGLE_CHOICE,
            "label": "Question sans champ",
            "options_text": "Oui\nNon",
        },
    }
    answers = [
        {
            "modes": ["Crèche", "Famille", *(["Assistante maternelle"] if i < 5 else [])],
            "satisfaction": "4",
            "comment": SECRET_TEXT,
            "seniors": "Oui",
            "untagged": "Non",
        }
        for i in range(7)
    ]
    _questionnaire(
        ctg, title="Questionnaire aux familles", audience="familles", questions=families, answers=answers
    )
    nannies = {
        "places": {
            "kind": Question.Kind.SINGLE_CHOICE,
            "label": "Avez-vous des places libres ?",
            "options_text": "Oui\nNon",
            "field": "petite_enfance",
        }
    }
    _questionnaire(
        ctg,
        title="Questionnaire aux assistantes maternelles",
        audience="partenaires",
        questions=nannies,
        answers=[{"places": "Oui"}] * 3,
    )
    return world


def docx_in_order(content: bytes) -> str:
    """The DOCX's paragraphs and table cells in the order of the document (a table within its part)."""
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = Document(io.BytesIO(content))
    texts = []
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            texts.append(Paragraph(child, document).text)
        elif child.tag.endswith("}tbl"):
            texts += [cell.text for row in Table(child, document).rows for cell in row.cells]
    return flat("\n".join(texts))


def _part(text: str, start_title: str, end_title: str) -> str:
    """The text between the heading of a field's part and the next part's (in part 6 of the document)."""
    begin = text.rfind("Les champs de la CTG")  # after the PDF's table of contents
    start = text.find(start_title, begin)
    end = text.find(end_title, start)
    assert begin >= 0 and start > begin and end > start, (begin, start, end)
    return text[start:end]


def test_the_counts_of_a_field_appear_in_its_part_and_small_groups_are_masked(dossier):
    data = diagnostic.build(dossier.ctg)
    petite = next(p for p in data["fields"] if p["field"] == "petite_enfance")
    families, nannies = petite["questionnaire_results"]
    assert families["title"] == "Questionnaire aux familles" and families["audience"] == "Familles"
    assert families["respondents"] == "7" and families["period"].startswith("depuis le ")
    modes, satisfaction, comment = families["questions"]
    # Each option of the multiple choice once per respondent: 7 + 5 + 7 for 7 respondents.
    assert {line["label"]: line["count"] for line in modes["lines"]} == {
        "Crèche": "7",
        "Assistante maternelle": "5",
        "Famille": "7",
    }
    assert modes["respondents"] == "7" and not modes["masked"]
    assert {line["label"]: line["count"] for line in satisfaction["lines"]}["4"] == "7"
    assert comment["free_text"] and comment["answers_text"] == "7 réponses" and not comment["lines"]
    # The questionnaire of 3: no figure at all.
    assert nannies["respondents"] == "< 5" and nannies["respondents_text"] == "moins de 5 répondants"
    [places] = nannies["questions"]
    assert places["masked"] and places["lines"] == [] and places["respondents"] == "< 5"
    # The other parts hold none of them; the question without field is in no part; seniors is cross-cutting.
    jeunesse = next(p for p in data["fields"] if p["field"] == "jeunesse")
    assert jeunesse["questionnaire_results"] == []
    labels = [q["label"] for p in data["fields"] for e in p["questionnaire_results"] for q in e["questions"]]
    assert "Question sans champ" not in labels and "Aidez-vous un parent âgé ?" not in labels
    [other] = data["cross_cutting"]["questionnaire_results"]
    assert other["label"] == "Seniors" and other["questionnaires"][0]["questions"][0]["respondents"] == "7"
    assert data["snapshot"]["questionnaire_results"] == {"petite_enfance": 4, "seniors": 1}

    pdf = pdf_text(diagnostic_render.render_pdf(data))
    docx = docx_in_order(diagnostic_render.render_docx(data))
    for text in (pdf, docx):
        part = _part(text, "Petite enfance (0-3 ans)", "Jeunesse (11-25 ans)")
        assert (
            "Questionnaire « Questionnaire aux familles » — public : familles ; période : depuis le " in part
        )
        assert "7 répondants au total" in part
        assert "« Modes de garde utilisés » (choix multiple) — 7 répondants" in part
        assert (
            "Crèche 7 100 %" in part and "Assistante maternelle 5 71 %" in part and "Famille 7 100 %" in part
        )
        assert "« Satisfaction de l'accueil » (échelle) — 7 répondants" in part and "Moyenne 4,0" in part
        assert "« Vos remarques » (réponse libre) : 7 réponses, non reproduites." in part
        assert SECRET_TEXT not in text
        # The questionnaire of 3 respondents: masked, its count never written.
        assert "Questionnaire « Questionnaire aux assistantes maternelles » — public : partenaires" in part
        assert "moins de 5 répondants au total" in part
        assert (
            "« Avez-vous des places libres ? » (choix unique) : moins de 5 réponses, résultats non diffusés."
            in part
        )
        assert "3 répondants" not in text and "3 réponses" not in text
        assert "« < 5 » signale un effectif de moins de 5 réponses" in part
        assert "Question sans champ" not in text
        cross = text[text.rfind("Enjeux transversaux") :]
        assert "Questionnaires : Seniors (champ hors du dossier)" in cross
        assert "« Aidez-vous un parent âgé ? » (choix unique) — 7 répondants" in cross


def test_a_field_without_tagged_question_says_so(world):
    world.ctg.fields = ["jeunesse"]
    world.ctg.save()
    data = diagnostic.build(world.ctg)
    assert data["fields"][0]["questionnaire_results"] == []
    docx = docx_in_order(diagnostic_render.render_docx(data))
    assert "Aucune question de questionnaire n'est rattachée à ce champ." in docx


def test_a_draft_questionnaire_gives_no_results(world):
    world.ctg.fields = ["petite_enfance"]
    world.ctg.save()
    questionnaire = services.questionnaire_create(
        ctg=world.ctg, actor=None, title="Brouillon", audience="familles"
    )
    section = services.section_create(questionnaire=questionnaire, actor=None, title="Questions")
    services.question_create(
        questionnaire=questionnaire,
        actor=None,
        section=section,
        kind=Question.Kind.SINGLE_CHOICE,
        label="Question en test",
        options_text="Oui\nNon",
        field="petite_enfance",
    )
    data = diagnostic.build(world.ctg)
    assert data["fields"][0]["questionnaire_results"] == []
