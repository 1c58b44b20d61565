"""The pure rules of the answers: visibility, and every kind of problem (no database)."""

from decimal import Decimal

import pytest
from django.utils.datastructures import MultiValueDict

from ctg.surveys import rules
from ctg.surveys.rules import QuestionRule, Structure, Submitted

YES, NO = 11, 12
STRUCTURE = Structure(
    questions=(
        QuestionRule(id=1, kind="commune", required=True),
        QuestionRule(id=2, kind="choix_unique", options=(YES, NO), required=True),
        QuestionRule(
            id=3,
            kind="choix_multiple",
            options=(31, 32, 33),
            allow_other=True,
            condition_question=2,
            condition_operator="est",
            condition_option=YES,
        ),
        QuestionRule(id=4, kind="nombre", min_value=Decimal(0), max_value=Decimal(15)),
        QuestionRule(id=5, kind="echelle", min_value=Decimal(1), max_value=Decimal(5)),
        QuestionRule(id=6, kind="classement", options=(61, 62, 63)),
        QuestionRule(id=7, kind="grille_horaire", schedule_days="lun-ven", schedule_slots="demi_journees"),
        QuestionRule(id=8, kind="date"),
        QuestionRule(id=9, kind="texte_court"),
        QuestionRule(id=10, kind="texte_long", condition_question=3, condition_operator="a_repondu"),
        QuestionRule(
            id=13,
            kind="texte_court",
            condition_question=2,
            condition_operator="n_est_pas",
            condition_option=YES,
        ),
        QuestionRule(id=14, kind="texte_court", condition_question=9, condition_operator="n_a_pas_repondu"),
    ),
    communes=frozenset({"81004", "81065"}),
)
BASE = {1: Submitted(("81004",)), 2: Submitted((str(YES),))}


def check(**changes):
    submitted = dict(BASE)
    for key, value in changes.items():
        qid = int(key[1:])
        if value is None:
            submitted.pop(qid, None)
        else:
            submitted[qid] = value if isinstance(value, Submitted) else Submitted(tuple(value))
    return rules.check_answers(STRUCTURE, submitted)


def test_a_minimal_valid_answer():
    checked = check()
    assert checked.problems == {}
    assert checked.answers[1].value == "81004" and checked.answers[1].commune == "81004"
    assert checked.answers[2].value == [YES] and checked.answers[2].option_ids == (YES,)


def test_required_missing():
    assert check(q1=None).problems == {1: ["Cette question est obligatoire."]}


def test_visibility_follows_the_conditions_in_order():
    answers = check(q3=["31"]).answers
    visible = rules.visible_questions(STRUCTURE, answers)
    assert {3, 10} <= visible and 13 not in visible  # « est Oui » shown; « n'est pas Oui » hidden
    assert 14 in visible  # q9 not answered
    no = check(q2=[str(NO)]).answers
    visible = rules.visible_questions(STRUCTURE, no)
    assert 3 not in visible and 10 not in visible  # 10 depends on a hidden question
    assert 13 in visible


def test_n_est_pas_holds_for_an_unanswered_question():
    question = STRUCTURE.question(13)
    assert rules.condition_met(question, None)


@pytest.mark.parametrize(
    "changes",
    [
        {"q2": [str(NO)], "q3": ["31"]},  # answer to a question « Non » hides
        {"q3": [], "q10": ["texte"]},  # depends on q3 left unanswered
        {"q9": ["métier"], "q14": ["x"]},  # « n'a pas répondu » not met
    ],
)
def test_an_answer_to_a_hidden_question_is_refused(changes):
    changes = {k: Submitted(tuple(v)) if v else None for k, v in changes.items()}
    problems = check(**changes).problems
    assert any("ne s'applique pas" in m for messages in problems.values() for m in messages)


@pytest.mark.parametrize(
    ("key", "values", "message"),
    [
        ("q2", ["999"], "n'est pas une réponse proposée"),
        ("q2", [str(YES), str(NO)], "Un seul choix"),
        ("q2", ["abc"], "n'est pas une réponse proposée"),
        ("q4", ["16"], "au plus 15"),
        ("q4", ["-1"], "au moins 0"),
        ("q4", ["deux"], "Saisissez un nombre"),
        ("q4", ["NaN"], "Saisissez un nombre"),
        ("q4", ["1", "2"], "Une seule réponse"),
        ("q5", ["0"], "entre 1 et 5"),
        ("q5", ["2.5"], "entre 1 et 5"),
        ("q6", ["61", "61", "62"], "chacune à un rang différent"),
        ("q6", ["61", "62"], "chacune à un rang différent"),
        ("q6", ["61", "62", "99"], "n'est pas une réponse proposée"),
        ("q7", ["sam-matin"], "n'existe pas"),
        ("q7", ["lun-soir"], "n'existe pas"),
        ("q8", ["2025-02-30"], "date valide"),
        ("q8", ["31/12/2025"], "date valide"),
        ("q8", ["0001-01-01"], "date valide"),
        ("q9", ["x" * 301], "300 caractères"),
        ("q1", ["11001"], "commune du territoire"),
    ],
)
def test_problems_by_kind(key, values, message):
    problems = check(**{key: values}).problems
    qid = int(key[1:])
    assert qid in problems and message in " ".join(problems[qid]), problems


def test_long_text_limit_and_other():
    assert check(q10=None, q3=["31"]).problems == {}
    assert "5000" in check(q3=["31"], q10=["x" * 5001]).problems[10][0]
    assert check(q3=["31"], q10=["x" * 5000]).problems == {}


def test_other_needs_its_precision_and_only_where_offered():
    assert "Précisez" in check(q3=["autre"]).problems[3][0]
    ok = check(q3=Submitted(("autre",), "la voisine"))
    assert ok.problems == {} and ok.answers[3].value == [] and ok.answers[3].other_text == "la voisine"
    implicit = check(q3=Submitted((), "la voisine"))  # the precision alone chooses « Autre »
    assert implicit.answers[3].other_text == "la voisine"
    assert "ne propose pas" in check(q2=Submitted((str(YES),), "x")).problems[2][0]
    assert "ne propose pas" in check(q4=Submitted(("3",), "x")).problems[4][0]


def test_normalised_values():
    answers = check(
        q4=["2,5"],
        q5=["3"],
        q6=["63", "61", "62"],
        q7=["mer-apres_midi", "lun-matin"],
        q8=["2025-09-01"],
        q9=["a\nb"],
    ).answers
    assert answers[4].value == 2.5
    assert check(q4=["3"]).answers[4].value == 3
    assert answers[5].value == 3
    assert answers[6].value == [63, 61, 62] and answers[6].option_ids == (63, 61, 62)
    assert answers[7].value == ["lun-matin", "mer-apres_midi"]  # grid order
    assert answers[8].value == "2025-09-01"
    assert answers[9].value == "a b"


def test_duplicate_choices_are_counted_once():
    answers = check(q3=["31", "31", "32"]).answers
    assert answers[3].value == [31, 32]


def test_read_submission_flags_an_unknown_question():
    data = MultiValueDict(
        {"q1": ["81004"], "q2": [str(YES)], "q999": ["intrus"], "csrfmiddlewaretoken": ["x"]}
    )
    submitted, problems = rules.read_submission(STRUCTURE, data)
    assert problems and "pas de ce questionnaire" in problems[0]
    assert submitted[1].values == ("81004",)
    assert rules.check_answers(STRUCTURE, submitted, problems).problems[None] == problems


def test_read_submission_ignores_blank_values_and_reads_plain_dicts():
    submitted, problems = rules.read_submission(STRUCTURE, {"q1": " 81004 ", "q9": "  ", "q3-autre": "x"})
    assert not problems
    assert submitted[1].values == ("81004",) and 9 not in submitted and submitted[3].other == "x"


def test_schedule_cells_by_days_and_slots():
    assert len(rules.schedule_cells("lun-ven", "demi_journees")) == 10
    assert len(rules.schedule_cells("lun-dim", "creneaux")) == 35
    assert rules.schedule_cells("lun-sam", "demi_journees")[-1][0] == "sam-apres_midi"


def test_condition_problems_only_earlier_questions():
    order = [1, 2, 3]
    kwargs = {"operator": "est", "option_id": 5, "source_kind": "choix_unique"}
    assert rules.condition_problems(order=order, question_id=3, source_id=2, **kwargs) == []
    assert "avant" in rules.condition_problems(order=order, question_id=2, source_id=3, **kwargs)[0]
    assert "avant" in rules.condition_problems(order=order, question_id=2, source_id=2, **kwargs)[0]
    assert rules.condition_problems(order=order, question_id=None, source_id=3, **kwargs) == []
    assert (
        "pas de ce questionnaire"
        in rules.condition_problems(order=order, question_id=3, source_id=9, **kwargs)[0]
    )
    assert (
        "à choix"
        in rules.condition_problems(
            order=order, question_id=3, source_id=1, operator="est", option_id=5, source_kind="texte_court"
        )[0]
    )
    assert (
        rules.condition_problems(
            order=order,
            question_id=3,
            source_id=1,
            operator="a_repondu",
            option_id=None,
            source_kind="texte_court",
        )
        == []
    )
    assert (
        "réponse attendue"
        in rules.condition_problems(
            order=order,
            question_id=3,
            source_id=2,
            operator="est",
            option_id=None,
            source_kind="choix_unique",
        )[0]
    )
    assert (
        "Choisissez la condition"
        in rules.condition_problems(
            order=order, question_id=3, source_id=2, operator="", option_id=None, source_kind="choix_unique"
        )[0]
    )
