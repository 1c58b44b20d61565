"""`ctg offer_list CODE [--json]`: the structures of a commune, an EPCI or a département, each with its type
code, commune, source, source id and status; and the same on the real France Services list."""

import json
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from ctg.offer.importers import import_offer
from ctg.offer.selectors import structures_of_code
from ctg.offer.services import structure_create
from ctg.territories.importer import import_territories
from ctg.territories.models import FormerCommuneCode
from tests.factories import CommuneFactory, DepartementFactory, EpciFactory, RegionFactory

from .conftest import COG, FRANCE_SERVICES, SHARED_DATA, raw_rows


@pytest.fixture
def territories(db):
    tarn = DepartementFactory(code="81", name="Tarn", type_liaison=2)
    aude = DepartementFactory(code="11", name="Aude", region=RegionFactory(code="76", name="Occitanie"))
    albigeois = EpciFactory(siren="248100737", name="CA de l'Albigeois")
    albi = CommuneFactory(code="81004", name="Albi", departement=tarn, epci=albigeois)
    lescure = CommuneFactory(code="81144", name="Lescure-d'Albigeois", departement=tarn, epci=albigeois)
    castres = CommuneFactory(code="81065", name="Castres", departement=tarn)
    carcassonne = CommuneFactory(code="11069", name="Carcassonne", departement=aude)
    FormerCommuneCode.objects.create(code="81050", name="Cambon", commune=albi, kind="deleguee")
    values = {"source": "anct-france-services", "type": "france_services"}
    for commune, name, source_id, extra in (
        (albi, "France services d'Albi", "1", {}),
        (lescure, "Centre social de Lescure", "", {"type": "centre_social", "source": "saisie"}),
        (castres, "France services de Castres", "2", {"missing_from_source": True}),
        (carcassonne, "France services de Carcassonne", "3", {}),
    ):
        structure_create(
            actor=None, values={**values, "commune": commune, "name": name, "source_id": source_id, **extra}
        )
    return albigeois


def _json(capsys, code) -> dict:
    call_command("offer_list", code, "--json")
    return json.loads(capsys.readouterr().out)


def test_a_commune_an_epci_and_a_departement(territories, capsys):
    commune = _json(capsys, "81004")
    assert commune["territory"] == {"code": "81004", "kind": "commune", "name": "Albi"}
    assert commune["count"] == 1
    assert commune["structures"] == [
        {
            "type": "france_services",
            "type_label": "France Services",
            "field": "acces_droits",
            "name": "France services d'Albi",
            "commune_code": "81004",
            "commune_name": "Albi",
            "source": "anct-france-services",
            "source_id": "1",
            "status": "ouvert",
            "missing_from_source": False,
            "last_update": commune["structures"][0]["last_update"],
        }
    ]
    epci = _json(capsys, "248100737")
    assert epci["territory"]["kind"] == "epci"
    assert [(s["commune_code"], s["type"]) for s in epci["structures"]] == [
        ("81004", "france_services"),
        ("81144", "centre_social"),
    ]
    departement = _json(capsys, "81")
    assert [s["name"] for s in departement["structures"]] == [
        "France services d'Albi",
        "France services de Castres",
        "Centre social de Lescure",
    ]
    assert next(s for s in departement["structures"] if s["commune_code"] == "81065")["missing_from_source"]
    assert _json(capsys, "11")["count"] == 1
    # A former commune code is read as its commune today.
    assert _json(capsys, "81050")["territory"]["code"] == "81004"


def test_the_text_output_names_type_commune_source_and_status(territories, capsys):
    call_command("offer_list", "81")
    out = capsys.readouterr().out
    assert "Offre de services du Tarn (département 81) : 3 structures" in out
    assert (
        "81065 Castres | france_services (France Services) | France services de Castres | ouvert — absente "
        "de la dernière source | anct-france-services n° 2" in out
    )
    assert (
        "81144 Lescure-d'Albigeois | centre_social (Centre social) | Centre social de Lescure | ouvert | "
        "saisie" in out
    )


@pytest.mark.parametrize("code", ["99999", "999999999", "XYZ", "98"])
def test_an_unknown_territory_is_refused(territories, code):
    with pytest.raises(CommandError):
        call_command("offer_list", code, "--json")


def test_an_empty_territory_lists_nothing(db, capsys):
    DepartementFactory(code="81", name="Tarn")
    CommuneFactory(code="81004", name="Albi")
    assert _json(capsys, "81004") == {
        "territory": {"code": "81004", "kind": "commune", "name": "Albi"},
        "count": 0,
        "structures": [],
    }


# --- The real list ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def france(django_db_setup, django_db_blocker):
    """The whole COG and the real France Services list, loaded once for the module and rolled back."""
    if not (COG / "communes.json").is_file() or not FRANCE_SERVICES.is_file():
        pytest.skip(f"Données partagées absentes : {SHARED_DATA}")
    with django_db_blocker.unblock(), transaction.atomic():
        import_territories(COG, progress=False)
        import_offer([FRANCE_SERVICES], imported_as="test")
        yield raw_rows(FRANCE_SERVICES)
        transaction.set_rollback(True)


@pytest.mark.shared_data
@pytest.mark.django_db
def test_the_real_list_per_departement_and_epci(france, capsys):
    per_departement = Counter(row["insee_dep"] for row in france)
    tarn = _json(capsys, "81")
    assert tarn["count"] == per_departement["81"] == 25
    assert {s["type"] for s in tarn["structures"]} == {"france_services"}
    assert {s["source_id"] for s in tarn["structures"]} == {
        r["id_fs"] for r in france if r["insee_dep"] == "81"
    }
    assert all(s["commune_code"].startswith("81") and s["commune_name"] for s in tarn["structures"])
    assert _json(capsys, "87")["count"] == per_departement["87"] == 22
    # An EPCI: its structures are those of the département's list whose commune is in it.
    _territory, structures = structures_of_code("81")
    siren = structures.exclude(commune__epci=None).values_list("commune__epci_id", flat=True).first()
    epci = _json(capsys, siren)
    assert epci["count"] == structures.filter(commune__epci_id=siren).count() >= 1
