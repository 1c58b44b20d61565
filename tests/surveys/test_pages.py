"""The builder's pages with the Django test client: creating and editing through the forms, the refusals
shown in French, the preview that saves nothing, the paper entry, the links and the right of access."""

import pytest
from django.urls import reverse

from ctg.core.models import Action, HistoryEntry
from ctg.surveys.models import Link, Question, Questionnaire, Response
from tests.surveys.helpers import build, valid_data


@pytest.fixture
def manager(client, world):
    client.force_login(world.users["coordination"])
    return client


def url(name, ctg, *args):
    return reverse(f"surveys:{name}", args=[ctg.pk, *args])


def test_create_a_questionnaire_then_a_section_and_questions(manager, world):
    ctg = world.ctg
    response = manager.post(
        url("create", ctg),
        {"title": "Jeunesse 2026", "audience": "jeunes", "retention_months": "6", "anonymous": "on"},
    )
    questionnaire = Questionnaire.objects.get()
    assert response.status_code == 302 and response.url == url("detail", ctg, questionnaire.pk)
    assert "6 mois" in questionnaire.privacy_notice
    manager.post(url("section_add", ctg, questionnaire.pk), {"title": "Vos loisirs"})
    section = questionnaire.sections.get()
    base = {"section": section.pk, "schedule_days": "lun-ven", "schedule_slots": "demi_journees"}
    response = manager.post(
        url("question_add", ctg, questionnaire.pk),
        {
            **base,
            "kind": "choix_multiple",
            "label": "Vos activités",
            "options_text": "Sport\nMusique\nSport\n",
        },
    )
    assert response.status_code == 302
    activities = Question.objects.get()
    assert list(activities.options.values_list("label", "code")) == [("Sport", "o1"), ("Musique", "o2")]
    response = manager.post(
        url("question_add", ctg, questionnaire.pk),
        {
            **base,
            "kind": "texte_court",
            "label": "Laquelle ?",
            "condition_question": activities.pk,
            "condition_operator": "est",
            "condition_option": activities.options.get(code="o2").pk,
        },
    )
    assert response.status_code == 302
    page = manager.get(url("detail", ctg, questionnaire.pk)).content.decode()
    assert "À remplir seulement si la réponse à « Vos activités » est « Musique »." in page
    assert HistoryEntry.objects.filter(action=Action.SURVEY).count() == 4


def test_the_forms_show_the_refusals(manager, world):
    ctg = world.ctg
    response = manager.post(url("create", ctg), {"title": "", "audience": "jeunes", "retention_months": "99"})
    assert response.status_code == 400 and not Questionnaire.objects.exists()
    sample = build(ctg, open_it=False)
    q = sample.questionnaire
    response = manager.post(
        url("question_edit", ctg, q.pk, sample.q["commune"].pk),
        {
            "section": sample.q["commune"].section_id,
            "kind": "commune",
            "label": "Votre commune",
            "schedule_days": "lun-ven",
            "schedule_slots": "demi_journees",
            "condition_question": sample.q["job"].pk,
            "condition_operator": "a_repondu",
        },
    )
    assert response.status_code == 400
    assert (
        "Une condition ne peut porter que sur une question placée avant celle-ci."
        in response.content.decode()
    )
    response = manager.post(url("question_delete", ctg, q.pk, sample.q["children"].pk), follow=True)
    assert "dépend de cette question" in response.content.decode()
    assert Question.objects.filter(pk=sample.q["children"].pk).exists()


def test_the_settings_lock_at_opening(manager, world):
    sample = build(world.ctg)
    q = sample.questionnaire
    page = manager.get(url("edit", world.ctg, q.pk)).content.decode()
    assert 'name="anonymous"' in page and "disabled" in page
    manager.post(
        url("edit", world.ctg, q.pk),
        {
            "title": "Autre titre",
            "audience": "familles",
            "privacy_notice": "Mentions.",
            "retention_months": "3",
        },
    )
    q.refresh_from_db()
    # A disabled field keeps its value whatever is posted.
    assert q.title == "Autre titre" and q.retention_months == 12 and q.anonymous


def test_the_preview_saves_nothing(manager, world):
    sample = build(world.ctg, open_it=False)
    response = manager.get(url("preview", world.ctg, sample.questionnaire.pk))
    html = response.content.decode()
    assert response.status_code == 200 and "Rien n'est enregistré" in html
    assert "Vos besoins de garde" in html and "Mercredi" in html
    assert not Response.objects.exists()


def test_open_close_buttons_and_test_answers_purged(manager, world, client):
    sample = build(world.ctg, open_it=False)
    q = sample.questionnaire
    assert (
        manager.post(
            reverse("answer:form", args=[sample.link.token]), valid_data(sample, world.ctg)
        ).status_code
        == 302
    )
    assert Response.objects.get().is_test
    manager.post(url("open", world.ctg, q.pk))
    q.refresh_from_db()
    assert q.status == "ouvert" and not Response.objects.exists()
    manager.post(url("close", world.ctg, q.pk))
    q.refresh_from_db()
    assert q.status == "ferme"


def test_paper_entry_page(manager, world):
    sample = build(world.ctg)
    page_url = url("paper", world.ctg, sample.questionnaire.pk)
    assert "Enregistrer ce questionnaire papier" in manager.get(page_url).content.decode()
    data = valid_data(sample, world.ctg)
    bad = {**data, f"q{sample.q['commune'].pk}": ""}
    response = manager.post(page_url, bad)
    assert response.status_code == 400 and "Cette question est obligatoire." in response.content.decode()
    assert not Response.objects.exists()
    response = manager.post(page_url, data)
    assert response.status_code == 302
    stored = Response.objects.get()
    assert stored.channel == "saisie papier" and stored.entered_by == world.users["coordination"]


def test_links_page(manager, world):
    sample = build(world.ctg)
    q = sample.questionnaire
    manager.post(url("link_add", world.ctg, q.pk), {"channel": "mairie"})
    manager.post(url("links_generate", world.ctg, q.pk), {"channel": "CCAS", "count": "4"})
    response = manager.post(url("links_generate", world.ctg, q.pk), {"channel": "CCAS", "count": "500"})
    assert response.status_code == 400
    response = manager.post(url("link_add", world.ctg, q.pk), {"channel": "mairie"})
    assert response.status_code == 400 and "Ce canal a déjà son lien public." in response.content.decode()
    page = manager.get(url("links", world.ctg, q.pk)).content.decode()
    assert page.count("/questionnaire/") == 6
    single = Link.objects.filter(kind="usage_unique").first()
    manager.post(url("link_deactivate", world.ctg, q.pk, single.pk))
    single.refresh_from_db()
    assert not single.is_active


def test_right_of_access_page(manager, world):
    anonymous = build(world.ctg)
    response = manager.post(
        url("access", world.ctg, anonymous.questionnaire.pk), {"respondent_key": "a@b.fr", "format": "csv"}
    )
    assert response.status_code == 400 and "anonyme" in response.content.decode()
    named = build(world.ctg, anonymous=False, title="Nominatif")
    response = manager.post(
        url("access", world.ctg, named.questionnaire.pk), {"respondent_key": "a@b.fr", "format": "csv"}
    )
    assert response.status_code == 400 and "Aucune réponse" in response.content.decode()


def test_a_reader_sees_no_builder_buttons(client, world):
    sample = build(world.ctg)
    client.force_login(world.users["lecture"])
    html = client.get(url("detail", world.ctg, sample.questionnaire.pk)).content.decode()
    assert "Aperçu" in html and "Diffusion (liens)" not in html and "Fermer le questionnaire" not in html
    assert client.get(url("list", world.ctg)).status_code == 200
