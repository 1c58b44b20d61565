"""Results of a questionnaire: counts per option (once per respondent, never by combination), « Autre »,
scale and number distributions, rankings, schedule grids, test answers left out, the masking of groups
smaller than 5 outside the coordination (complementary cell included), the cross-tabs."""

import pytest

from ctg.surveys import results
from ctg.surveys.results import MASK, Cell, suppress
from tests.surveys.results_helpers import small_questionnaire


@pytest.fixture
def sample(world):
    return small_questionnaire(world.ctg)


def _item(computed, sample, key):
    return next(item for item in computed.questions if item.question.pk == sample.q[key].pk)


def _counts(item) -> dict:
    return {line.label: line.cell.display for line in item.lines}


def test_multiple_choice_counts_each_option_once_per_respondent(sample):
    creche, am, famille = (sample.opt("modes", x) for x in ("Crèche", "Assistante maternelle", "Famille"))
    for _ in range(6):
        sample.answer(modes=[creche, am, famille])
    for _ in range(2):
        sample.answer(modes=[creche])
    sample.answer(modes=["autre"], modes_autre="Voisine")
    item = _item(results.compute(sample.questionnaire, full=True), sample, "modes")
    # By combination the table would read « Crèche + Assistante + Famille » 6, « Crèche » 2: never that.
    assert _counts(item) == {
        "Crèche": "8",
        "Assistante maternelle": "6",
        "Famille": "6",
        "Autre (préciser)": "1",
    }
    assert item.respondents.n == 9
    assert [line.percent for line in item.lines][:2] == ["89\u202f%", "67\u202f%"]
    assert [t.text for t in item.texts] == ["Voisine"]
    assert item.chart is not None and item.chart.series == [[8, 6, 6, 1]]


def test_scale_number_ranking_schedule(sample):
    places, horaires, tarifs = (sample.opt("priorities", x) for x in ("Places", "Horaires", "Tarifs"))
    for step, count in [(1, 1), (4, 2), (5, 3)]:
        sample.answer(
            satisfaction=str(step),
            count=str(count),
            priorities=[horaires, places, tarifs],
            schedule=["lun-matin", "mer-apres_midi"],
        )
    sample.answer(satisfaction="2", count="10", priorities=[places, horaires, tarifs], schedule=["lun-matin"])
    computed = results.compute(sample.questionnaire, full=True)
    scale = _item(computed, sample, "satisfaction")
    assert dict(scale.stats) == {"Répondants": "4", "Moyenne": "3,0", "Médiane": "3,0"}
    assert _counts(scale) == {"1": "1", "2": "1", "3": "0", "4": "1", "5": "1"}
    number = _item(computed, sample, "count")
    assert dict(number.stats) == {"Répondants": "4", "Moyenne": "4,0", "Médiane": "2,5"}
    ranking = _item(computed, sample, "priorities")
    assert [(label, mean) for label, mean, _ in ranking.ranking] == [
        ("Horaires", "1,2"),
        ("Places", "1,8"),
        ("Tarifs", "3,0"),
    ]
    grid = dict(_item(computed, sample, "schedule").grid)
    assert [c.n for c in grid["Lundi"]] == [4, 0] and [c.n for c in grid["Mercredi"]] == [0, 3]


def test_test_answers_are_left_out(world):
    draft = small_questionnaire(world.ctg, open_it=False)
    from ctg.surveys import services

    services.response_submit(
        questionnaire=draft.questionnaire,
        link=draft.link,
        data={f"q{draft.q['yesno'].pk}": draft.opt("yesno", "Oui")},
        test=True,
    )
    computed = results.compute(draft.questionnaire, full=True)
    assert computed.respondents == 0
    assert _counts(_item(computed, draft, "yesno")) == {"Oui": "0", "Non": "0"}


def test_partner_sees_small_groups_masked_and_cannot_subtract(sample):
    for _ in range(12):
        sample.answer(yesno=sample.opt("yesno", "Oui"))
    for _ in range(3):
        sample.answer(yesno=sample.opt("yesno", "Non"))
    full = _item(results.compute(sample.questionnaire, full=True), sample, "yesno")
    assert _counts(full) == {"Oui": "12", "Non": "3"}
    masked = _item(results.compute(sample.questionnaire, full=False), sample, "yesno")
    # « Non » is 3; with « Oui » 12 and the total 15 shown, 15 − 12 would give it back: « Oui » is hidden too.
    assert _counts(masked) == {"Oui": MASK, "Non": MASK}
    assert masked.respondents.display == "15"
    assert [line.percent for line in masked.lines] == ["—", "—"]


def test_few_respondents_hide_means_and_texts(sample):
    sample.answer(satisfaction="5", comment="Plus de places")
    masked = results.compute(sample.questionnaire, full=False)
    assert dict(_item(masked, sample, "satisfaction").stats)["Moyenne"] == "—"
    assert _item(masked, sample, "satisfaction").respondents.display == MASK
    assert _item(masked, sample, "comment").texts == []
    assert results.respondents_label(masked.respondents, False) == MASK
    full = results.compute(sample.questionnaire, full=True)
    assert [t.text for t in _item(full, sample, "comment").texts] == ["Plus de places"]


def test_suppress_masks_the_complement_across_rows_and_columns():
    a, b, c, d = Cell(3), Cell(10), Cell(7), Cell(8)
    row1, row2 = Cell(13), Cell(15)
    col1, col2 = Cell(10), Cell(18)
    suppress([([a, b], row1), ([c, d], row2), ([a, c], col1), ([b, d], col2)])
    # a is small; its row and its column would give it back: b (row) and c (column) go, then d (row 2).
    assert [x.masked for x in (a, b, c, d)] == [True, True, True, True]
    lonely = [Cell(2), Cell(0), Cell(40)]
    total = Cell(42)
    suppress([(lonely, total)])
    assert [x.masked for x in lonely] == [True, False, True] and not total.masked


def test_crosstab_by_commune_and_channel(world, sample):
    from ctg.surveys import services

    communes = list(world.ctg.communes.order_by("code"))
    mairie = services.link_create(questionnaire=sample.questionnaire, actor=None, channel="mairie")
    oui, non = sample.opt("yesno", "Oui"), sample.opt("yesno", "Non")
    for _ in range(6):
        sample.answer(commune=communes[0].code, yesno=oui)
    for _ in range(5):
        sample.answer(commune=communes[1].code, yesno=non, link=mairie)
    sample.answer(commune=communes[1].code, yesno=oui, link=mairie)
    question = sample.q["yesno"]
    full = results.crosstab(sample.questionnaire, question, "commune", full=True)
    assert full.columns == ["Oui", "Non"]
    rows = {group: [c.n for c in cells] + [total.n] for group, cells, total in full.rows}
    assert rows == {communes[0].name: [6, 0, 6], communes[1].name: [1, 5, 6]}
    assert [c.n for c in full.column_totals] == [7, 5] and full.total.n == 12
    masked = results.crosstab(sample.questionnaire, question, "canal", full=False)
    shown = {group: [c.display for c in cells] + [total.display] for group, cells, total in masked.rows}
    # mairie × Oui is 1: the column (total 7) would give it back from école × Oui, and that row (total 6,
    # « Non » 0) from its total: every line keeps 0 or at least 2 hidden cells when its total is shown.
    assert shown["mairie"][0] == MASK and shown["école"][0] == MASK and shown["école"][2] == MASK
    assert shown["mairie"][1] == MASK  # the 5 of its row would give the 1 back from the row total
    _no_single_hidden(masked)
    by_type = results.crosstab(sample.questionnaire, question, "type", full=True)
    assert [g for g, _c, _t in by_type.rows] == ["Familles"]


def test_aggregate_rows_are_masked(sample):
    for _ in range(2):
        sample.answer(yesno=sample.opt("yesno", "Non"))
    rows = results.aggregate_rows(results.compute(sample.questionnaire, full=False))
    line = next(r for r in rows if r[2] == "Non")
    assert line[3] == MASK and line[4] == "—"


def _no_single_hidden(table):
    lines = [(cells, total) for _g, cells, total in table.rows]
    lines += [([row[1][i] for row in table.rows], table.column_totals[i]) for i in range(len(table.columns))]
    lines.append(([total for _g, _c, total in table.rows], table.total))
    for cells, total in lines:
        assert total.masked or sum(c.masked for c in cells) != 1
