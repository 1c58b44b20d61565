"""The final evaluation's page renders in Chromium and passes axe-core (no serious or critical violation):
for the coordination (the forms of the conclusions, commitments, questionnaire, validation and generation),
after a refused validation (its error shown), and for a reader once validated."""

from ctg.evaluation import final_services
from tests.conftest import PASSWORD
from tests.evaluation.final_helpers import copil_decision, in_evaluation, plan

from .axe import assert_accessible


def test_final_evaluation_page_is_accessible(
    transactional_db, world, page, live_server, login, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    ctg = in_evaluation(world.ctg)
    plan(ctg, fiches=2)
    evaluation = final_services.final_create(ctg=ctg, actor=world.users["coordination"])
    final_services.final_set_conclusions(evaluation=evaluation, actor=None, coherence="Pertinent.")
    final_services.final_generate(evaluation=evaluation, actor=None)
    decision = copil_decision(ctg)
    url = f"{live_server.url}/plan/ctg/{ctg.pk}/evaluation-finale/"

    login(world.users["coordination"].email, PASSWORD)
    assert page.goto(url).status == 200
    assert page.get_by_role("heading", name="Évaluation finale de la CTG").is_visible()
    assert_accessible(page, "Évaluation finale (coordination)")
    page.get_by_role("button", name="Enregistrer la validation du COPIL").click()
    assert_accessible(page, "Évaluation finale (après un envoi)")

    final_services.final_validate(evaluation=evaluation, actor=None, decision=decision)
    page.context.clear_cookies()
    login(world.users["lecture"].email, PASSWORD)
    assert page.goto(url).status == 200
    assert page.get_by_text("Validée par le COPIL").first.is_visible()
    assert_accessible(page, "Évaluation finale (lecture, validée)")
