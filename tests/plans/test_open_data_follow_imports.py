"""A new vintage in the statistics store updates the plan's indicators linked to the portrait."""

from ctg.diagnostics.importers import import_dataset
from ctg.plans import services
from ctg.plans.models import IndicatorValue
from tests.diagnostics.conftest import write
from tests.plans.factories import FicheFactory


def test_importing_a_new_vintage_fills_the_linked_indicator(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    fiche = FicheFactory(ctg=world.ctg)
    commune = world.ctg.communes.order_by("code").first()
    indicator = services.indicator_create(
        fiche=fiche,
        actor=world.users["coordination"],
        label="Part des familles monoparentales",
        unit="%",
        portrait_indicator="part_familles_monoparentales",
        territory_code=commune.code,
    )
    assert not indicator.values.exists()
    rows = ["CODGEO;P22_POP;C22_FAMMONO;C22_COUPAENF", f"{commune.code};1000;30;70"]
    import_dataset(write(tmp_path, "dossier_complet.csv", rows))
    value = IndicatorValue.objects.get(indicator=indicator, kind="realised")
    assert (value.year, float(value.value), value.origin) == (2022, 30.0, "open_data")
