from tests.governance.factories import (
    DecisionFactory,
    FundingFactory,
    PresentParticipantFactory,
    ReportFactory,
)


def test_factories_build_a_post_in_the_same_dossier(db):
    funding = FundingFactory()
    report = ReportFactory(post=funding.post)
    decision = DecisionFactory()
    assert report.post.ctg == funding.post.ctg and funding.post.employer == funding.post.ctg.caf
    assert decision.meeting.ctg == decision.meeting.body.ctg


def test_participant_factory_for_reports_is_present_at_a_held_meeting(db):
    participant = PresentParticipantFactory()
    assert participant.attendance == "present" and participant.meeting.status == "tenue"
