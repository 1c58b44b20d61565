"""Points of attention favour the dossier's fields of intervention; commercial equipment never leads and never
enters the convention's annex (issue 11, item 8)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from ctg.conventions.models import Field
from ctg.diagnostics.catalogue import BY_ID
from ctg.diagnostics.field_weights import (
    COMMERCIAL_INDICATORS,
    FIELD_WEIGHTS,
    annex_points,
    field_weights,
    rank_for_fields,
)
from ctg.diagnostics.pdf import render_portrait_html
from ctg.diagnostics.portrait import build_portrait, resolve_territory
from ctg.diagnostics.presentation import portrait_context

from .test_portrait_views import EPCI_SIREN, portrait_data  # noqa: F401


def test_the_weights_name_catalogue_indicators_and_ctg_fields():
    assert set(FIELD_WEIGHTS) <= set(BY_ID)
    for weights in FIELD_WEIGHTS.values():
        assert set(weights) <= set(Field.values) and all(0 < w <= 1 for w in weights.values())
    covered = {field for weights in FIELD_WEIGHTS.values() for field in weights}
    assert {"petite_enfance", "enfance", "jeunesse", "parentalite", "acces_droits", "logement"} <= covered
    assert "animation_vie_sociale" in covered
    assert {"equipements_B105", "equipements_B105_pour_10000", "equipements_B201_pour_10000"} <= (
        COMMERCIAL_INDICATORS
    )
    assert not COMMERCIAL_INDICATORS & set(FIELD_WEIGHTS)


def _points():
    return [
        {"indicator": BY_ID["equipements_B105_pour_10000"], "gap": 9.0},
        {"indicator": BY_ID["equipements_B201_pour_10000"], "gap": -8.0},
        {"indicator": BY_ID["part_60_ans_et_plus"], "gap": 5.0},
        {"indicator": BY_ID["taux_pauvrete"], "gap": -2.0},
        {"indicator": BY_ID["taux_couverture_accueil_jeune_enfant"], "gap": 1.2},
    ]


def _ids(points):
    return [p["indicator"].id for p in points]


def test_without_fields_by_gap_and_commercial_last():
    assert _ids(rank_for_fields(_points())) == [
        "part_60_ans_et_plus",
        "taux_pauvrete",
        "taux_couverture_accueil_jeune_enfant",
        "equipements_B105_pour_10000",
        "equipements_B201_pour_10000",
    ]


def test_the_dossier_fields_lead():
    ranked = rank_for_fields(_points(), ["petite_enfance", "acces_droits"])
    assert _ids(ranked)[:2] == ["taux_pauvrete", "taux_couverture_accueil_jeune_enfant"]
    assert _ids(ranked)[2] == "part_60_ans_et_plus" and ranked[2]["relevance"] == 0
    assert _ids(ranked)[-2:] == ["equipements_B105_pour_10000", "equipements_B201_pour_10000"]
    # a weight of 1 leads a weight of 0.5, whatever the gaps
    ranked = rank_for_fields(_points(), ["parentalite", "petite_enfance"])
    assert _ids(ranked)[:2] == ["taux_couverture_accueil_jeune_enfant", "taux_pauvrete"]


def test_the_annex_never_takes_commercial_equipment():
    points = annex_points(_points(), ["seniors"])
    assert _ids(points) == ["part_60_ans_et_plus", "taux_pauvrete", "taux_couverture_accueil_jeune_enfant"]
    assert annex_points([_points()[0]]) == []


def test_the_setting_overrides_the_weights(settings):
    settings.CTG_INDICATOR_FIELD_WEIGHTS = {"part_60_ans_et_plus": {"petite_enfance": 1}}
    assert field_weights("part_60_ans_et_plus") == {"petite_enfance": 1.0}
    assert field_weights("taux_pauvrete") == FIELD_WEIGHTS["taux_pauvrete"]
    assert _ids(rank_for_fields(_points(), ["petite_enfance"]))[0] == "part_60_ans_et_plus"
    settings.CTG_INDICATOR_FIELD_WEIGHTS = {"part_60_ans_et_plus": ["petite_enfance"]}
    with pytest.raises(ImproperlyConfigured, match="CTG_INDICATOR_FIELD_WEIGHTS"):
        field_weights("part_60_ans_et_plus")


def test_the_page_context_ranks_for_the_fields(portrait_data):  # noqa: F811
    portrait = build_portrait(resolve_territory(EPCI_SIREN))
    portrait.attention = _points() + list(portrait.attention)
    for point in portrait.attention:
        point.setdefault("sentence", "…")
        point.setdefault("tone", "ecart")
    context = portrait_context(portrait, fields=["petite_enfance"])
    assert context["attention_fields"] == ["Petite enfance (0-3 ans)"]
    labels = [p["label"] for p in context["attention"]]
    assert labels[0] == BY_ID["taux_couverture_accueil_jeune_enfant"].label
    assert labels[-2:] == [
        BY_ID[i].label for i in ("equipements_B105_pour_10000", "equipements_B201_pour_10000")
    ]
    html = render_portrait_html(portrait, fields=["petite_enfance"])
    assert "D'abord les écarts des champs d'intervention du dossier (Petite enfance (0-3 ans))" in html
    public = portrait_context(portrait)
    assert public["attention_fields"] == [] and public["attention"][-1]["label"].startswith("Supérettes")


def test_attention_points_put_commercial_equipment_last():
    from types import SimpleNamespace

    from ctg.diagnostics.readings import attention_points

    def result(indicator_id, value, reference):
        return SimpleNamespace(
            indicator=BY_ID[indicator_id],
            value=SimpleNamespace(value=value),
            references={"departement": SimpleNamespace(value=reference)},
            comparison="…",
        )

    results = [
        result("equipements_B105_pour_10000", 9.0, 3.0),  # the largest gap
        result("part_60_ans_et_plus", 30.0, 26.0),
    ]
    points = attention_points(results, {"points": 2.0, "relative": 0.1})
    assert _ids(points) == ["part_60_ans_et_plus", "equipements_B105_pour_10000"]
