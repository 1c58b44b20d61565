"""A question's CTG field (builder, preview, codebook, history) and the question that gives the respondent
type (the services' checks and refusals that change nothing, the lock once opened, the cross-tab « par type
de répondant » and the raw export that read it, « Non précisé » for a respondent who skipped it)."""

import csv
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ctg.core.models import Action, HistoryEntry
from ctg.surveys import exports, results, services
from ctg.surveys.models import Question, Questionnaire
from tests.surveys.results_helpers import small_questionnaire


@pytest.fixture
def coordination(world):
    return world.users["coordination"]


def _draft(world, coordination, title="Accueil des enfants"):
    sample = small_questionnaire(world.ctg, actor=coordination, title=title, open_it=False)
    section = sample.questionnaire.sections.get()
    sample.q["who"] = services.question_create(
        questionnaire=sample.questionnaire,
        actor=coordination,
        section=section,
        kind=Question.Kind.SINGLE_CHOICE,
        label="Vous êtes",
        options_text="Parent\nJeune\nProfessionnel\nÉlu",
    )
    return sample


def _history_count() -> int:
    return HistoryEntry.objects.filter(action=Action.SURVEY).count()


# --- the CTG field of a question ------------------------------------------------------------------------


def test_a_question_bears_on_a_field_with_its_history(world, coordination):
    sample = _draft(world, coordination)
    section = sample.questionnaire.sections.get()
    question = services.question_create(
        questionnaire=sample.questionnaire,
        actor=coordination,
        section=section,
        kind=Question.Kind.SINGLE_CHOICE,
        label="Trouvez-vous une place en crèche ?",
        options_text="Oui\nNon",
        field="petite_enfance",
    )
    assert question.field == "petite_enfance" and question.get_field_display() == "Petite enfance (0-3 ans)"
    services.question_update(
        question=question,
        actor=coordination,
        section=section,
        kind=question.kind,
        label=question.label,
        field="parentalite",
    )
    question.refresh_from_db()
    assert question.field == "parentalite"
    entry = HistoryEntry.objects.filter(action=Action.SURVEY).latest("at", "id")
    assert entry.labelled_changes["champ de la CTG"] == ["petite_enfance", "parentalite"]
    # A question updated without naming its field keeps it (the demo and other callers).
    services.question_update(
        question=question, actor=coordination, section=section, kind=question.kind, label="Une place ?"
    )
    question.refresh_from_db()
    assert question.field == "parentalite" and question.label == "Une place ?"


@pytest.mark.parametrize("bad", ["tourisme", "Petite enfance", "petite_enfance "])
def test_an_unknown_field_is_refused_and_nothing_changes(world, coordination, bad):
    sample = _draft(world, coordination)
    question = sample.q["yesno"]
    before = _history_count()
    with pytest.raises(ValidationError) as refused:
        services.question_update(
            question=question,
            actor=coordination,
            section=question.section,
            kind=question.kind,
            label="Changé",
            field=bad,
        )
    assert refused.value.message_dict["field"] == ["Choisissez le champ de la CTG dans la liste."]
    question.refresh_from_db()
    assert question.field == "" and question.label == "Travaillez-vous ?" and _history_count() == before


def test_the_builder_edits_and_shows_the_field(client, world, coordination):
    sample = _draft(world, coordination)
    questionnaire, question = sample.questionnaire, sample.q["yesno"]
    client.force_login(coordination)
    url = reverse("surveys:question_edit", args=[world.ctg.pk, questionnaire.pk, question.pk])
    page = client.get(url)
    assert 'name="field"' in page.content.decode() and "Champ de la CTG" in page.content.decode()
    data = {
        "section": question.section_id,
        "kind": question.kind,
        "label": question.label,
        "field": "jeunesse",
        "schedule_days": "lun-ven",
        "schedule_slots": "demi_journees",
    }
    assert client.post(url, data).status_code == 302
    question.refresh_from_db()
    assert question.field == "jeunesse"
    detail = client.get(reverse("surveys:detail", args=[world.ctg.pk, questionnaire.pk])).content.decode()
    assert "Jeunesse (11-25 ans)" in detail
    preview = client.get(reverse("surveys:preview", args=[world.ctg.pk, questionnaire.pk])).content.decode()
    assert "Travaillez-vous ? : Jeunesse (11-25 ans)" in preview
    # A tampered field through the form: 400, nothing changed.
    assert client.post(url, {**data, "field": "tourisme"}).status_code == 400
    question.refresh_from_db()
    assert question.field == "jeunesse"


def test_the_codebook_names_the_field_of_each_question(world, coordination):
    sample = _draft(world, coordination)
    question = sample.q["modes"]
    services.question_update(
        question=question,
        actor=coordination,
        section=question.section,
        kind=question.kind,
        label=question.label,
        allow_other=True,
        field="petite_enfance",
    )
    _header, _rows, codebook = exports.table(sample.questionnaire)
    assert codebook[0][-1] == "champ de la CTG"
    book = {line[0]: line for line in codebook}
    assert (
        book["Q3_o1"][5] == "Petite enfance (0-3 ans)" and book["Q3_autre"][5] == "Petite enfance (0-3 ans)"
    )
    assert book["Q2"][5] == "" and book["reponse"][5] == ""


# --- the question that gives the respondent type -------------------------------------------------------


def test_the_respondent_type_question_is_set_with_its_history(world, coordination):
    sample = _draft(world, coordination)
    questionnaire = sample.questionnaire
    services.questionnaire_update(
        questionnaire=questionnaire, actor=coordination, respondent_type_question=sample.q["who"]
    )
    questionnaire.refresh_from_db()
    assert questionnaire.respondent_type_question == sample.q["who"]
    entry = HistoryEntry.objects.filter(action=Action.SURVEY).latest("at", "id")
    assert entry.labelled_changes["question qui donne le type de répondant"] == ["", "Vous êtes"]
    services.questionnaire_update(
        questionnaire=questionnaire, actor=coordination, respondent_type_question=None
    )
    questionnaire.refresh_from_db()
    assert questionnaire.respondent_type_question is None


def _bad_questions(world, coordination, sample):
    other = small_questionnaire(world.ctg, actor=coordination, title="Autre questionnaire", open_it=False)
    elsewhere = small_questionnaire(world.other_ctg, title="Ailleurs", open_it=False)
    return {
        "multiple": (sample.q["modes"], "à choix unique"),
        "scale": (sample.q["satisfaction"], "à choix unique"),
        "text": (sample.q["comment"], "à choix unique"),
        "other questionnaire": (other.q["yesno"], "de ce questionnaire"),
        "other dossier": (elsewhere.q["yesno"], "de ce questionnaire"),
        "unknown id": (999999, "de ce questionnaire"),
        "not an id": ("abc", "de ce questionnaire"),
    }


@pytest.mark.parametrize(
    "case",
    ["multiple", "scale", "text", "other questionnaire", "other dossier", "unknown id", "not an id"],
)
def test_a_bad_respondent_type_question_is_refused_and_nothing_changes(world, coordination, case):
    sample = _draft(world, coordination)
    questionnaire = sample.questionnaire
    services.questionnaire_update(
        questionnaire=questionnaire, actor=coordination, respondent_type_question=sample.q["who"]
    )
    bad, words = _bad_questions(world, coordination, sample)[case]
    before = _history_count()
    with pytest.raises(ValidationError) as refused:
        services.questionnaire_update(
            questionnaire=questionnaire, actor=coordination, title="Changé", respondent_type_question=bad
        )
    assert words in refused.value.message_dict["respondent_type_question"][0]
    questionnaire.refresh_from_db()
    assert questionnaire.respondent_type_question == sample.q["who"]
    assert questionnaire.title == "Accueil des enfants" and _history_count() == before


def test_the_respondent_type_question_is_locked_once_opened(world, coordination):
    sample = _draft(world, coordination)
    questionnaire = sample.questionnaire
    services.questionnaire_update(
        questionnaire=questionnaire, actor=coordination, respondent_type_question=sample.q["who"]
    )
    services.questionnaire_open(questionnaire=questionnaire, actor=coordination)
    before = _history_count()
    for value in (None, sample.q["yesno"]):
        with pytest.raises(ValidationError) as refused:
            services.questionnaire_update(
                questionnaire=questionnaire, actor=coordination, respondent_type_question=value
            )
        assert "ne change plus" in refused.value.message_dict["respondent_type_question"][0]
    # The same question again (the locked form sends it back) is no change.
    services.questionnaire_update(
        questionnaire=questionnaire, actor=coordination, respondent_type_question=sample.q["who"], title="T2"
    )
    questionnaire.refresh_from_db()
    assert questionnaire.respondent_type_question == sample.q["who"] and questionnaire.title == "T2"
    assert _history_count() == before + 1


def test_the_respondent_type_question_keeps_its_kind_and_is_not_deleted(world, coordination):
    sample = _draft(world, coordination)
    questionnaire, who = sample.questionnaire, sample.q["who"]
    services.questionnaire_update(
        questionnaire=questionnaire, actor=coordination, respondent_type_question=who
    )
    before = _history_count()
    with pytest.raises(ValidationError):
        services.question_update(
            question=who, actor=coordination, section=who.section, kind="choix_multiple", label=who.label
        )
    with pytest.raises(ValidationError):
        services.question_delete(question=who, actor=coordination)
    with pytest.raises(ValidationError):
        services.section_delete(section=who.section, actor=coordination)
    who.refresh_from_db()
    questionnaire.refresh_from_db()
    assert who.kind == "choix_unique" and questionnaire.respondent_type_question == who
    assert _history_count() == before


def test_the_settings_page_offers_single_choice_questions_only(client, world, coordination):
    sample = _draft(world, coordination)
    questionnaire = sample.questionnaire
    client.force_login(coordination)
    url = reverse("surveys:edit", args=[world.ctg.pk, questionnaire.pk])
    page = client.get(url).content.decode()
    assert "Question qui donne le type de répondant" in page
    assert f'value="{sample.q["who"].pk}"' in page and f'value="{sample.q["modes"].pk}"' not in page
    data = {
        "title": questionnaire.title,
        "audience": "familles",
        "privacy_notice": questionnaire.privacy_notice,
        "anonymous": "on",
        "retention_months": "12",
    }
    assert client.post(url, {**data, "respondent_type_question": sample.q["modes"].pk}).status_code == 400
    questionnaire.refresh_from_db()
    assert questionnaire.respondent_type_question is None
    assert client.post(url, {**data, "respondent_type_question": sample.q["who"].pk}).status_code == 302
    questionnaire.refresh_from_db()
    assert questionnaire.respondent_type_question == sample.q["who"]
    detail = client.get(reverse("surveys:detail", args=[world.ctg.pk, questionnaire.pk])).content.decode()
    assert "d'après la réponse à « Vous êtes »" in detail


def _answered(world, coordination, *, with_question: bool):
    sample = _draft(world, coordination)
    questionnaire = sample.questionnaire
    if with_question:
        services.questionnaire_update(
            questionnaire=questionnaire, actor=coordination, respondent_type_question=sample.q["who"]
        )
    services.questionnaire_open(questionnaire=questionnaire, actor=coordination)
    questionnaire.refresh_from_db()
    oui, non = sample.opt("yesno", "Oui"), sample.opt("yesno", "Non")
    for _ in range(6):
        sample.answer(who=sample.opt("who", "Parent"), yesno=oui)
    for _ in range(5):
        sample.answer(who=sample.opt("who", "Professionnel"), yesno=non)
    for _ in range(5):
        sample.answer(yesno=oui)  # the type question skipped
    return sample


def _rows(table) -> dict:
    return {group: [c.display for c in cells] for group, cells, _total in table.rows}


def test_the_cross_tab_by_type_reads_the_answer_to_the_question(world, coordination):
    sample = _answered(world, coordination, with_question=True)
    table = results.crosstab(sample.questionnaire, sample.q["yesno"], "type", full=True)
    assert table.columns == ["Oui", "Non"]
    assert _rows(table) == {"Non précisé": ["5", "0"], "Parent": ["6", "0"], "Professionnel": ["0", "5"]}
    # The channel cross-tab is unchanged.
    assert _rows(results.crosstab(sample.questionnaire, sample.q["yesno"], "canal", full=True)) == {
        "école": ["11", "5"]
    }
    # The raw export's type column: the chosen option's code, empty when skipped; its codes in the codebook.
    header, rows, codebook = exports.table(sample.questionnaire)
    column = header.index("type_repondant")
    assert sorted(row[column] for row in rows) == [""] * 5 + ["o1"] * 6 + ["o3"] * 5
    book = {line[0]: line for line in codebook}
    assert (
        book["type_repondant"][4].startswith("o1 = Parent ; o2 = Jeune")
        and "vide = non précisé" in book["type_repondant"][4]
    )


def test_without_the_question_the_type_is_the_audience(world, coordination):
    sample = _answered(world, coordination, with_question=False)
    table = results.crosstab(sample.questionnaire, sample.q["yesno"], "type", full=True)
    assert _rows(table) == {"Familles": ["11", "5"]}
    header, rows, _codebook = exports.table(sample.questionnaire)
    assert {row[header.index("type_repondant")] for row in rows} == {"familles"}


def test_the_cross_tab_by_type_is_masked_outside_the_coordination(world, coordination):
    sample = _answered(world, coordination, with_question=True)
    sample.answer(who=sample.opt("who", "Élu"), yesno=sample.opt("yesno", "Non"))
    table = results.crosstab(sample.questionnaire, sample.q["yesno"], "type", full=False)
    rows = _rows(table)
    assert rows["Élu"] == ["0", results.MASK]
    assert all(cell != "1" for cells in rows.values() for cell in cells)


def test_the_results_page_cross_tab_by_type(client, world, coordination):
    sample = _answered(world, coordination, with_question=True)
    client.force_login(coordination)
    url = reverse("surveys:results", args=[world.ctg.pk, sample.questionnaire.pk])
    page = client.get(url, {"question": sample.q["yesno"].pk, "par": "type"}).content.decode()
    assert "Professionnel" in page and "Non précisé" in page


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_export_of_a_typed_questionnaire(client, world, coordination):
    sample = _answered(world, coordination, with_question=True)
    client.force_login(coordination)
    response = client.get(reverse("surveys:results_csv", args=[world.ctg.pk, sample.questionnaire.pk]))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    codebook = _csv(archive.read("dictionnaire.csv"))
    assert codebook[0] == ["colonne", "question", "intitulé", "type", "codes", "champ de la CTG"]
    assert Questionnaire.objects.get(pk=sample.questionnaire.pk).respondent_type_question_id


def test_the_field_stays_editable_once_opened(client, world, coordination):
    sample = _draft(world, coordination)
    questionnaire, question = sample.questionnaire, sample.q["satisfaction"]
    services.questionnaire_open(questionnaire=questionnaire, actor=coordination)
    sample.answer(satisfaction="4")
    # The structure is locked, the field is not: it changes no answer.
    with pytest.raises(ValidationError):
        services.question_update(
            question=question, actor=coordination, section=question.section, kind=question.kind, label="X"
        )
    services.question_field_set(question=question, actor=coordination, field="enfance")
    question.refresh_from_db()
    assert question.field == "enfance" and question.label == "Satisfaction"
    entry = HistoryEntry.objects.filter(action=Action.SURVEY).latest("at", "id")
    assert entry.labelled_changes == {"champ de la CTG": ["", "enfance"]}
    before = _history_count()
    services.question_field_set(question=question, actor=coordination, field="enfance")  # no change
    with pytest.raises(ValidationError):
        services.question_field_set(question=question, actor=coordination, field="tourisme")
    question.refresh_from_db()
    assert question.field == "enfance" and _history_count() == before

    client.force_login(coordination)
    detail_url = reverse("surveys:detail", args=[world.ctg.pk, questionnaire.pk])
    page = client.get(detail_url).content.decode()
    url = reverse("surveys:question_field", args=[world.ctg.pk, questionnaire.pk, question.pk])
    assert f'action="{url}"' in page and f'id="champ-{question.pk}"' in page
    assert client.post(url, {"field": "jeunesse"}).status_code == 302
    question.refresh_from_db()
    assert question.field == "jeunesse"
    for bad in ({"field": "tourisme"}, {"field": "<script>"}):
        response = client.post(url, bad, follow=True)
        assert "Choisissez le champ de la CTG dans la liste." in response.content.decode()
        question.refresh_from_db()
        assert question.field == "jeunesse"
    # Another questionnaire's question through this questionnaire's URL: not found, nothing changed.
    other = small_questionnaire(world.ctg, actor=coordination, title="Autre")
    wrong = reverse("surveys:question_field", args=[world.ctg.pk, questionnaire.pk, other.q["yesno"].pk])
    assert client.post(wrong, {"field": "jeunesse"}).status_code == 404
    assert Question.objects.get(pk=other.q["yesno"].pk).field == ""
    # A reader of the dossier sees no such form and may not post it.
    client.force_login(world.users["lecture"])
    assert f'action="{url}"' not in client.get(detail_url).content.decode()
    assert client.post(url, {"field": ""}).status_code == 403
    question.refresh_from_db()
    assert question.field == "jeunesse"
