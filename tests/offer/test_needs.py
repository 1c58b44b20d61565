"""Needs versus offer and white zones on the real Tarn files of ../shared/data: the COG cut down to the Tarn,
the real RP / FiLoSoFi / Insee-Cnaf files, the real France Services sites of the Tarn, and a few structures
entered through the services."""

import csv
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from ctg.diagnostics.importers import import_dataset, import_datasets
from ctg.diagnostics.portrait import resolve_territory
from ctg.offer import needs
from ctg.offer.importers import import_offer
from ctg.offer.models import Structure
from ctg.offer.services import structure_create
from ctg.territories.importer import import_territories
from ctg.territories.models import Commune

from .conftest import COG, FRANCE_SERVICES, SHARED_DATA, csv_text, raw_rows

TARN = SHARED_DATA / "example-81-tarn"
pytestmark = [pytest.mark.shared_data]


@pytest.fixture(scope="module")
def tarn_source(tmp_path_factory):
    """The COG files cut down to the Tarn and the communes of the EPCI that reach into it."""
    if not TARN.exists() or not (COG / "communes.json").is_file() or not FRANCE_SERVICES.is_file():
        pytest.skip(f"Données partagées absentes : {SHARED_DATA}")
    epcis = json.loads((TARN / "epci_81.json").read_text(encoding="utf-8"))
    members = {m["code"] for e in epcis for m in e["membres"]}
    communes = [
        c
        for c in json.loads((COG / "communes.json").read_text(encoding="utf-8"))
        if c["departement"] == "81" or c["code"] in members or c.get("chefLieu") in members
    ]
    folder = tmp_path_factory.mktemp("cog-tarn")
    (folder / "communes.json").write_text(json.dumps(communes), encoding="utf-8")
    (folder / "epci.json").write_text(json.dumps(epcis), encoding="utf-8")
    for name in ("regions.json", "departements.json"):
        (folder / name).write_bytes((COG / name).read_bytes())
    rows = [row for row in raw_rows(FRANCE_SERVICES) if row["insee_dep"] == "81"]
    fs = folder / "liste-fs-81.csv"
    fs.write_bytes(csv_text(rows, list(rows[0])).encode("utf-8"))
    return folder, fs, len(rows)


@pytest.fixture
def tarn(db, settings, tmp_path, tarn_source):
    folder, fs, count = tarn_source
    settings.DATA_DIR = tmp_path
    settings.CTG_CONTOURS_DIR = str(TARN)
    import_territories(source=folder)
    for name in ("dossier_complet_light_81.csv", "cc_filosofi_2021_COM_81.csv", "inseecaf2021_81.csv"):
        import_dataset(TARN / name)
    import_offer([fs])
    assert Structure.objects.filter(type="france_services").count() == count == 25
    return resolve_territory("81")


def _create(type_code, commune, **values):
    data = {"type": type_code, "name": f"{type_code} de test", "commune": Commune.objects.get(code=commune)}
    return structure_create(actor=None, values={**data, "source": "saisie", **values})


def _row(rows, field):
    return next(row for row in rows if row.field == field)


def test_one_row_per_field_with_demand_and_offer(tarn):
    _create("eaje_micro_creche", "81004", capacity=12, latitude=43.9289, longitude=2.1464)
    rows = needs.needs_versus_offer(tarn)
    assert [row.field for row in rows] == [
        "petite_enfance",
        "enfance",
        "jeunesse",
        "parentalite",
        "animation_vie_sociale",
        "acces_droits",
        "logement",
        "handicap",
    ]
    droits = _row(rows, "acces_droits")
    assert droits.offer[0].value == 25 and droits.offer[0].status == "ok"
    assert "France Services" in droits.offer[0].source
    population = next(f for f in _row(rows, "animation_vie_sociale").demand if f.indicator == "population")
    assert population.status == "ok" and population.value > 380_000
    assert droits.offer[1].value == pytest.approx(25 / population.value * 10_000)
    assert droits.offer[1].unit == "structures pour 10 000 habitants"
    petite = _row(rows, "petite_enfance")
    assert next(f for f in petite.offer if f.label == "Places").value == 12
    # The Cnaf's EAJE places sit with the offer, saying they are not loaded here.
    cnaf = next(f for f in petite.offer if f.indicator == "places_eaje")
    assert cnaf.value is None and cnaf.status == "non_disponible" and cnaf.caveat
    # Every figure carries a status; a figure with a value has its source.
    for row in rows:
        for figure in row.demand + row.offer:
            assert figure.status in ("ok", "partiel", "secret", "non_disponible")
            assert figure.value is None or figure.source


def test_the_rate_is_labelled_computed_from_the_inventory_without_the_cnaf_rate(tarn):
    _create("eaje_creche", "81004", capacity=40)
    rate = _row(needs.needs_versus_offer(tarn), "petite_enfance").rate
    assert "calculé à partir de l'inventaire" in rate.label
    assert "taux de la Cnaf non chargé" in rate.caveat
    # The light RP file has no 0-2 band: no children count, so no rate, and the row says why.
    assert rate.value is None and rate.status == "non_disponible"
    assert "Enfants de moins de 3 ans" in rate.caveat


def test_a_partial_or_absent_demand_figure_says_so(tarn):
    rows = needs.needs_versus_offer(tarn)
    figures = [f for row in rows for f in row.demand]
    partial = [f for f in figures if f.status == "partiel"]
    assert partial, [(f.indicator, f.status) for f in figures]
    assert all("partiel" in f.caveat for f in partial)
    absent = next(f for f in figures if f.indicator == "enfants_moins_3_ans")
    assert absent.value is None and absent.status == "non_disponible" and absent.caveat


def test_white_zones(tarn):
    albi = (43.9289, 2.1464)
    _create("mam", "81004", latitude=albi[0], longitude=albi[1])
    _create("evs", "81065")  # no coordinates: counts for Castres only
    points, _source = needs.centroids(tarn.communes)
    zones, source = needs.white_zones(tarn, 10, types=["mam", "evs"])
    assert "GeoJSON" in source
    mam, evs = zones
    white = {c["code"]: c for c in mam.communes}
    assert "81004" not in white
    distance = {code: needs.haversine_km(*point, *albi) for code, point in points.items()}
    far = min((code for code in distance if 28 <= distance[code] <= 32), key=lambda c: abs(distance[c] - 30))
    assert white[far]["nearest_km"] == pytest.approx(distance[far], abs=0.1)
    near = [code for code in distance if distance[code] <= 10]
    assert len(near) > 3 and not set(near) & set(white)
    assert mam.covered + len(mam.communes) + len(mam.without_centroid) == len(tarn.communes)
    assert "81065" not in {c["code"] for c in evs.communes}
    assert evs.covered == 1 and all(c["nearest_km"] is None for c in evs.communes)
    # A larger distance covers the commune 30 km away.
    wide = needs.white_zones(tarn, 35, types=["mam"])[0][0]
    assert far not in {c["code"] for c in wide.communes}


def test_the_command_writes_json(tarn, capsys):
    call_command("needs", "81", "--json", "--distance", "15")
    document = json.loads(capsys.readouterr().out)
    assert document["territory"]["code"] == "81"
    assert len(document["fields"]) == 8
    assert document["white_zones"]["distance_km"] == 15
    assert "haversine" in document["white_zones"]["method"]
    fs = next(t for t in document["white_zones"]["types"] if t["type"] == "france_services")
    assert fs["communes_covered"] + len(fs["white_zones"]) + len(fs["communes_without_centroid"]) == 314
    call_command("needs", "81")
    assert "Zones blanches à 10 km" in capsys.readouterr().out


@pytest.fixture
def world_in_tarn(tarn, world):
    return world


def test_the_page_shows_fields_and_white_zones_and_another_dossier_is_404(client, world_in_tarn):
    world = world_in_tarn
    client.force_login(world.users["lecture"])
    response = client.get(reverse("offer:needs", args=[world.ctg.pk]) + "?distance=20")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Besoins et offre" in text and "Petite enfance" in text and "haversine" in text
    assert 'value="20" selected' in text
    assert client.get(reverse("offer:needs", args=[world.other_ctg.pk])).status_code == 404


def test_the_published_cnaf_rate_is_used_when_loaded(tarn):
    """The real Cnaf département file: the Tarn's « taux de couverture global » of its latest year."""
    path = SHARED_DATA / "cnaf-txcouv-pe" / "txcouv_pe_dep_hist.csv"
    if not path.is_file():
        pytest.skip(f"Données partagées absentes : {path}")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = csv.DictReader(handle, delimiter=";")
        tarn_rows = [row for row in rows if row["Numéro Département"] == "81"]
    latest = max(tarn_rows, key=lambda row: int(row["Date référence"]))
    import_datasets(path)
    _create("eaje_creche", "81004", capacity=40)
    rate = _row(needs.needs_versus_offer(tarn), "petite_enfance").rate
    assert rate.indicator == "taux_couverture_accueil_jeune_enfant"
    assert "publié par la Cnaf" in rate.label and "calculé" not in rate.label
    assert rate.value == pytest.approx(float(latest["Taux de couv global"]))
    assert rate.status == "ok" and rate.source


def test_a_bad_distance_or_code_is_refused_and_the_page_keeps_the_default(client, world, settings):
    with pytest.raises(CommandError, match="distance"):
        call_command("needs", "81", "--distance", "0")
    with pytest.raises(CommandError, match="inconnu"):
        call_command("needs", "999999999")
    settings.CTG_WHITE_ZONE_KM = 10
    client.force_login(world.users["partenaire"])
    for bad in ("abc", "-5", "1e9", "7"):
        response = client.get(reverse("offer:needs", args=[world.ctg.pk]), {"distance": bad})
        assert response.status_code == 200
        assert 'value="10" selected' in response.content.decode()
