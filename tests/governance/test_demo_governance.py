"""The demo governance (ctg/demo/governance.py), loaded on a factory-built dossier with a small plan."""

import pytest

from ctg.demo.governance import load_demo_governance
from ctg.governance.models import Body, Decision, Meeting, Participant
from ctg.organisations.models import Organisation
from ctg.plans.models import FicheAction
from tests.factories import CtgFactory, MembershipFactory, OrganisationFactory, UserFactory
from tests.plans.factories import FicheFactory


@pytest.fixture
def demo(db):
    ctg = CtgFactory(is_fictitious=True)
    organisations = {
        "caf": ctg.caf,
        "epci": OrganisationFactory(kind=Organisation.Kind.EPCI, epci=ctg.epci, name=ctg.epci.name),
        "departement": OrganisationFactory(
            kind=Organisation.Kind.DEPARTEMENT, departement=ctg.caf.departement, name="Conseil départemental"
        ),
        "commune": OrganisationFactory(
            kind=Organisation.Kind.COMMUNE, commune=ctg.communes.first(), name="Commune d'Albi"
        ),
        "centre_social": OrganisationFactory(name="Centre social (fictif)"),
    }
    coordinator = UserFactory(email="coordination@demo.invalid")
    pilot = UserFactory(email="pilote.caf@demo.invalid", organisation=ctg.caf)
    MembershipFactory(ctg=ctg, user=coordinator, role="coordination")
    users = {coordinator.email: coordinator, pilot.email: pilot}
    FicheFactory(ctg=ctg, title="Déjà réalisée", status=FicheAction.Status.REALISEE)
    FicheFactory(ctg=ctg, title="Relais petite enfance", status=FicheAction.Status.A_VENIR)
    return ctg, users, organisations


def test_load_demo_governance(demo):
    ctg, users, organisations = demo
    assert load_demo_governance(ctg, users, organisations) is True
    bodies = {b.kind: b for b in ctg.bodies.all()}
    assert set(bodies) == {Body.Kind.COPIL, Body.Kind.COTECH}
    for body in bodies.values():
        assert 4 <= body.members.count() <= 6
    copil_orgs = {m.organisation for m in bodies["copil"].members.all()}
    assert {organisations[k] for k in ("caf", "epci", "departement", "commune")} <= copil_orgs
    assert (
        bodies["copil"].members.get(email="pilote.caf@demo.invalid").user == users["pilote.caf@demo.invalid"]
    )

    held = list(ctg.meetings.filter(status=Meeting.Status.HELD))
    assert len(held) == 3
    for meeting in held:
        assert meeting.minutes and meeting.agenda
        assert meeting.participants.exclude(attendance=Participant.Attendance.INVITED).count() == (
            meeting.participants.count()
        )
        assert meeting.decisions.exists()
    upcoming = ctg.meetings.get(status=Meeting.Status.PLANNED)
    assert upcoming.starts_at > held[-1].starts_at

    applied = Decision.objects.get(meeting__ctg=ctg, applied_at__isnull=False)
    fiche = ctg.fiches.get(title="Relais petite enfance")
    assert applied.fiche == fiche and fiche.status == FicheAction.Status.EN_COURS
    assert ctg.history.caused_by(applied).filter(item_type="ficheaction", item_id=fiche.pk).exists()

    # Idempotent: a second load changes nothing.
    counts = (Body.objects.count(), Meeting.objects.count(), Decision.objects.count())
    assert load_demo_governance(ctg, users, organisations) is False
    assert (Body.objects.count(), Meeting.objects.count(), Decision.objects.count()) == counts


def test_demo_governance_without_plan_has_no_applied_decision(db):
    ctg = CtgFactory(is_fictitious=True)
    organisations = {"caf": ctg.caf, "epci": OrganisationFactory(kind=Organisation.Kind.EPCI, epci=ctg.epci)}
    assert load_demo_governance(ctg, {}, organisations) is True
    assert ctg.meetings.count() == 4
    assert not Decision.objects.filter(applied_at__isnull=False).exists()
