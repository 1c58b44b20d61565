"""The final evaluation's computation: achievement per indicator and fiche (the rule), statuses over the years
from the history, budget planned vs spent, decisions, coherence, means, durability; no N+1."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ctg.evaluation import final
from ctg.plans import progress
from ctg.plans.models import FicheAction
from tests.evaluation.final_helpers import in_evaluation, plan, status_change
from tests.governance.factories import DecisionFactory, HeldMeetingFactory
from tests.plans.factories import FicheFactory


def series(baseline, target, realised, direction="up"):
    return progress.IndicatorSeries(baseline, 2024, direction, {2027: target}, realised)


def test_indicator_verdicts_follow_the_stated_rule():
    assert final.indicator_verdict(series(10, 20, {2025: 12, 2026: 20}))["verdict"] == final.ACHIEVED
    partly = final.indicator_verdict(series(10, 20, {2025: 15}))
    assert (partly["verdict"], partly["last_value"], partly["last_year"]) == (final.PARTLY, 15, 2025)
    assert final.indicator_verdict(series(10, 20, {2025: 8}))["verdict"] == final.NOT_ACHIEVED
    assert final.indicator_verdict(series(None, 20, {2025: 8}))["verdict"] == final.NOT_ACHIEVED
    assert final.indicator_verdict(series(10, 20, {}))["verdict"] == final.NOT_MEASURABLE
    assert final.indicator_verdict(series(10, 5, {2025: 8}))["verdict"] == final.NOT_MEASURABLE
    assert final.indicator_verdict(series(10, 5, {2025: 4}, "down"))["verdict"] == final.ACHIEVED
    assert final.combine([]) == final.NOT_MEASURABLE
    assert final.combine([final.ACHIEVED, final.NOT_MEASURABLE]) == final.ACHIEVED
    assert final.combine([final.ACHIEVED, final.NOT_ACHIEVED]) == final.PARTLY
    assert final.combine([final.NOT_ACHIEVED, final.NOT_MEASURABLE]) == final.NOT_ACHIEVED


def test_compute_per_enjeu_objective_fiche(world):
    ctg = in_evaluation(world.ctg)
    enjeu, (done, partly) = plan(ctg)
    status_change(done, FicheAction.Status.A_VENIR, FicheAction.Status.REALISEE)
    meeting = HeldMeetingFactory(body__ctg=ctg)
    DecisionFactory(meeting=meeting, fiche=done, kind="fiche_status", applied_at=meeting.starts_at)
    data = final.compute(ctg)
    row = data["tree"][0]
    assert row["enjeu"] == enjeu and row["verdict"] == final.PARTLY and row["fiches_count"] == 2
    fiches = row["objectives"][0]["operational"][0]["fiches"]
    assert [f["verdict"] for f in fiches] == [final.ACHIEVED, final.PARTLY]
    first = fiches[0]
    assert first["indicators"][0]["last"] == "20" and first["indicators"][0]["last_year"] == 2026
    assert first["statuses"][0] == {"year": 2025, "status": "À venir"}
    assert first["statuses"][-1]["status"] == "Réalisée"
    assert [d.fiche_id for d in first["decisions"]] == [done.pk]
    assert first["budget"]["planned"] == "1\u202f500,00 €" and first["budget"]["spent"] == "1\u202f300,00 €"
    assert data["means"]["budget"]["planned"] == "3\u202f000,00 €"
    assert data["means"]["budget"]["rate"] == "87\u202f%"
    assert data["means"]["post"] is None
    assert [p["partner"] for p in data["means"]["partners"]] == [2]
    assert data["durability"]["survey"] is None and data["durability"]["commitments"] == []
    assert data["validation"]["validated"] is False
    assert {r["label"]: r["count"] for r in data["verdict_summary"]}["Atteint"] == 1


def test_coherence_findings_not_answered(world):
    from ctg.findings.models import Finding

    ctg = in_evaluation(world.ctg)
    enjeu, _ = plan(ctg, fiches=1)
    cited = Finding.objects.create(ctg=ctg, title="Manque de places d'accueil")
    alone = Finding.objects.create(ctg=ctg, title="Isolement des seniors")
    enjeu.findings.add(cited)
    enjeu.needs_evidence = [{"label": "Places pour 100 enfants", "text": "42", "territory": {"name": "CC"}}]
    enjeu.save()
    data = final.compute(ctg)
    assert data["tree"][0]["findings"] == [cited]
    assert data["tree"][0]["needs"][0]["label"] == "Places pour 100 enfants"
    assert [(r["finding"], r["reason"]) for r in data["unanswered_findings"]] == [
        (alone, "cité par aucun enjeu")
    ]


def test_no_indicator_no_budget_says_not_measurable(world):
    ctg = in_evaluation(world.ctg)
    FicheFactory(ctg=ctg)
    data = final.compute(ctg)
    fiche = data["tree"][0]["objectives"][0]["operational"][0]["fiches"][0]
    assert fiche["verdict_label"] == "Non mesurable" and fiche["budget"]["empty"]
    assert data["means"]["budget"]["rate"] == "non mesurable (rien de prévu)"


def test_queries_do_not_grow_with_the_plan(world):
    ctg = in_evaluation(world.ctg)
    plan(ctg, fiches=1, title="A")
    with CaptureQueriesContext(connection) as small:
        final.compute(ctg)
    plan(ctg, fiches=4, title="B")
    plan(ctg, fiches=3, title="C")
    with CaptureQueriesContext(connection) as large:
        data = final.compute(ctg)
    assert data["fiches_count"] == 8
    assert len(large.captured_queries) == len(small.captured_queries), [
        q["sql"] for q in large.captured_queries
    ]
    assert len(large.captured_queries) <= 20


def test_snapshot_is_json(world):
    import json

    ctg = in_evaluation(world.ctg)
    plan(ctg, fiches=1)
    snap = final.snapshot(final.compute(ctg))
    assert json.loads(json.dumps(snap))["fiches"] == 1
    assert snap["budget"]["spent"] == "1\u202f300,00 €"
    assert Decimal(0) == 0


def test_means_reads_the_coordinator_post(world):
    from tests.post.factories import FundingFactory, PostFactory

    ctg = in_evaluation(world.ctg)
    post = PostFactory(ctg=ctg, fte=Decimal("0.80"))
    FundingFactory(post=post, year=2025, amount_requested=Decimal("25000"))
    FundingFactory(post=post, year=2026, amount_requested=Decimal("25000"), amount_agreed=None)
    means = final.compute(ctg)["means"]
    assert means["post"] == post and means["fte"] == "0,8"
    assert means["years_funded"] == [2025]
    assert [f["agreed"] for f in means["fundings"]] == ["22\u202f500,00 €", "en attente de décision"]


def test_a_funder_without_a_line_in_a_year_is_absent_not_zero(world):
    ctg = in_evaluation(world.ctg)
    plan(ctg, fiches=1)
    budget = final.compute(ctg)["means"]["budget"]
    caf = budget["rows"][0]
    assert [c["planned"] for c in caf["years"]] == ["1\u202f000,00 €", "—"]
