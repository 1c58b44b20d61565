"""The services of the questionnaires: the builder and its refusals, the lifecycle, the links, the paper
entry, the right of access and the purge (`ctg purge_answers`)."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from ctg.core.models import Action, HistoryEntry
from ctg.surveys import services
from ctg.surveys.models import Link, Option, Question, Questionnaire, Response, Section, SubmissionMark
from tests.surveys.helpers import build, valid_data


@pytest.fixture
def coordination(world):
    return world.users["coordination"]


@pytest.fixture
def draft(world, coordination):
    return build(world.ctg, actor=coordination, open_it=False)


def test_creation_defaults_and_history(world, coordination):
    questionnaire = services.questionnaire_create(
        ctg=world.ctg, actor=coordination, title="  Jeunesse ", audience="jeunes", retention_months=24
    )
    assert questionnaire.title == "Jeunesse" and questionnaire.status == Questionnaire.Status.DRAFT
    assert questionnaire.anonymous and "24 mois" in questionnaire.privacy_notice
    assert "Responsable du traitement" in questionnaire.privacy_notice
    entry = HistoryEntry.objects.get(action=Action.SURVEY)
    assert entry.actor == coordination and "Jeunesse" in entry.summary


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": ""}, "title"),
        ({"audience": "touristes"}, "audience"),
        ({"retention_months": 0}, "retention_months"),
        ({"retention_months": 61}, "retention_months"),
    ],
)
def test_creation_refuses_bad_settings(world, values, field):
    arguments = {"title": "T", "audience": "habitants", **values}
    with pytest.raises(ValidationError) as refused:
        services.questionnaire_create(ctg=world.ctg, actor=None, **arguments)
    assert field in refused.value.message_dict
    assert not Questionnaire.objects.exists()


def test_opening_locks_the_settings_and_the_structure(world, draft, coordination):
    questionnaire = draft.questionnaire
    services.questionnaire_update(questionnaire=questionnaire, actor=coordination, anonymous=False)
    services.questionnaire_open(questionnaire=questionnaire, actor=coordination)
    questionnaire.refresh_from_db()
    assert questionnaire.settings_locked and not questionnaire.anonymous
    for values in ({"anonymous": True}, {"retention_months": 6}):
        with pytest.raises(ValidationError):
            services.questionnaire_update(questionnaire=questionnaire, actor=coordination, **values)
    # The title may still change; the same locked values are no change.
    services.questionnaire_update(
        questionnaire=questionnaire,
        actor=coordination,
        title="Nouveau titre",
        anonymous=False,
        retention_months=12,
    )
    questionnaire.refresh_from_db()
    assert questionnaire.title == "Nouveau titre" and questionnaire.retention_months == 12
    count = Question.objects.count()
    with pytest.raises(ValidationError, match="ne changent plus"):
        services.question_create(
            questionnaire=questionnaire,
            actor=coordination,
            section=questionnaire.sections.first(),
            kind="texte_court",
            label="Trop tard",
        )
    with pytest.raises(ValidationError):
        services.question_delete(question=draft.q["job"], actor=coordination)
    with pytest.raises(ValidationError):
        services.questionnaire_delete(questionnaire=questionnaire, actor=coordination)
    assert Question.objects.count() == count


def test_close_and_reopen(world, draft, coordination):
    questionnaire = draft.questionnaire
    with pytest.raises(ValidationError):
        services.questionnaire_close(questionnaire=questionnaire, actor=coordination)
    services.questionnaire_open(questionnaire=questionnaire, actor=coordination)
    services.questionnaire_close(questionnaire=questionnaire, actor=coordination)
    questionnaire.refresh_from_db()
    assert questionnaire.status == "ferme" and questionnaire.closed_at is not None
    opened_at = questionnaire.opened_at
    services.questionnaire_open(questionnaire=questionnaire, actor=coordination)
    questionnaire.refresh_from_db()
    assert (
        questionnaire.status == "ouvert"
        and questionnaire.closed_at is None
        and questionnaire.opened_at == opened_at
    )
    with pytest.raises(ValidationError, match="déjà ouvert"):
        services.questionnaire_open(questionnaire=questionnaire, actor=coordination)


def test_an_empty_questionnaire_does_not_open(world):
    questionnaire = services.questionnaire_create(ctg=world.ctg, actor=None, title="Vide", audience="elus")
    with pytest.raises(ValidationError, match="au moins une question"):
        services.questionnaire_open(questionnaire=questionnaire, actor=None)


def test_a_condition_pointing_forward_is_refused(world, draft, coordination):
    q = draft.q
    before = Question.objects.get(pk=q["commune"].pk)
    with pytest.raises(ValidationError) as refused:
        services.question_update(
            question=q["commune"],
            actor=coordination,
            section=q["commune"].section,
            kind="commune",
            label="Votre commune",
            condition_question=q["job"],
            condition_operator="a_repondu",
        )
    assert "avant" in str(refused.value)
    assert Question.objects.get(pk=before.pk).condition_question_id is None
    # A new question in the first section may not depend on a question of the second.
    with pytest.raises(ValidationError):
        services.question_create(
            questionnaire=draft.questionnaire,
            actor=coordination,
            section=q["commune"].section,
            kind="texte_court",
            label="Nouvelle",
            condition_question=q["job"],
            condition_operator="a_repondu",
        )


def test_a_condition_on_another_questionnaire_or_a_wrong_option_is_refused(world, draft, coordination):
    other = build(world.other_ctg, open_it=False)
    base = {
        "questionnaire": draft.questionnaire,
        "actor": coordination,
        "section": draft.q["job"].section,
        "kind": "texte_court",
        "label": "Nouvelle",
    }
    with pytest.raises(ValidationError, match="pas de ce questionnaire"):
        services.question_create(
            **base, condition_question=other.q["children"], condition_operator="a_repondu"
        )
    with pytest.raises(ValidationError, match="réponse de la question"):
        services.question_create(
            **base,
            condition_question=draft.q["children"],
            condition_operator="est",
            condition_option=draft.q["priorities"].options.first(),
        )
    with pytest.raises(ValidationError, match="pas de ce questionnaire|section de ce questionnaire"):
        services.question_create(**{**base, "section": other.q["job"].section})


def test_a_question_a_condition_uses_is_not_removed_nor_changed(world, draft, coordination):
    children = draft.q["children"]
    with pytest.raises(ValidationError, match="dépend de cette question"):
        services.question_delete(question=children, actor=coordination)
    with pytest.raises(ValidationError, match="son type ne change pas"):
        services.question_update(
            question=children, actor=coordination, section=children.section, kind="texte_court", label="x"
        )
    yes = children.options.order_by("order").first()
    with pytest.raises(ValidationError, match="dépend de cette réponse"):
        services.option_delete(option=yes, actor=coordination)
    services.question_create(
        questionnaire=draft.questionnaire,
        actor=coordination,
        section=draft.q["job"].section,
        kind="texte_court",
        label="Quel âge ?",
        condition_question=children,
        condition_operator="a_repondu",
    )
    with pytest.raises(ValidationError, match="retirez d'abord"):
        services.section_delete(section=children.section, actor=coordination)
    assert Question.objects.filter(pk=children.pk).exists() and Option.objects.filter(pk=yes.pk).exists()
    # Moving the condition's question below its dependent is refused too.
    with pytest.raises(ValidationError, match="déplacement refusé"):
        services.question_move(question=children, actor=coordination, direction="down")
    with pytest.raises(ValidationError, match="déplacement refusé"):
        services.section_move(section=children.section, actor=coordination, direction="down")
    assert list(children.section.questions.order_by("order").values_list("pk", flat=True))[1] == children.pk


def test_moves_and_options(world, draft, coordination):
    job, comment = draft.q["job"], draft.q["comment"]
    services.question_move(question=comment, actor=coordination, direction="up")
    order = list(job.section.questions.order_by("order").values_list("pk", flat=True))
    assert order.index(comment.pk) < order.index(job.pk)
    priorities = draft.q["priorities"]
    option = services.option_create(question=priorities, actor=coordination, label="Accueil d'urgence")
    assert option.code == "o4"
    services.option_update(option=option, actor=coordination, label="Accueil ponctuel")
    option.refresh_from_db()
    assert option.label == "Accueil ponctuel" and option.code == "o4"
    with pytest.raises(ValidationError, match="déjà proposée"):
        services.option_create(question=priorities, actor=coordination, label="Places")
    services.option_move(option=option, actor=coordination, direction="up")
    assert list(priorities.options.values_list("label", flat=True))[2] == "Accueil ponctuel"
    services.option_delete(option=option, actor=coordination)
    with pytest.raises(ValidationError):
        services.option_create(question=job, actor=coordination, label="x")


def test_a_choice_question_needs_two_options(world, draft, coordination):
    with pytest.raises(ValidationError, match="deux réponses"):
        services.question_create(
            questionnaire=draft.questionnaire,
            actor=coordination,
            section=draft.q["job"].section,
            kind="choix_unique",
            label="Oui ou non ?",
            options_text="Oui",
        )


def test_links(world, draft, coordination):
    questionnaire = draft.questionnaire
    with pytest.raises(ValidationError, match="déjà son lien"):
        services.link_create(
            questionnaire=questionnaire, actor=coordination, channel=draft.link.channel.upper()
        )
    with pytest.raises(ValidationError, match="réservé"):
        services.link_create(questionnaire=questionnaire, actor=coordination, channel="Saisie papier")
    links = services.links_generate(questionnaire=questionnaire, actor=coordination, channel="CCAS", count=5)
    assert len({link.token for link in links}) == 5 and all(len(link.token) >= 30 for link in links)
    for count in (0, 201):
        with pytest.raises(ValidationError):
            services.links_generate(
                questionnaire=questionnaire, actor=coordination, channel="CCAS", count=count
            )
    services.link_deactivate(link=links[0], actor=coordination)
    with pytest.raises(ValidationError):
        services.link_deactivate(link=links[0], actor=coordination)
    assert Link.objects.filter(is_active=False).count() == 1
    assert HistoryEntry.objects.filter(action=Action.SURVEY_LINK).count() == 3


def test_paper_entry_through_the_service(world, coordination):
    sample = build(world.ctg, actor=coordination)
    response = services.response_submit(
        questionnaire=sample.questionnaire, actor=coordination, data=valid_data(sample, world.ctg), paper=True
    )
    assert (
        response.channel == "saisie papier" and response.entered_by == coordination and response.link is None
    )
    assert HistoryEntry.objects.filter(action=Action.SURVEY_ANSWERS).count() == 1
    assert not SubmissionMark.objects.exists()


def test_an_empty_submission_is_refused(world):
    sample = build(world.ctg)
    sample.q["commune"].required = False
    Question.objects.filter(required=True).update(required=False)
    with pytest.raises(ValidationError, match="au moins à une question"):
        services.response_submit(questionnaire=sample.questionnaire, link=sample.link, data={})
    assert not Response.objects.exists()


def test_right_of_access(world, coordination):
    sample = build(world.ctg, actor=coordination, anonymous=False)
    data = valid_data(sample, world.ctg)
    services.response_submit(
        questionnaire=sample.questionnaire, link=sample.link, data=data, respondent_key="Alice@Exemple.fr"
    )
    services.response_submit(questionnaire=sample.questionnaire, link=sample.link, data=data)
    rows = services.respondent_answers(questionnaire=sample.questionnaire, respondent_key="alice@exemple.fr")
    assert len(rows) == 10
    by_question = {row["question"]: row["answer"] for row in rows}
    assert by_question["Vos priorités"] == "Tarifs > Horaires > Places"
    assert by_question["Vos besoins de garde"] == "Lundi Matin, Mercredi Après-midi"
    assert by_question["Modes de garde utilisés"] == "Crèche, Autre : Voisine"
    assert by_question["Depuis quand ?"] == "01/09/2025"
    assert (
        services.respondent_answers(questionnaire=sample.questionnaire, respondent_key="bob@exemple.fr") == []
    )
    with pytest.raises(ValidationError):
        services.response_submit(
            questionnaire=sample.questionnaire, link=sample.link, data=data, respondent_key="pas une adresse"
        )


def test_an_anonymous_questionnaire_keeps_no_respondent_key(world):
    sample = build(world.ctg)
    response = services.response_submit(
        questionnaire=sample.questionnaire,
        link=sample.link,
        data=valid_data(sample, world.ctg),
        respondent_key="alice@exemple.fr",
    )
    assert response.respondent_key == ""


def test_address_hash_is_keyed_and_changes_every_day():
    today = datetime.date(2026, 12, 5)
    first = services.address_hash("192.0.2.1", day=today)
    assert first == services.address_hash("192.0.2.1", day=today)
    assert first != services.address_hash("192.0.2.2", day=today)
    assert first != services.address_hash("192.0.2.1", day=today + datetime.timedelta(days=1))
    assert "192.0.2.1" not in first


# --- purge ---------------------------------------------------------------------------------------------


def _closed_sample(world, *, months_ago, retention=12, title="Ancien"):
    sample = build(world.ctg, title=title)
    services.response_submit(
        questionnaire=sample.questionnaire, link=sample.link, data=valid_data(sample, world.ctg)
    )
    services.questionnaire_close(questionnaire=sample.questionnaire, actor=None)
    closed_at = timezone.now() - datetime.timedelta(days=31 * months_ago)
    Questionnaire.objects.filter(pk=sample.questionnaire.pk).update(
        closed_at=closed_at, retention_months=retention
    )
    return sample


def test_purge_answers_command(world):
    old = _closed_sample(world, months_ago=13)
    recent = _closed_sample(world, months_ago=2, title="Récent")
    SubmissionMark.objects.update(at=timezone.now() - datetime.timedelta(days=2))
    out = io.StringIO()
    call_command("purge_answers", "--dry-run", stdout=out)
    assert "« Ancien » (fermé le" in out.getvalue() and "1 réponse(s) seraient supprimées" in out.getvalue()
    assert Response.objects.count() == 2
    out = io.StringIO()
    call_command("purge_answers", stdout=out)
    assert "1 réponse(s) supprimées" in out.getvalue() and "Récent" not in out.getvalue()
    assert not Response.objects.filter(questionnaire=old.questionnaire).exists()
    assert Response.objects.filter(questionnaire=recent.questionnaire).count() == 1
    old.questionnaire.refresh_from_db()
    assert old.questionnaire.answers_purged_at is not None
    entry = HistoryEntry.objects.filter(action=Action.SURVEY_ANSWERS).get()
    assert "durée de conservation de 12 mois" in entry.summary and entry.item_id == old.questionnaire.pk
    assert not SubmissionMark.objects.exists()
    out = io.StringIO()
    call_command("purge_answers", stdout=out)
    assert "Aucune réponse à supprimer." in out.getvalue()


def test_purge_keeps_open_and_reopened_questionnaires(world):
    sample = _closed_sample(world, months_ago=24)
    services.questionnaire_open(questionnaire=sample.questionnaire, actor=None)
    assert services.purge_answers() == []
    assert Response.objects.count() == 1


def test_sections(world, draft, coordination):
    section = services.section_create(questionnaire=draft.questionnaire, actor=coordination, title="Fin")
    services.section_update(section=section, actor=coordination, title="Pour finir", description="Merci")
    section.refresh_from_db()
    assert section.title == "Pour finir" and section.order == 3
    with pytest.raises(ValidationError):
        services.section_create(questionnaire=draft.questionnaire, actor=coordination, title="  ")
    services.section_delete(section=section, actor=coordination)
    assert not Section.objects.filter(pk=section.pk).exists()


def test_a_dossier_with_conditional_questions_can_be_deleted(world):
    sample = build(world.ctg)
    services.response_submit(
        questionnaire=sample.questionnaire, link=sample.link, data=valid_data(sample, world.ctg)
    )
    world.ctg.delete()
    assert not Questionnaire.objects.exists() and not Response.objects.exists()


def test_a_draft_questionnaire_is_deleted_with_its_conditions(world, draft, coordination):
    services.questionnaire_delete(questionnaire=draft.questionnaire, actor=coordination)
    assert not Question.objects.exists()
