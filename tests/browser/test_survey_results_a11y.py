"""The results of a questionnaire in Chromium: the page of the coordination (every count, charts drawn by the
dsfr-chart web components, a cross-tab), the page of a partner (masked counts) and the free texts with their
tag forms pass axe-core (no serious or critical violation), without CSP violation."""

from tests.conftest import PASSWORD
from tests.surveys.results_helpers import small_questionnaire

from .axe import assert_accessible
from .test_charts_browser import assert_assets_served, drawn_charts, watch


def test_survey_results_are_accessible(transactional_db, world, page, live_server, login):
    sample = small_questionnaire(world.ctg)
    oui, non = sample.opt("yesno", "Oui"), sample.opt("yesno", "Non")
    creche, famille = sample.opt("modes", "Crèche"), sample.opt("modes", "Famille")
    for index in range(8):
        sample.answer(
            yesno=oui, modes=[creche, famille], satisfaction="4", comment=f"Plus de places n° {index}"
        )
    for _ in range(2):
        sample.answer(yesno=non, modes=[creche], satisfaction="2", schedule=["lun-matin"])
    csp = []
    page.on(
        "console",
        lambda message: csp.append(message.text) if "Content Security Policy" in message.text else None,
    )
    assets, errors = watch(page)

    def axe(label):
        # axe-core's own injected <style> elements trip the policy on a page whose charts it walks (shadow
        # roots): what axe adds is not counted, what the page does before and after is.
        before, logged = len(csp), len(errors)
        assert_accessible(page, label)
        del csp[before:]
        errors[logged:] = [e for e in errors[logged:] if "Content Security Policy" not in e]

    url = (
        f"{live_server.url}/diagnostic/ctg/{world.ctg.pk}/questionnaires/{sample.questionnaire.pk}/resultats/"
    )

    login(world.users["coordination"].email, PASSWORD)
    assert page.goto(url).status == 200
    assert page.get_by_role("heading", name="Résultats du questionnaire « Accueil des enfants »").is_visible()
    # yes/no, modes, satisfaction, schedule: four charts, each in its figure before its table.
    drawn_charts(page, 4)
    assert_assets_served(assets)
    assert page.locator("figure bar-chart").count() == 4
    axe("Résultats d'un questionnaire (coordination)")
    page.get_by_label("Question", exact=True).select_option(str(sample.q["yesno"].pk))
    page.get_by_label("Croisée par").select_option("canal")
    page.get_by_role("button", name="Croiser").click()
    page.locator("#table-croisement").wait_for()
    axe("Résultats croisés par canal")
    page.get_by_role("link", name="Réponses libres et étiquettes").click()
    page.get_by_label("Étiquettes de la réponse n° 1", exact=True).fill("places")
    page.get_by_role("button", name="Enregistrer les étiquettes de la réponse n° 1", exact=True).click()
    assert page.get_by_role("link", name="places (1)").is_visible()
    axe("Réponses libres et étiquettes")

    page.context.clear_cookies()
    login(world.users["partenaire"].email, PASSWORD)
    assert page.goto(url).status == 200
    assert page.get_by_text("Secret statistique").is_visible()
    assert page.get_by_role("cell", name="< 5").first.is_visible()
    axe("Résultats d'un questionnaire (partenaire, effectifs masqués)")
    assert csp == [] and errors == []
