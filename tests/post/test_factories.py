from tests.governance.factories import DecisionFactory
from tests.post.factories import FundingFactory, ReportFactory


def test_factories_build_a_post_in_the_same_dossier(db):
    funding = FundingFactory()
    report = ReportFactory(post=funding.post)
    decision = DecisionFactory()
    assert report.post.ctg == funding.post.ctg and funding.post.employer == funding.post.ctg.caf
    assert decision.meeting.ctg == decision.meeting.body.ctg
