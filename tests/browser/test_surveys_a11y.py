"""The questionnaires' pages render in Chromium and pass axe-core (no serious or critical violation): the
list, the builder (a questionnaire's page, a question's form), the preview, the paper entry (empty and with
its errors), the links; then, without an account, the privacy notice, the form (its display conditions run by
a static script, no CSP violation) and the thank-you page."""

from ctg.surveys.models import Response
from tests.conftest import PASSWORD
from tests.surveys.helpers import build

from .axe import assert_accessible


def test_survey_pages_are_accessible(transactional_db, world, page, live_server, login, settings):
    settings.CTG_SURVEY_MIN_SECONDS = 0
    ctg = world.ctg
    sample = build(ctg, actor=world.users["coordination"])
    q = sample.questionnaire
    csp = []
    page.on(
        "console",
        lambda message: csp.append(message.text) if "Content Security Policy" in message.text else None,
    )
    base = f"{live_server.url}/diagnostic/ctg/{ctg.pk}/questionnaires/"

    login(world.users["coordination"].email, PASSWORD)
    assert page.goto(base).status == 200
    assert page.get_by_role("link", name="Questionnaires", exact=True).first.is_visible()
    assert_accessible(page, "Liste des questionnaires")
    assert page.goto(f"{base}{q.pk}/").status == 200
    assert_accessible(page, "Page d'un questionnaire (ouvert)")
    draft = build(ctg, title="Brouillon", open_it=False)
    assert page.goto(f"{base}{draft.questionnaire.pk}/").status == 200
    assert page.get_by_role("button", name="Ouvrir le questionnaire").is_visible()
    assert_accessible(page, "Constructeur d'un questionnaire (brouillon)")
    assert (
        page.goto(f"{base}{draft.questionnaire.pk}/questions/{draft.q['modes'].pk}/modifier/").status == 200
    )
    assert_accessible(page, "Formulaire d'une question")
    assert page.goto(f"{base}{q.pk}/apercu/").status == 200
    assert_accessible(page, "Aperçu")
    assert page.goto(f"{base}{q.pk}/saisie-papier/").status == 200
    assert_accessible(page, "Saisie papier")
    page.get_by_role("button", name="Enregistrer ce questionnaire papier").click()
    assert page.get_by_text("Cette question est obligatoire.").first.is_visible()
    assert_accessible(page, "Saisie papier avec ses erreurs")
    assert page.goto(f"{base}{q.pk}/liens/").status == 200
    assert_accessible(page, "Diffusion (liens)")

    page.context.clear_cookies()
    token = sample.link.token
    assert page.goto(f"{live_server.url}/questionnaire/{token}/").status == 200
    assert page.get_by_role("heading", name="Avant de commencer : vos données").is_visible()
    assert_accessible(page, "Mentions d'information")
    page.get_by_role("link", name="Je commence").click()
    page.wait_for_url(f"{live_server.url}/questionnaire/{token}/repondre/")
    assert_accessible(page, "Formulaire public")
    modes = page.locator(f"#question-{sample.q['modes'].pk}")
    assert modes.is_hidden()  # « Avez-vous un enfant de moins de 3 ans ? » not answered yet
    children, first_mode = sample.q["children"].pk, sample.q["modes"].options.order_by("order").first().pk
    # DSFR draws its own radios and boxes: their labels take the clicks.
    page.locator(f"label[for='q{children}-{sample.option('children', 'Oui')}']").click()
    assert modes.is_visible()
    page.locator(f"label[for='q{sample.q['modes'].pk}-{first_mode}']").click()
    page.locator(f"label[for='q{children}-{sample.option('children', 'Non')}']").click()
    assert modes.is_hidden()
    page.get_by_label("Votre commune").select_option(ctg.communes.order_by("name").first().code)
    page.get_by_role("button", name="Envoyer mes réponses").click()
    page.wait_for_url(f"{live_server.url}/questionnaire/{token}/merci/")
    assert page.get_by_role("heading", name="Merci pour vos réponses").is_visible()
    assert_accessible(page, "Remerciements")
    response = Response.objects.get()
    # The hidden question's fields were disabled: its checked box was not sent.
    assert set(response.answers.values_list("question_id", flat=True)) == {
        sample.q["commune"].pk,
        sample.q["children"].pk,
    }
    page.goto(f"{live_server.url}/questionnaire/{token}/repondre/")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    assert page.get_by_text("Votre réponse n'est pas encore enregistrée").is_visible()
    assert_accessible(page, "Formulaire public avec ses erreurs")
    assert not csp, csp
