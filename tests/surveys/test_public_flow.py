"""Answering through a link with the Django test client, anonymously: notice, form, thank-you page; and
the bad inputs, each leaving the database unchanged."""

import pytest
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from ctg.core.models import HistoryEntry
from ctg.surveys import services
from ctg.surveys.answering import HONEYPOT, STAMP, form_stamp
from ctg.surveys.models import Answer, Link, Question, Response, SubmissionMark
from tests.surveys.helpers import build, valid_data


@pytest.fixture
def sample(world):
    return build(world.ctg, actor=world.users["coordination"])


def _snapshot():
    return (
        Response.objects.count(),
        Answer.objects.count(),
        Answer.options.through.objects.count(),
        SubmissionMark.objects.count(),
        HistoryEntry.objects.count(),
        list(Link.objects.order_by("pk").values_list("used_at", flat=True)),
    )


def _post(client, link, data):
    return client.post(reverse("answer:form", args=[link.token]), data)


def test_notice_then_form_then_thanks(client, world, sample):
    link = sample.link
    notice = client.get(reverse("answer:notice", args=[link.token]))
    assert notice.status_code == 200
    html = notice.content.decode()
    assert "Avant de commencer : vos données" in html
    assert "Durée de conservation" in html and "CNIL" in html
    assert "Je commence" in html and reverse("answer:form", args=[link.token]) in html
    form = client.get(reverse("answer:form", args=[link.token]))
    assert form.status_code == 200
    assert f'name="{HONEYPOT}"' in form.content.decode() and f'name="{STAMP}"' in form.content.decode()
    response = _post(client, link, valid_data(sample, world.ctg))
    assert response.status_code == 302 and response.url == reverse("answer:thanks", args=[link.token])
    assert client.get(response.url).status_code == 200
    stored = Response.objects.get()
    assert stored.channel == link.channel and stored.link == link and not stored.is_test
    assert (
        stored.respondent_type == "familles" and stored.commune == world.ctg.communes.order_by("code").first()
    )
    assert stored.respondent_key == "" and stored.entered_by is None
    answers = {a.question_id: a for a in stored.answers.all()}
    assert len(answers) == 10
    modes = answers[sample.q["modes"].pk]
    first_mode = sample.q["modes"].options.order_by("order").first()
    assert modes.value == [first_mode.pk] and modes.other_text == "Voisine"
    assert list(modes.options.all()) == [first_mode]
    assert answers[sample.q["priorities"].pk].value == list(
        sample.q["priorities"].options.order_by("-order").values_list("pk", flat=True)
    )
    assert answers[sample.q["schedule"].pk].value == ["lun-matin", "mer-apres_midi"]
    assert answers[sample.q["count"].pk].value == 2
    assert answers[sample.q["satisfaction"].pk].value == 4
    assert answers[sample.q["since"].pk].value == "2025-09-01"
    # No address anywhere: only a keyed hash, for throttling, unrelated to the response.
    mark = SubmissionMark.objects.get()
    assert "127.0.0.1" not in mark.address_hash and len(mark.address_hash) == 64


def test_a_manager_tests_a_draft_and_the_test_answers_go_at_opening(client, world):
    sample = build(world.ctg, actor=world.users["coordination"], open_it=False)
    link = sample.link
    assert client.get(reverse("answer:notice", args=[link.token])).status_code == 410
    assert _post(client, link, valid_data(sample, world.ctg)).status_code == 410
    assert not Response.objects.exists()
    client.force_login(world.users["coordination"])
    page = client.get(reverse("answer:form", args=[link.token]))
    assert "Mode test" in page.content.decode()
    assert _post(client, link, valid_data(sample, world.ctg)).status_code == 302
    assert Response.objects.get().is_test
    client.force_login(world.users["partenaire"])  # a partner may not test
    assert client.get(reverse("answer:form", args=[link.token])).status_code == 410
    services.questionnaire_open(questionnaire=sample.questionnaire, actor=world.users["coordination"])
    assert not Response.objects.exists()


def test_a_single_use_link_answers_once(client, world, sample):
    (link,) = services.links_generate(
        questionnaire=sample.questionnaire, actor=None, channel="Mission locale", count=1
    )
    assert _post(client, link, valid_data(sample, world.ctg)).status_code == 302
    link.refresh_from_db()
    assert link.used_at is not None
    before = _snapshot()
    replay = _post(client, link, valid_data(sample, world.ctg))
    assert replay.status_code == 410 and "déjà servi" in replay.content.decode()
    assert client.get(reverse("answer:notice", args=[link.token])).status_code == 410
    assert _snapshot() == before


def test_an_unknown_token_is_404(client, world, sample):
    assert client.get(reverse("answer:notice", args=["inconnu"])).status_code == 404
    assert client.post(reverse("answer:form", args=["inconnu"]), {}).status_code == 404


def test_csrf_is_kept(world, sample):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    before = _snapshot()
    assert _post(strict, sample.link, valid_data(sample, world.ctg)).status_code == 403
    assert _snapshot() == before


def test_the_too_fast_rule_follows_the_setting(client, world, sample, settings):
    settings.CTG_SURVEY_MIN_SECONDS = 0
    data = valid_data(sample, world.ctg, **{STAMP: form_stamp()})
    assert _post(client, sample.link, data).status_code == 302


# --- bad inputs: each leaves the database as it was ----------------------------------------------------


def _other_dossier_question(world):
    other = build(world.other_ctg, title="Voisins")
    return other.q["job"].pk


BAD = {
    "closed questionnaire": lambda s, w: ("close", {}),
    "tampered option id": lambda s, w: (None, {f"q{s.q['children'].pk}": "999999"}),
    "option of another question": lambda s, w: (
        None,
        {f"q{s.q['children'].pk}": str(s.option("priorities", "Places"))},
    ),
    "oversized long text": lambda s, w: (None, {f"q{s.q['comment'].pk}": "x" * 5001}),
    "oversized short text": lambda s, w: (None, {f"q{s.q['job'].pk}": "x" * 301}),
    "missing required answer": lambda s, w: (None, {f"q{s.q['commune'].pk}": ""}),
    "condition bypass": lambda s, w: (
        None,
        {f"q{s.q['children'].pk}": str(s.option("children", "Non"))},
    ),
    "too fast": lambda s, w: (None, {STAMP: form_stamp()}),
    "forged stamp": lambda s, w: (None, {STAMP: "1234"}),
    "honeypot filled": lambda s, w: (None, {HONEYPOT: "http://spam.example"}),
    "commune of another territory": lambda s, w: (
        None,
        {f"q{s.q['commune'].pk}": w.other_ctg.communes.first().code},
    ),
    "number above the maximum": lambda s, w: (None, {f"q{s.q['count'].pk}": "16"}),
    "not a number": lambda s, w: (None, {f"q{s.q['count'].pk}": "deux"}),
    "scale outside its steps": lambda s, w: (None, {f"q{s.q['satisfaction'].pk}": "6"}),
    "invalid date": lambda s, w: (None, {f"q{s.q['since'].pk}": "2025-02-30"}),
    "unknown schedule cell": lambda s, w: (None, {f"q{s.q['schedule'].pk}": ["dim-matin"]}),
    "ranking not a permutation": lambda s, w: (
        None,
        {f"q{s.q['priorities'].pk}": [str(s.option("priorities", "Places"))] * 3},
    ),
    "two choices for a single choice": lambda s, w: (
        None,
        {f"q{s.q['children'].pk}": [str(o.pk) for o in s.q["children"].options.all()]},
    ),
    "another dossier's question id": lambda s, w: (None, {f"q{_other_dossier_question(w)}": "intrus"}),
    "inactive link": lambda s, w: ("deactivate", {}),
    "draft questionnaire": lambda s, w: ("draft", {}),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_submission_changes_nothing(client, world, sample, case):
    action, extra = BAD[case](sample, world)
    if action == "close":
        services.questionnaire_close(questionnaire=sample.questionnaire, actor=None)
    elif action == "deactivate":
        services.link_deactivate(link=sample.link, actor=None)
    elif action == "draft":
        sample = build(world.ctg, title="Brouillon", open_it=False)
    data = valid_data(sample, world.ctg)
    # The condition bypass keeps the answer to the question that « Non » hides.
    data.update(extra)
    before = _snapshot()
    response = _post(client, sample.link, data)
    assert response.status_code in (400, 410), response.status_code
    assert _snapshot() == before
    if response.status_code == 400:
        assert "Votre réponse n'est pas encore enregistrée" in response.content.decode()


def test_throttling_per_hashed_address(client, world, sample, settings):
    settings.CTG_SURVEY_MAX_PER_HOUR = 2
    for _ in range(2):
        assert _post(client, sample.link, valid_data(sample, world.ctg)).status_code == 302
    before = _snapshot()
    response = _post(client, sample.link, valid_data(sample, world.ctg))
    assert response.status_code == 429 and "Réessayez dans une heure" in response.content.decode()
    assert _snapshot() == before
    # Another address is not throttled.
    other = client.post(
        reverse("answer:form", args=[sample.link.token]),
        valid_data(sample, world.ctg),
        REMOTE_ADDR="10.0.0.9",
    )
    assert other.status_code == 302


def test_the_form_shows_the_errors_and_keeps_the_values(client, world, sample):
    data = valid_data(
        sample, world.ctg, **{f"q{sample.q['count'].pk}": "16", f"q{sample.q['job'].pk}": "Boulangère"}
    )
    response = _post(client, sample.link, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Le nombre doit être au plus 15." in html
    assert 'value="Boulangère"' in html


def test_the_rules_read_by_the_service_match_the_form(world, sample):
    data = MultiValueDict(
        {k: v if isinstance(v, list) else [v] for k, v in valid_data(sample, world.ctg).items()}
    )
    response = services.response_submit(questionnaire=sample.questionnaire, link=sample.link, data=data)
    assert response.answers.count() == 10
    assert Question.objects.filter(questionnaire=sample.questionnaire).count() == 10
