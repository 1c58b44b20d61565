"""The demo coordinator post (ctg/demo/post.py), loaded on a factory-built dossier."""

import datetime
from decimal import Decimal

import pytest

from ctg.core.models import HistoryEntry
from ctg.demo.post import load_demo_post
from ctg.organisations.models import Organisation
from ctg.post.models import ActivityReport, CoordinatorPost
from tests.factories import CtgFactory, MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture
def demo(db):
    ctg = CtgFactory(start_year=2024, end_year=2027, is_fictitious=True)
    epci = OrganisationFactory(kind=Organisation.Kind.EPCI, epci=ctg.epci, name=ctg.epci.name)
    coordinator = UserFactory(email="coordination@demo.invalid", first_name="Léa", last_name="Bernard")
    pilot = UserFactory(email="pilote.caf@demo.invalid", organisation=ctg.caf)
    MembershipFactory(ctg=ctg, user=coordinator, role="coordination")
    users = {coordinator.email: coordinator, pilot.email: pilot}
    return ctg, users, {"epci": epci, "caf": ctg.caf}


def test_load_demo_post(demo):
    ctg, users, organisations = demo
    assert load_demo_post(ctg, users, organisations) is True
    post = CoordinatorPost.objects.get(ctg=ctg)
    coordinator, pilot = users["coordination@demo.invalid"], users["pilote.caf@demo.invalid"]
    assert post.person_name == "Léa Bernard" and post.user == coordinator
    assert post.employer == organisations["epci"] and post.fte == 1
    assert post.start_date == datetime.date(2024, 1, 2) and "comités de pilotage" in post.missions
    fundings = {f.year: f for f in post.fundings.all()}
    assert sorted(fundings) == [2024, 2025]
    assert fundings[2024].remaining == 0 and fundings[2024].amount_agreed == Decimal("22500")
    assert fundings[2025].advance_paid == Decimal("11250") and fundings[2025].balance_paid == 0
    reports = {r.year: r for r in post.reports.all()}
    assert reports[2024].status == ActivityReport.Status.ACCEPTED
    assert reports[2024].sent_by == coordinator and reports[2024].accepted_by == pilot
    assert "fictif" in reports[2024].comments.lower() and reports[2024].priorities
    assert reports[2025].status == ActivityReport.Status.TO_PREPARE
    assert HistoryEntry.objects.filter(ctg=ctg, item_type="activityreport").exists()


def test_load_demo_post_is_idempotent(demo):
    ctg, users, organisations = demo
    load_demo_post(ctg, users, organisations)
    count = HistoryEntry.objects.filter(ctg=ctg).count()
    assert load_demo_post(ctg, users, organisations) is False
    assert CoordinatorPost.objects.filter(ctg=ctg).count() == 1
    assert HistoryEntry.objects.filter(ctg=ctg).count() == count
