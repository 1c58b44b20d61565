"""The results pages and downloads: masked for a partner, complete for the coordination, the charts in their
figures with their tables, the free texts and their tags (history; another dossier's answer refused, nothing
changed), the raw exports with their codebook (formula-safe CSV, text cells in xlsx), the masked aggregate."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ctg.core.models import Action, HistoryEntry
from ctg.surveys import tags
from ctg.surveys.models import Answer
from ctg.surveys.results import MASK
from ctg.surveys.tags import AnswerTag
from tests.surveys.results_helpers import small_questionnaire


@pytest.fixture
def sample(world):
    sample = small_questionnaire(world.ctg)
    oui, non = sample.opt("yesno", "Oui"), sample.opt("yesno", "Non")
    creche, am = sample.opt("modes", "Crèche"), sample.opt("modes", "Assistante maternelle")
    for index in range(12):
        sample.answer(yesno=oui, modes=[creche, am], satisfaction="4", comment=f"Texte n° {index}")
    for _ in range(3):
        sample.answer(yesno=non, modes=[creche, "autre"], modes_autre="=1+1", comment="=HYPERLINK(1)")
    return sample


def _section(html, sample, key) -> str:
    return html.split(f'id="question-{sample.q[key].pk}"')[1].split("</section>")[0]


def _url(name, world, sample, **extra):
    return reverse(name, kwargs={"pk": world.ctg.pk, "questionnaire_pk": sample.questionnaire.pk, **extra})


def test_partner_sees_masked_counts_the_coordination_every_count(client, world, sample):
    client.force_login(world.users["partenaire"])
    html = client.get(_url("surveys:results", world, sample)).content.decode()
    yesno = _section(html, sample, "yesno")
    assert "Secret statistique" in html and "<td>&lt; 5</td>" in yesno
    assert "<td>12</td>" not in yesno and "<td>3</td>" not in yesno  # « Non » 3 and its complement
    assert "<td>15</td>" in yesno
    assert "Texte n° 1" not in html and "=HYPERLINK(1)" not in html  # no free text
    assert "reponses-libres" not in html and "export-csv" not in html
    client.force_login(world.users["coordination"])
    html = client.get(_url("surveys:results", world, sample)).content.decode()
    yesno = _section(html, sample, "yesno")
    assert "<td>12</td>" in yesno and "<td>3</td>" in yesno and "Texte n° 1" in html
    assert "Secret statistique" not in html


def test_charts_are_figures_followed_by_their_tables(client, world, sample):
    client.force_login(world.users["coordination"])
    html = client.get(_url("surveys:results", world, sample)).content.decode()
    assert html.count("<bar-chart") >= 3
    for chunk in html.split("<figure")[1:]:
        assert "<bar-chart" in chunk.split("</figure>")[0]
        assert chunk.split("</figure>")[1].lstrip().startswith('<div class="fr-table')


def test_crosstab_page(client, world, sample):
    client.force_login(world.users["lecture"])
    url = _url("surveys:results", world, sample) + f"?question={sample.q['yesno'].pk}&par=canal"
    html = client.get(url).content.decode()
    assert 'id="table-croisement"' in html and "école" in html
    assert client.get(_url("surveys:results", world, sample) + "?question=abc&par=x").status_code == 200


def test_tags_are_written_with_history_and_filter_the_texts(client, world, sample):
    answer = Answer.objects.filter(question=sample.q["comment"]).first()
    client.force_login(world.users["coordination"])
    response = client.post(
        _url("surveys:answer_tags", world, sample, answer_pk=answer.pk),
        {"tags": "Horaires, transport ; horaires"},
    )
    assert response.status_code == 302
    assert sorted(answer.tags.values_list("label", flat=True)) == ["horaires", "transport"]
    entry = HistoryEntry.objects.filter(action=Action.SURVEY_ANSWERS).latest("id")
    assert entry.changes == {"tags": ["", "horaires, transport"]}
    page = client.get(_url("surveys:results_texts", world, sample) + "?etiquette=horaires").content.decode()
    assert answer.value in page and "Texte n° 5" not in page
    # The same tags again: no change, no history line.
    count = HistoryEntry.objects.count()
    client.post(
        _url("surveys:answer_tags", world, sample, answer_pk=answer.pk), {"tags": "transport, horaires"}
    )
    assert HistoryEntry.objects.count() == count
    client.force_login(world.users["partenaire"])
    assert (
        client.post(
            _url("surveys:answer_tags", world, sample, answer_pk=answer.pk), {"tags": "x"}
        ).status_code
        == 403
    )


def test_another_dossiers_answer_is_not_tagged(client, world, sample):
    other = small_questionnaire(world.other_ctg)
    other.answer(comment="Ailleurs")
    foreign = Answer.objects.get(question=other.q["comment"])
    before = (AnswerTag.objects.count(), HistoryEntry.objects.count())
    client.force_login(world.users["coordination"])
    response = client.post(
        _url("surveys:answer_tags", world, sample, answer_pk=foreign.pk), {"tags": "pirate"}
    )
    assert response.status_code == 404
    with pytest.raises(tags.ValidationError):
        tags.answer_tags_set(
            questionnaire=sample.questionnaire,
            answer_id=foreign.pk,
            actor=world.users["coordination"],
            tags="x",
        )
    assert (AnswerTag.objects.count(), HistoryEntry.objects.count()) == before
    with pytest.raises(tags.ValidationError):
        tags.answer_tags_set(
            questionnaire=sample.questionnaire,
            answer_id=Answer.objects.filter(question=sample.q["comment"]).first().pk,
            actor=None,
            tags=",".join(f"t{i}" for i in range(tags.MAX_TAGS + 1)),
        )
    assert (AnswerTag.objects.count(), HistoryEntry.objects.count()) == before


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_raw_csv_zip_with_codebook(client, world, sample):
    client.force_login(world.users["coordination"])
    response = client.get(_url("surveys:results_csv", world, sample))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["dictionnaire.csv", "reponses.csv"]
    rows = _csv(archive.read("reponses.csv"))
    codebook = _csv(archive.read("dictionnaire.csv"))
    header = rows[0]
    assert header == [line[0] for line in codebook[1:]]  # every column named in the codebook, in order
    assert header[:5] == ["reponse", "date", "canal", "commune", "type_repondant"]
    assert "Q3_o1" in header and "Q3_o3" in header and "Q3_autre" in header  # one 0/1 column per option
    assert len(rows) == 16
    modes = {name: header.index(name) for name in ("Q3_o1", "Q3_o2", "Q3_o3", "Q3_autre")}
    first, last = rows[1], rows[-1]
    assert [first[i] for i in modes.values()] == ["1", "1", "0", ""]
    assert [last[i] for i in modes.values()] == ["1", "0", "0", "'=1+1"]  # formula neutralised
    assert last[header.index("Q8")] == "'=HYPERLINK(1)"
    assert first[header.index("Q2")] == "o1" and last[header.index("Q2")] == "o2"
    book = {line[0]: line for line in codebook}
    assert book["Q2"][4] == "o1 = Oui ; o2 = Non"
    assert book["Q3_o2"][2] == "Modes de garde" and book["Q3_o2"][1] == "Q3"
    assert book["Q7_lun-matin"][3].startswith("Grille horaire")


def test_raw_xlsx_has_text_cells_and_a_dictionary(client, world, sample):
    client.force_login(world.users["pilote_caf"])
    response = client.get(_url("surveys:results_xlsx", world, sample))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Réponses", "Dictionnaire"]
    sheet = book["Réponses"]
    header = [c.value for c in sheet[1]]
    dictionary = [row[0] for row in book["Dictionnaire"].iter_rows(min_row=2, values_only=True)]
    assert header == dictionary
    cell = sheet.cell(row=sheet.max_row, column=header.index("Q8") + 1)
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


def test_raw_exports_are_for_the_coordination_and_the_aggregate_is_masked(client, world, sample):
    client.force_login(world.users["referent_communal"])
    assert client.get(_url("surveys:results_csv", world, sample)).status_code == 403
    assert client.get(_url("surveys:results_xlsx", world, sample)).status_code == 403
    rows = _csv(client.get(_url("surveys:results_aggregate", world, sample)).content)
    assert rows[0] == ["question", "intitulé", "réponse", "effectif", "part des répondants"]
    by_answer = {(r[1], r[2]): r[3] for r in rows[1:]}
    assert by_answer[("Travaillez-vous ?", "Non")] == MASK and by_answer[("Travaillez-vous ?", "Oui")] == MASK
    assert by_answer[("Modes de garde", "Crèche")] == "15"
    client.force_login(world.users["coordination"])
    rows = _csv(client.get(_url("surveys:results_aggregate", world, sample)).content)
    assert {(r[1], r[2]): r[3] for r in rows[1:]}[("Travaillez-vous ?", "Non")] == "3"
