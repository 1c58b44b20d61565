import pytest

from tests.api.seed import seed_plan


@pytest.fixture
def plan(world):
    return seed_plan(world.ctg, world.users["pilote_caf"])


@pytest.fixture
def other_plan(world):
    return seed_plan(world.other_ctg, world.users["other_member"], title="Voisine")
