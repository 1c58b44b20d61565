"""Fiche indicators linked to the portrait: baseline and realised values filled from the imported vintages."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ctg.core.models import HistoryEntry
from ctg.diagnostics import engine
from ctg.diagnostics.importers import import_dataset
from ctg.plans import services
from ctg.plans.models import IndicatorValue, PlanIndicator
from ctg.territories.models import Commune
from tests.diagnostics.conftest import referential, stats_dir, write  # noqa: F401 (fixtures)
from tests.factories import CtgFactory

from .factories import FicheFactory


def filosofi(directory, yy: str, rows: list[str]):
    header = f"CODGEO;NBMENFISC{yy};NBPERSMENFISC{yy};MED{yy};TP60{yy};PPSOC{yy}"
    return write(directory, f"cc_filosofi_20{yy}_COM.csv", [header, *rows])


@pytest.fixture
def vintages(stats_dir, referential, tmp_path):  # noqa: F811
    """FiLoSoFi 2016 and 2022 for Albi (81004) and Saint-Juéry (81271, poverty rate secret in 2022)."""
    import_dataset(
        filosofi(tmp_path, "16", ["81004;20000;40000;19000;18,0;7,0", "81271;3000;6500;20500;12,0;5,0"])
    )
    import_dataset(
        filosofi(tmp_path, "22", ["81004;23612;45331;21650;20,0;7,4", "81271;3000;6500;22000;s;s"])
    )
    engine.reset()
    assert engine.available_vintages("filosofi_com") == [2016, 2022]
    return tmp_path


@pytest.fixture
def fiche(vintages):
    communes = list(Commune.objects.filter(code__in=["81004", "81271"]))
    ctg = CtgFactory(
        epci=None, communes=communes, territory_key="communes:test", start_year=2021, end_year=2024
    )
    return FicheFactory(ctg=ctg)


def realised(indicator):
    return {
        v.year: (v.value, v.origin, v.source)
        for v in IndicatorValue.objects.filter(indicator=indicator, kind="realised").order_by("year")
    }


def test_baseline_and_realised_values_come_from_each_vintage(fiche):
    indicator = services.indicator_create(
        fiche=fiche,
        actor=None,
        label="Revenu médian à Albi",
        portrait_indicator="revenu_median_uc",
        territory_code="81004",
    )
    assert indicator.unit == "€"  # from the catalogue
    changes = services.indicator_refresh_open_data(indicator=indicator)
    indicator.refresh_from_db()
    assert (indicator.baseline_value, indicator.baseline_year) == (Decimal("19000"), 2016)
    assert realised(indicator) == {
        2016: (Decimal("19000"), "open_data", "Insee-DGFiP-Cnaf-Cnav-CCMSA, FiLoSoFi 2016"),
        2022: (Decimal("21650"), "open_data", "Insee-DGFiP-Cnaf-Cnav-CCMSA, FiLoSoFi 2022"),
    }
    assert changes["Revenu médian à Albi — valeur de référence"] == ["", "19000 (2016)"]
    entry = HistoryEntry.objects.order_by("-id").first()
    assert (entry.item_type, entry.item_id, entry.actor) == ("ficheaction", fiche.pk, None)
    assert entry.changes["Revenu médian à Albi — réalisé 2022"] == ["", "21650"]

    # Nothing new: nothing written, nothing recorded.
    entries = HistoryEntry.objects.count()
    assert services.indicator_refresh_open_data(indicator=indicator) == {}
    assert HistoryEntry.objects.count() == entries


def test_a_new_import_of_a_vintage_updates_the_values_but_not_a_typed_baseline(fiche, vintages):
    indicator = services.indicator_create(
        fiche=fiche,
        actor=None,
        label="Revenu médian",
        portrait_indicator="revenu_median_uc",
        territory_code="81004",
        baseline_value="18000",
        baseline_year=2015,
    )
    services.indicator_refresh_open_data(indicator=indicator)
    import_dataset(
        filosofi(vintages, "22", ["81004;23612;45331;22100;20,0;7,4", "81271;3000;6500;22000;s;s"])
    )
    # The import itself refreshed the linked indicators (signal of the statistics store).
    entry = fiche.ctg.history.filter(item_type="ficheaction", item_id=fiche.pk).order_by("-at", "-id").first()
    assert entry.changes["Revenu médian — réalisé 2022"] == ["21650", "22100"]
    engine.reset()
    assert services.indicator_refresh_open_data(indicator=indicator) == {}
    indicator.refresh_from_db()
    assert (indicator.baseline_value, indicator.baseline_year) == (Decimal("18000"), 2015)
    assert realised(indicator)[2022][0] == Decimal("22100")


def test_secret_and_unavailable_figures_are_not_written(fiche):
    rate = services.indicator_create(
        fiche=fiche, actor=None, label="Pauvreté", portrait_indicator="taux_pauvrete", territory_code="81271"
    )
    # No territory code: the dossier's territory (two communes), where a median does not aggregate.
    median = services.indicator_create(
        fiche=fiche, actor=None, label="Médiane", portrait_indicator="revenu_median_uc"
    )
    typed = services.indicator_create(fiche=fiche, actor=None, label="Saisi à la main")
    assert services.plan_refresh_open_data(ctg=fiche.ctg) == 1
    assert realised(rate) == {
        2016: (Decimal("12"), "open_data", "Insee-DGFiP-Cnaf-Cnav-CCMSA, FiLoSoFi 2016")
    }
    rate.refresh_from_db()
    assert (rate.baseline_value, rate.baseline_year) == (Decimal("12"), 2016)
    assert realised(median) == {}
    assert PlanIndicator.objects.get(pk=median.pk).baseline_value is None
    assert realised(typed) == {}


def test_open_data_values_are_read_only_and_typed_values_are_kept(fiche):
    indicator = services.indicator_create(
        fiche=fiche,
        actor=None,
        label="Revenu médian",
        portrait_indicator="revenu_median_uc",
        territory_code="81004",
    )
    services.indicator_refresh_open_data(indicator=indicator)
    with pytest.raises(ValidationError) as error:
        services.indicator_value_set(indicator=indicator, actor=None, year=2022, kind="realised", value=1)
    assert (
        "La valeur réalisée 2022 vient des données ouvertes (Insee-DGFiP-Cnaf-Cnav-CCMSA, FiLoSoFi 2022) : "
        "elle ne peut pas être saisie à la main" in " ".join(error.value.messages)
    )
    # A target for the same year is typed freely.
    services.indicator_value_set(indicator=indicator, actor=None, year=2022, kind="target", value=23000)

    other = services.indicator_create(
        fiche=fiche,
        actor=None,
        label="Saisi puis lié",
        portrait_indicator="revenu_median_uc",
        territory_code="81004",
    )
    services.indicator_value_set(indicator=other, actor=None, year=2022, kind="realised", value=20000)
    services.indicator_refresh_open_data(indicator=other)
    assert realised(other)[2022] == (Decimal("20000"), "typed", "")  # the typed value is kept
    assert realised(other)[2016][1] == "open_data"


def test_derived_portrait_indicators_cannot_be_linked(fiche):
    from ctg.diagnostics.catalogue import INDICATORS, Kind

    derived = next((i for i in INDICATORS if i.kind == Kind.DERIVED), None)
    if derived is None:
        pytest.skip("no derived indicator in the catalogue")
    with pytest.raises(ValidationError, match="rapport de deux autres"):
        services.indicator_create(fiche=fiche, actor=None, label="Densité", portrait_indicator=derived.id)


def test_a_figure_that_became_secret_is_removed(fiche, vintages):
    indicator = services.indicator_create(
        fiche=fiche,
        actor=None,
        label="Médiane",
        portrait_indicator="revenu_median_uc",
        territory_code="81004",
    )
    services.indicator_refresh_open_data(indicator=indicator)
    import_dataset(filosofi(vintages, "22", ["81004;23612;45331;s;20,0;7,4", "81271;3000;6500;22000;s;s"]))
    entry = fiche.ctg.history.filter(item_type="ficheaction", item_id=fiche.pk).order_by("-at", "-id").first()
    assert entry.changes["Médiane — réalisé 2022"] == ["21650", ""]
    engine.reset()
    assert services.indicator_refresh_open_data(indicator=indicator) == {}
    assert list(realised(indicator)) == [2016]
