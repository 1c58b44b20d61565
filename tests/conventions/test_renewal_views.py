# ruff: noqa: F811 (the fixture `past` is imported from test_renewal)
"""The renew page: each group listed with its boxes checked by default, the POST carries exactly the boxes
checked; another dossier's ids or junk refused in French with nothing written; other dossiers' people get a
404, roles without the renewal a 403."""

import pytest
from django.urls import reverse

from ctg.conventions.models import Ctg
from ctg.plans.models import FicheAction
from tests.conventions.test_renewal import _counts, past  # noqa: F401 (fixture)
from tests.plans.factories import FicheFactory


@pytest.fixture
def pilot(client, world):
    client.force_login(world.users["pilote_caf"])
    return client


def _url(ctg):
    return reverse("conventions:renew", args=[ctg.pk])


def test_the_page_lists_each_group_checked(pilot, past):
    response = pilot.get(_url(past["ctg"]))
    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Signataires (à signer de nouveau)",
        "Instances de gouvernance et leurs membres",
        "COPIL de la CTG",
        "Poste de coordination",
        "Fiche action « Relais petite enfance itinérant »",
        "Indicateur : Places d&#x27;accueil",
        "valeur de référence : 52 en 2027 (dernier réalisé)",
    ):
        assert text in page
    assert "Guide des services" not in page and "Ludothèque" not in page  # finished, abandoned
    assert page.count('name="carry"') == page.count("checked") == 6


def test_the_post_carries_exactly_the_boxes_checked(pilot, past):
    response = pilot.post(
        _url(past["ctg"]),
        {"start_year": 2029, "end_year": 2032, "carry": ["post", f"fiche:{past['ongoing'].pk}"]},
    )
    new = Ctg.objects.get(previous=past["ctg"])
    assert response.status_code == 302 and response.url == reverse("conventions:detail", args=[new.pk])
    assert not new.signatories.exists() and not new.bodies.exists()
    fiche = new.fiches.get()
    assert fiche.carried_from == past["ongoing"] and not fiche.indicators.exists()


@pytest.mark.parametrize(
    "carry, message",
    [
        (["fiche:999999"], "ne peuvent pas être repris"),
        (["<script>alert(1)</script>"], "ne peuvent pas être repris"),
        ("other", "ne peuvent pas être repris"),
        ("indicator", "qu&#x27;avec sa fiche"),
    ],
)
def test_bad_choices_are_refused_and_nothing_is_written(pilot, past, world, carry, message):
    if carry == "other":
        carry = [f"fiche:{FicheFactory(ctg=world.other_ctg, status=FicheAction.Status.EN_COURS).pk}"]
    elif carry == "indicator":
        carry = [f"indicator:{past['places'].pk}"]
    before = _counts()
    response = pilot.post(_url(past["ctg"]), {"start_year": 2029, "end_year": 2032, "carry": carry})
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert "<script>alert(1)</script>" not in page
    assert _counts() == before


def test_an_overlapping_period_is_refused_and_the_choices_kept(pilot, past):
    before = _counts()
    response = pilot.post(_url(past["ctg"]), {"start_year": 2028, "end_year": 2031, "carry": ["post"]})
    page = response.content.decode()
    assert "chevauche 2028-2031" in page
    assert page.count("checked") == 1  # the person's choice, not the defaults
    assert _counts() == before


def test_other_dossier_and_roles_without_renewal(client, past, world):
    client.force_login(world.users["other_member"])
    assert client.get(_url(past["ctg"])).status_code == 404
    client.force_login(world.users["coordination"])
    before = _counts()
    assert client.post(_url(past["ctg"]), {"start_year": 2029, "end_year": 2032}).status_code == 403
    assert _counts() == before
