"""The convention's annex takes the points of attention of the dossier's fields first, never commercial
equipment (issue 11, item 8)."""

from types import SimpleNamespace

import pytest

from ctg.diagnostics.catalogue import BY_ID
from ctg.documents.content import portrait_annex

pytestmark = pytest.mark.django_db


def test_annex_points(world, monkeypatch):
    from ctg.diagnostics import portrait as portrait_module

    def point(indicator_id, gap):
        ind = BY_ID[indicator_id]
        return {"indicator": ind, "gap": gap, "sentence": f"Phrase de {ind.label}."}

    fake = SimpleNamespace(
        datasets={"bpe": 2023},
        territory=SimpleNamespace(name="CC du Test", population=6000),
        results=[],
        attention=[
            point("equipements_B105_pour_10000", 12.0),
            point("equipements_B201_pour_10000", 11.0),
            point("part_60_ans_et_plus", 4.0),
            point("taux_couverture_accueil_jeune_enfant", 1.1),
        ],
        fictitious_datasets=[],
    )
    monkeypatch.setattr(portrait_module, "build_portrait", lambda territory: fake)
    world.ctg.fields = ["petite_enfance"]
    labels = [p["label"] for p in portrait_annex(world.ctg)["attention"]]
    assert labels == [BY_ID["taux_couverture_accueil_jeune_enfant"].label, BY_ID["part_60_ans_et_plus"].label]
    assert not any("Supermarchés" in label or "Supérettes" in label for label in labels)
