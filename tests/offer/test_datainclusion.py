"""The data·inclusion export against the `data-inclusion-schema` package itself: every record the JSON and
CSV give validates with its `Structure` model, every data·inclusion code of our typology is a member of its
`ReseauPorteur` enum, a type data·inclusion has no network for is absent, a record the model refuses is left
out and said on the page (in French), and names come back exactly in JSON and neutralised in CSV."""

import csv
import datetime
import io
import json
from unittest import mock

import pytest
from data_inclusion.schema.v1 import ReseauPorteur, Structure
from django.urls import reverse

from ctg.offer import datainclusion, typology
from ctg.offer.models import Structure as OfferStructure
from ctg.offer.services import structure_create

SCRIPT = "<script>alert(1)</script>"
FORMULA = "=cmd|' /C calc'!A0"


def make(commune, name, type="france_services", **values):
    return structure_create(
        actor=None,
        values={
            "type": type,
            "name": name,
            "commune": commune,
            "source": "saisie",
            "last_update": datetime.date(2025, 3, 14),
            **values,
        },
    )


def _get(client, world, name, **params):
    client.force_login(world.users["lecture"])
    return client.get(reverse(f"offer:{name}", args=[world.ctg.pk]), params)


def _json(client, world) -> list[dict]:
    return json.loads(_get(client, world, "datainclusion_json").content)


def _csv(client, world) -> list[dict]:
    response = _get(client, world, "datainclusion_csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_every_data_inclusion_code_of_the_typology_is_a_network_of_the_package():
    codes = [code for item in typology.TYPES for code in item.data_inclusion]
    assert codes, "aucun code data·inclusion dans la typologie"
    members = {member.value for member in ReseauPorteur}
    for item in typology.TYPES:
        for code in item.data_inclusion:
            assert code in members, (item.code, code)
            assert ReseauPorteur(code).value == code


def test_the_export_fields_are_those_of_the_package_model():
    assert set(datainclusion.FIELDS) == set(Structure.model_fields)
    required = {name for name, info in Structure.model_fields.items() if info.is_required()}
    assert required <= set(datainclusion.FIELDS)


@pytest.fixture
def every_type(world):
    """One structure of every type, every field filled, in the first commune of the territory."""
    commune = world.ctg.communes.order_by("code").first()
    return {
        item.code: make(
            commune,
            f"Structure {item.label}",
            type=item.code,
            address="1 rue de la Paix",
            address_complement="Bâtiment B",
            postcode="81000",
            latitude=43.93,
            longitude=2.15,
            phone="05 63 00 00 00",
            email="accueil@exemple.fr",
            website="https://exemple.fr/accueil",
            opening_hours="Mo-Fr 09:00-12:00",
        )
        for item in typology.TYPES
    }


def test_every_exported_record_validates_with_the_package_model(client, world, every_type):
    records = _json(client, world)
    expected = {f"ctg-{every_type[code].pk}" for code in datainclusion.mappable_types()}
    assert {r["id"] for r in records} == expected
    for item in records:
        assert set(item) == set(datainclusion.FIELDS)
        model = Structure.model_validate(item, context={"ignore_warnings": False})
        assert model.nom == item["nom"]
        assert model.reseaux_porteurs and model.reseaux_porteurs <= set(ReseauPorteur)
    # The CSV holds the same records, and each row read back validates too.
    rows = _csv(client, world)
    assert {r["id"] for r in rows} == expected
    for row in rows:
        values = {k: (v or None) for k, v in row.items()}
        values["reseaux_porteurs"] = values["reseaux_porteurs"].split(",")
        Structure.model_validate(values)
    page = _get(client, world, "communes").content.decode()
    assert "non exportée" not in page


def test_a_structure_whose_type_has_no_data_inclusion_code_is_absent(client, world, every_type):
    absent = [item.code for item in typology.TYPES if not item.data_inclusion]
    assert {"eaje_creche", "rpe", "laep", "alsh", "pmi", "bibliotheque"} <= set(absent)
    ids = {f"ctg-{every_type[code].pk}" for code in absent}
    assert ids.isdisjoint(r["id"] for r in _json(client, world))
    assert ids.isdisjoint(r["id"] for r in _csv(client, world))
    # Not counted as left out either: data·inclusion simply has no such structure.
    assert "non exportée" not in _get(client, world, "communes").content.decode()


# 23:30 UTC on 6 December is already 7 December in France: the day a date says is the French one.
LATE_EVENING_UTC = datetime.datetime(2026, 12, 6, 23, 30, tzinfo=datetime.UTC)


def test_without_a_source_date_the_date_is_the_day_the_inventory_changed_it(client, world):
    commune = world.ctg.communes.first()
    with mock.patch("django.utils.timezone.now", return_value=LATE_EVENING_UTC):
        structure = make(commune, "Centre social sans date", type="centre_social", last_update=None)
    (item,) = _json(client, world)
    assert structure.updated_at == LATE_EVENING_UTC
    assert item["date_maj"] == "2026-12-07"
    Structure.model_validate(item)


def test_a_structure_without_any_source_date_gets_the_french_day_of_its_last_change(world):
    # Rows written before the service filled `last_update` have none: the day of the last change stands in.
    commune = world.ctg.communes.first()
    structure = OfferStructure(type="centre_social", name="Centre ancien", commune=commune, source="saisie")
    structure.updated_at = LATE_EVENING_UTC
    assert datainclusion.record(structure)["date_maj"] == "2026-12-07"


def test_a_record_the_model_refuses_is_left_out_counted_and_said(client, world):
    commune = world.ctg.communes.first()
    good = make(commune, "France Services du centre")
    bad = make(commune, "Centre social au courriel faux", type="centre_social", email="pas-un-courriel")
    before = OfferStructure.objects.get(pk=bad.pk)
    assert [r["id"] for r in _json(client, world)] == [f"ctg-{good.pk}"]
    assert [r["id"] for r in _csv(client, world)] == [f"ctg-{good.pk}"]
    response = _get(client, world, "communes")
    left_out = response.context["di_left_out"]
    assert [(item.pk, item.reasons) for item in left_out] == [(bad.pk, ["courriel : valeur refusée"])]
    page = response.content.decode()
    assert "1 structure non exportée" in page
    assert "Centre social au courriel faux — courriel : valeur refusée" in page
    # Leaving a record out changes nothing in the inventory.
    after = OfferStructure.objects.get(pk=bad.pk)
    assert (after.email, after.updated_at) == (before.email, before.updated_at)


def test_a_future_date_is_refused_with_the_package_s_french_reason(client, world):
    commune = world.ctg.communes.first()
    make(commune, "Mission locale du futur", type="mission_locale", last_update=datetime.date(2999, 1, 1))
    assert _json(client, world) == []
    (item,) = _get(client, world, "communes").context["di_left_out"]
    assert item.reasons == [
        "date de mise à jour : La date de dernière modification ne peut pas être dans le futur"
    ]


@pytest.mark.parametrize("name", [SCRIPT, FORMULA, f"{FORMULA} {SCRIPT}"])
def test_names_round_trip_in_json_and_are_neutralised_in_csv(client, world, name):
    commune = world.ctg.communes.first()
    make(commune, name)
    response = _get(client, world, "datainclusion_json")
    assert b"<script" not in response.content
    (item,) = json.loads(response.content)
    assert item["nom"] == name
    Structure.model_validate(item)
    (row,) = _csv(client, world)
    if name.startswith("="):
        assert not row["nom"].startswith("=") and row["nom"].endswith(name)
    else:
        assert row["nom"] == name
