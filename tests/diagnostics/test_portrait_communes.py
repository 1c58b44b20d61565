"""The communes' values come with the portrait, from the one read of the store that gives the territory's
figures: the same values as the engine's query grouped by commune, which the commune table, the map and the
CSV each ran again before; on the real Tarn files of ../shared/data."""

import pytest

from ctg.diagnostics import engine
from ctg.diagnostics.catalogue import COMMUNE_TABLE_INDICATORS, INDICATORS, Kind, indicator
from ctg.diagnostics.portrait import build_portrait, datasets_in_use, effective_indicators, resolve_territory
from ctg.diagnostics.presentation import commune_csv

from .test_portrait_tarn import tarn, tarn_source  # noqa: F401

pytestmark = [pytest.mark.shared_data]

# The Albigeois, an EPCI across two départements (Haute-Garonne and Tarn), and the Tarn.
TERRITORIES = ["248100737", "243100567", "81"]


def values_before(territory, indicator_ids) -> dict[str, dict]:
    """The computation of the commune table, the map and the CSV before (`views.commune_values`): the
    engine's SQL grouped by commune, for the latest vintage of each indicator's own dataset."""
    by_dataset: dict[str, list] = {}
    for ind_id in indicator_ids:
        ind = indicator(ind_id)
        by_dataset.setdefault(ind.dataset, []).append(ind)
    out: dict[str, dict] = {code: {} for code in territory.communes}
    for kind, inds in by_dataset.items():
        years = engine.available_vintages(kind)
        if not years:
            continue
        values = engine.aggregate(
            kind, years[-1], inds, group="commune", codes=territory.communes, fresh=True
        )
        for code, per_indicator in values.items():
            out[code].update(per_indicator)
    return out


@pytest.mark.parametrize("code", TERRITORIES)
def test_the_commune_table_figures_are_the_same_as_before(tarn, code):  # noqa: F811
    territory = resolve_territory(code)
    portrait = build_portrait(territory)
    before = values_before(territory, COMMUNE_TABLE_INDICATORS)
    assert len(territory.communes) > 1 and set(before) == set(territory.communes)
    compared = 0
    for commune in territory.communes:
        now = portrait.communes.of(commune, COMMUNE_TABLE_INDICATORS)
        assert now == before[commune], commune  # exactly: values, statuses, coverage and notes
        compared += sum(1 for value in now.values() if value.value is not None)
    assert compared >= len(territory.communes) * 2  # figures, not only empty cells


@pytest.mark.parametrize("code", TERRITORIES)
def test_every_indicator_of_every_commune_is_the_engines_by_commune(tarn, code):  # noqa: F811
    """Map choices included, BPE counts read in the dossier complet (no BPE file) included."""
    territory = resolve_territory(code)
    portrait = build_portrait(territory)
    available = datasets_in_use()
    for ind in effective_indicators(available):
        years = available.get(ind.dataset)
        if not years:
            assert portrait.communes.column(ind.id) == {}
            continue
        grouped = engine.aggregate(ind.dataset, years[-1], [ind], group="commune", codes=territory.communes)
        assert portrait.communes.column(ind.id) == {c: v[ind.id] for c, v in grouped.items()}, ind.id


def test_the_territory_figures_are_the_engines_over_its_communes(tarn):  # noqa: F811
    territory = resolve_territory("248100737")
    portrait = build_portrait(territory)
    available = datasets_in_use()
    for ind in effective_indicators(available):
        years = available.get(ind.dataset)
        if not years:
            continue
        whole = engine.aggregate(ind.dataset, years[-1], [ind], group="all", codes=territory.communes)
        expected, value = whole["*"][ind.id], portrait.result(ind.id).value
        assert (value.status, value.year) == (expected.status, expected.year), ind.id
        assert value.value == pytest.approx(expected.value), ind.id


def test_derived_values_of_each_commune(tarn):  # noqa: F811
    portrait = build_portrait(resolve_territory("248100737"))
    pharmacies = portrait.communes.column("equipements_D307")
    population = portrait.communes.column("population")
    density = portrait.communes.column("equipements_D307_pour_10000")
    assert portrait.communes.available("equipements_D307_pour_10000")
    assert set(density) == set(pharmacies) and len(density) == 16
    for code, value in density.items():
        expected = pharmacies[code].value / population[code].value * 10000
        assert (value.value, value.status) == (pytest.approx(expected), engine.OK)
    # No crèche count in this extract: nothing to map.
    assert not portrait.communes.available("equipements_D502")
    assert not portrait.communes.available("equipements_D502_pour_10000")
    evolution = next(ind for ind in INDICATORS if ind.kind == Kind.EVOLUTION)
    assert portrait.communes.column(evolution.id)  # computed when asked, although the map leaves it out


@pytest.mark.parametrize("code", TERRITORIES)
def test_the_csv_reads_the_same_values_with_the_key_figures_only(tarn, code):  # noqa: F811
    territory = resolve_territory(code)
    key_figures = build_portrait(territory, with_references=False, indicators=COMMUNE_TABLE_INDICATORS)
    assert {r.indicator.id for r in key_figures.results} == set(COMMUNE_TABLE_INDICATORS)
    assert commune_csv(key_figures) == commune_csv(build_portrait(territory))
    assert commune_csv(key_figures).count("\r\n") == len(territory.communes) + 1
