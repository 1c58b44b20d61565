"""The final evaluation's writes: opened only in the « Évaluation » phase, conclusions, commitments, the
partners' questionnaire, the COPIL's validation through a decision of a held COPIL meeting, versions — each
refusal in French with nothing written, each change in the history with who and when."""

import pytest
from django.core.exceptions import ValidationError

from ctg.core.models import HistoryEntry
from ctg.evaluation import final_services as services
from ctg.evaluation.models import FinalEvaluation, FinalEvaluationVersion
from ctg.governance.models import Body
from ctg.organisations.permissions import Role
from ctg.surveys.models import Questionnaire
from tests.evaluation.final_helpers import copil_decision, in_evaluation, plan


def state(ctg):
    row = FinalEvaluation.objects.filter(ctg=ctg).values().first()
    return row, HistoryEntry.objects.filter(ctg=ctg).count(), FinalEvaluationVersion.objects.count()


def last_history(ctg):
    return HistoryEntry.objects.filter(ctg=ctg).order_by("-id").first()


def test_created_only_in_the_evaluation_phase(world):
    actor = world.users[Role.COORDINATION]
    before = state(world.ctg)
    with pytest.raises(ValidationError, match="phase « Évaluation »"):
        services.final_create(ctg=world.ctg, actor=actor)
    assert state(world.ctg) == before
    evaluation = services.final_create(ctg=in_evaluation(world.ctg), actor=actor)
    entry = last_history(world.ctg)
    assert (entry.item_type, entry.item_id, entry.actor) == ("finalevaluation", evaluation.pk, actor)
    assert evaluation.created_by == actor
    with pytest.raises(ValidationError, match="existe déjà"):
        services.final_create(ctg=world.ctg, actor=actor)


def test_conclusions_commitments_questionnaire(world):
    actor = world.users[Role.PILOTE_CAF]
    ctg = in_evaluation(world.ctg)
    _enjeu, (fiche, _) = plan(ctg)
    partner = fiche.partners.get()
    evaluation = services.final_create(ctg=ctg, actor=actor)
    services.final_set_conclusions(
        evaluation=evaluation, actor=actor, coherence="Pertinent.\x0c", means="Oui"
    )
    evaluation.refresh_from_db()
    assert (evaluation.coherence, evaluation.means, evaluation.updated_by) == ("Pertinent.", "Oui", actor)
    assert set(last_history(ctg).changes) == {"coherence", "means"}
    with pytest.raises(ValidationError):
        services.final_set_conclusions(evaluation=evaluation, actor=actor, junk="x")

    services.final_set_commitments(
        evaluation=evaluation, actor=actor, commitments={f"o{partner.pk}": "Maintient le lieu d'accueil."}
    )
    services.final_set_commitments(
        evaluation=evaluation, actor=actor, commitments={f"f{fiche.pk}": "Poursuivie."}
    )
    evaluation.refresh_from_db()
    assert evaluation.commitments == {
        f"o{partner.pk}": "Maintient le lieu d'accueil.",
        f"f{fiche.pk}": "Poursuivie.",
    }

    other_fiche_plan = plan(world.other_ctg, fiches=1)[1][0]
    before = state(ctg)
    for junk in ({f"f{other_fiche_plan.pk}": "x"}, {"o999999": "x"}, {"zzz": "x"}):
        with pytest.raises(ValidationError, match="pas de ce dossier"):
            services.final_set_commitments(evaluation=evaluation, actor=actor, commitments=junk)
    assert state(ctg) == before

    mine = Questionnaire.objects.create(
        ctg=ctg, title="Questionnaire aux partenaires", audience="partenaires"
    )
    theirs = Questionnaire.objects.create(ctg=world.other_ctg, title="Autre", audience="partenaires")
    with pytest.raises(ValidationError, match="pas un questionnaire de ce dossier"):
        services.final_set_questionnaire(evaluation=evaluation, actor=actor, questionnaire=theirs)
    assert state(ctg) == before
    services.final_set_questionnaire(evaluation=evaluation, actor=actor, questionnaire=mine)
    evaluation.refresh_from_db()
    assert evaluation.questionnaire == mine
    assert last_history(ctg).changes == {"questionnaire": ["", "Questionnaire aux partenaires"]}


def test_validation_by_a_decision_of_a_held_copil_meeting(world):
    actor = world.users[Role.COORDINATION]
    ctg = in_evaluation(world.ctg)
    evaluation = services.final_create(ctg=ctg, actor=actor)
    planned = copil_decision(ctg, held=False)
    cotech = copil_decision(ctg, kind=Body.Kind.COTECH)
    elsewhere = copil_decision(world.other_ctg)
    before = state(ctg)
    for decision, message in (
        (planned, "pas tenue"),
        (cotech, "n'est pas un comité de pilotage"),
        (elsewhere, "pas une décision de ce dossier"),
        (None, "Choisissez une décision"),
    ):
        with pytest.raises(ValidationError, match=message):
            services.final_validate(evaluation=evaluation, actor=actor, decision=decision)
    assert state(ctg) == before

    decision = copil_decision(ctg)
    services.final_validate(evaluation=evaluation, actor=actor, decision=decision)
    evaluation.refresh_from_db()
    assert evaluation.decision == decision and evaluation.validated_by == actor and evaluation.validated_at
    assert last_history(ctg).summary.startswith("Évaluation finale validée par le COPIL du 12/06/2025")
    after = state(ctg)
    with pytest.raises(ValidationError, match="validée par le COPIL"):
        services.final_set_conclusions(evaluation=evaluation, actor=actor, durability="Changer")
    with pytest.raises(ValidationError, match="validée par le COPIL"):
        services.final_validate(evaluation=evaluation, actor=actor, decision=decision)
    assert state(ctg) == after


def test_generate_keeps_numbered_versions(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    actor = world.users[Role.COORDINATION]
    ctg = in_evaluation(world.ctg)
    plan(ctg, fiches=1)
    evaluation = services.final_create(ctg=ctg, actor=actor)
    first = services.final_generate(evaluation=evaluation, actor=actor)
    second = services.final_generate(evaluation=evaluation, actor=actor)
    assert (first.number, second.number) == (1, 2)
    assert second.pdf.read().startswith(b"%PDF") and second.docx.read().startswith(b"PK")
    assert second.generated_by == actor and second.snapshot["fiches"] == 1
    assert last_history(ctg).summary == "Évaluation finale : rapport généré (version 2)"


def test_rendering_runs_outside_any_transaction(transactional_db, world, settings, tmp_path, monkeypatch):
    from django.db import connection

    from ctg.evaluation import final_render

    settings.MEDIA_ROOT = tmp_path
    ctg = in_evaluation(world.ctg)
    evaluation = services.final_create(ctg=ctg, actor=None)
    seen = []
    render = final_render.render_pdf

    def spy(data):
        seen.append(connection.in_atomic_block)
        return render(data)

    monkeypatch.setattr(final_render, "render_pdf", spy)
    version = services.final_generate(evaluation=evaluation, actor=None)
    assert seen == [False] and version.number == 1 and version.generated_by is None
