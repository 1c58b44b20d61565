"""The CAF's parameter table: append-only versions, effective values with their origin, refusals that write
nothing; `simulate` over the CAF's table."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ctg.funding.models import ParameterVersion
from ctg.funding.parameters import CAF_ORIGIN, MISSING_ORIGIN, PUBLIC_ORIGIN
from ctg.funding.services import gaps, parameter_set, parameters_for
from ctg.funding.simulate import simulate
from ctg.organisations.models import Organisation
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def caf():
    return OrganisationFactory(caf=True, name="CAF du Tarn")


@pytest.fixture
def adviser(caf):
    return UserFactory(organisation=caf, first_name="Claire", last_name="Martin")


def test_a_value_overrides_the_public_one_and_keeps_its_history(caf, adviser):
    assert parameters_for(caf, 2026)["eaje_new_place_tranche_1"].origin == PUBLIC_ORIGIN
    parameter_set(
        caf=caf, year=2026, key="eaje_new_place_tranche_1", value="3700", actor=adviser, comment="CA"
    )
    parameter_set(caf=caf, year=2026, key="eaje_new_place_tranche_1", value="3 650,5", actor=adviser)
    effective = parameters_for(caf, 2026)["eaje_new_place_tranche_1"]
    assert effective.value == Decimal("3650.5") and effective.origin == CAF_ORIGIN
    assert "Claire Martin" in effective.detail
    first, second = ParameterVersion.objects.order_by("pk")
    assert (first.previous_value, first.value, first.comment) == (None, Decimal(3700), "CA")
    assert (second.previous_value, second.value) == (Decimal(3700), Decimal("3650.5"))
    # Another year keeps the public value.
    assert parameters_for(caf, 2025)["eaje_new_place_tranche_1"].value == Decimal(3600)
    # An empty value takes the CAF's value away: the public one applies again, and a third version says so.
    parameter_set(caf=caf, year=2026, key="eaje_new_place_tranche_1", value="", actor=adviser)
    assert parameters_for(caf, 2026)["eaje_new_place_tranche_1"].origin == PUBLIC_ORIGIN
    assert ParameterVersion.objects.count() == 3


def test_gaps_are_named_until_the_caf_fills_them(caf, adviser):
    names = [e.label for e in gaps(caf, 2026)]
    assert "Bonus territoire, places nouvelles d'EAJE, tranche 2 (intermédiaire)" in names
    assert all(e.origin == MISSING_ORIGIN for e in gaps(caf, 2026))
    parameter_set(caf=caf, year=2026, key="eaje_new_place_tranche_2", value=3100, actor=adviser)
    assert "eaje_new_place_tranche_2" not in [e.key for e in gaps(caf, 2026)]
    assert "eaje_new_place_tranche_2" in [e.key for e in gaps(caf, 2027)]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"value": "-100"}, "négative"),
        ({"value": "beaucoup"}, "un nombre"),
        ({"value": True}, "un nombre"),
        ({"value": "NaN"}, "un nombre"),
        ({"key": "eaje_bonus_imaginaire"}, "Paramètre inconnu"),
        ({"year": 2014}, "hors de la période"),
        ({"year": 2036}, "hors de la période"),
        ({"year": "deux mille"}, "nombre entier"),
        ({"key": "alsh_new_hours_cap", "value": "101"}, "100 %"),
        ({"value": "1.00001"}, "quatre décimales"),
        ({"comment": "x" * 2001}, "2000 caractères"),
    ],
)
def test_a_refused_value_writes_nothing(caf, adviser, arguments, message):
    values = {"caf": caf, "year": 2026, "key": "eaje_new_place_tranche_2", "value": "3000", "actor": adviser}
    with pytest.raises(ValidationError) as error:
        parameter_set(**(values | arguments))
    assert message in " ".join(error.value.messages)
    assert not ParameterVersion.objects.exists()


def test_an_unchanged_value_another_cafs_staff_and_a_non_caf_are_refused(caf, adviser):
    parameter_set(caf=caf, year=2026, key="ctre_place", value="2900", actor=adviser)
    with pytest.raises(ValidationError, match="inchangée"):
        parameter_set(caf=caf, year=2026, key="ctre_place", value="2900.00", actor=adviser)
    other = UserFactory(organisation=OrganisationFactory(caf=True, name="CAF de l'Aude"))
    with pytest.raises(ValidationError, match="cette CAF"):
        parameter_set(caf=caf, year=2026, key="ctre_place", value="3000", actor=other)
    association = OrganisationFactory(kind=Organisation.Kind.ASSOCIATION)
    with pytest.raises(ValidationError, match="appartiennent à une CAF"):
        parameter_set(caf=association, year=2026, key="ctre_place", value="3000", actor=None)
    assert ParameterVersion.objects.count() == 1


def test_simulate_contract_over_the_cafs_table(caf, adviser):
    lines = [
        {"id": 1, "kind": "eaje_new_places", "places": 10, "tranche": "2", "year": 2026},
        {"id": 2, "kind": "alsh_new_hours", "contracted_hours": 1000, "requested_hours": 100},
    ]
    public = simulate(lines, year=2026)
    assert public[0]["amount_eur_per_year"] is None and "tranche 2" in public[0]["problem"]
    parameter_set(caf=caf, year=2026, key="eaje_new_place_tranche_2", value="3100", actor=adviser)
    first, second = simulate(lines, caf=caf, year=2026)
    assert set(first) == {
        "id",
        "kind",
        "amount_eur_per_year",
        "eligible_hours",
        "rule",
        "parameters",
        "problem",
    }
    assert first["amount_eur_per_year"] == Decimal(31000) and first["problem"] is None
    assert first["parameters"] == [
        {
            "key": "eaje_new_place_tranche_2",
            "label": "Bonus territoire, places nouvelles d'EAJE, tranche 2 (intermédiaire)",
            "value": Decimal(3100),
            "origin": first["parameters"][0]["origin"],
        }
    ]
    assert first["parameters"][0]["origin"].startswith("valeur de la CAF")
    assert second["eligible_hours"] == 100 and second["amount_eur_per_year"] is None
    assert simulate([{"id": "x", "kind": "ctre", "places": 1, "year": 2014}])[0]["problem"].startswith(
        "L'année"
    )


def test_simulate_never_raises_for_a_line():
    results = simulate(
        ["texte", {"id": "k"}, {"id": "y", "kind": "ctre", "places": 1, "year": True}], year=2025
    )
    assert "objet" in results[0]["problem"]
    assert "Type de ligne inconnu" in results[1]["problem"]
    assert "nombre entier" in results[2]["problem"]
