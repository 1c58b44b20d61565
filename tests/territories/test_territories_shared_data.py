"""The real COG 2026 files of ../shared/data: the whole of France, in a few seconds."""

import time
from pathlib import Path

import pytest
from django.db.models import Sum

from ctg.territories.importer import import_territories
from ctg.territories.models import Commune, Epci, FormerCommuneCode
from ctg.territories.selectors import resolve_commune_code, search_territories

SHARED_COG = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "cog-decoupage-administratif"


@pytest.mark.shared_data
@pytest.mark.django_db
def test_import_of_the_whole_of_france():
    if not (SHARED_COG / "communes.json").is_file():
        pytest.skip(f"Données partagées absentes : {SHARED_COG}")

    started = time.monotonic()
    result = import_territories(SHARED_COG, progress=False)
    elapsed = time.monotonic() - started
    print(f"\nImport de la France entière : {elapsed:.1f} s")

    assert elapsed < 30
    assert Commune.objects.filter(is_active=True).count() == 34969
    assert Epci.objects.filter(is_active=True).count() == 1255
    assert result.counts["communes"].created == 34969
    albi = Commune.objects.select_related("epci").get(code="81004")
    assert (albi.name, albi.epci_id) == ("Albi", "248100737")
    tarn = Commune.objects.filter(departement_id="81", is_active=True)
    assert tarn.count() == 314
    assert tarn.aggregate(total=Sum("population"))["total"] == 397352
    # Four island communes belong to no EPCI (nor do the overseas collectivities, départements 975 and above).
    without_epci = Commune.objects.filter(epci__isnull=True, departement_id__lt="97")
    assert sorted(without_epci.values_list("code", flat=True)) == ["22016", "29083", "29155", "85113"]
    assert FormerCommuneCode.objects.count() == result.counts["former_codes"].total > 4000
    assert resolve_commune_code("2A004").name == "Ajaccio"
    assert search_territories("albi")[0].code == "81004"

    again = import_territories(SHARED_COG, progress=False)
    assert again.skipped
