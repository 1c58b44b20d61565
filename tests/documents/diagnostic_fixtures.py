"""A dossier ready for its diagnostic document: fictitious statistics (the demo's generator) on the test
world, whose third commune is the only one large enough for the CAF file (its « Foyers allocataires » is then
partial: 1 commune of 3), an enjeu, a finding of the petite enfance, and a structure of the offer."""

import pytest

from ctg.demo.statistics import load_fictitious_statistics
from ctg.territories.models import Commune
from tests.plans.factories import EnjeuFactory


@pytest.fixture
def stats(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR / "stats"


@pytest.fixture
def diagnostic_dossier(world, stats):
    ctg = world.ctg
    ctg.fields = ["petite_enfance", "jeunesse", "parentalite"]
    ctg.save()
    codes = sorted(ctg.communes.values_list("code", flat=True))
    Commune.objects.filter(code=codes[-1]).update(population=6000)
    assert load_fictitious_statistics(codes)
    EnjeuFactory(
        ctg=ctg,
        title="Soutenir les jeunes familles",
        description="Des places d'accueil pour les moins de 3 ans.",
        fields=["petite_enfance"],
        attention_indicators=["taux_pauvrete"],
    )
    return world
