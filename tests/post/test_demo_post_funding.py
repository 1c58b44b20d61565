"""The demo's yearly funding convention (ctg/demo/post_funding.py): the year after those funded the old way
goes from the request to the advance through the services, with its generated convention; loaded once."""

import pytest

from ctg.demo import post_funding
from ctg.demo.post import COORDINATOR_EMAIL, PILOT_EMAIL
from ctg.post import selectors
from tests.post.factories import FundingFactory, PostFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_demo_convention_up_to_the_advance_and_loaded_once(world):
    post = PostFactory(ctg=world.ctg)
    FundingFactory(post=post, year=2025)
    users = {COORDINATOR_EMAIL: world.users["coordination"], PILOT_EMAIL: world.users["pilote_caf"]}
    assert post_funding.load(world.ctg, users) is True
    funding = post.fundings.get(year=2026)
    assert funding.follows_convention and funding.convention_versions.count() == 1
    assert funding.advance_paid == funding.amount_agreed / 2 and funding.signed_on is not None
    stage = selectors.funding_convention_stages([world.ctg], 2026)[world.ctg.pk][0]
    assert stage["stage"] == "acompte_verse"
    assert post_funding.load(world.ctg, users) is False
    assert post.fundings.count() == 2
