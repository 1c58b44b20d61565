"""One formatter writes every value of the dossier's history."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from ctg.core.history import history_value
from tests.factories import OrganisationFactory


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (True, "oui"),
        (False, "non"),
        (datetime.date(2026, 3, 10), "10/03/2026"),
        (Decimal("3.50"), "3,5"),
        (Decimal("12000.00"), "12000"),
        (Decimal("0.125"), "0,125"),
        (["a", Decimal("2.0")], "a, 2"),
        ("texte", "texte"),
    ],
)
def test_values_read_the_same_whatever_the_service(value, expected):
    assert history_value(value) == expected


def test_date_times_are_shown_in_local_time(settings):
    settings.TIME_ZONE = "Europe/Paris"
    moment = datetime.datetime(2026, 3, 10, 14, 0, tzinfo=datetime.UTC)
    with timezone.override("Europe/Paris"):
        assert history_value(moment) == "10/03/2026 15:00"


def test_fixed_decimals_for_amounts_and_model_instances_by_name(db):
    assert history_value(Decimal("22500"), decimals=2) == "22500,00"
    assert history_value(OrganisationFactory(name="CAF du Tarn")) == "CAF du Tarn"
