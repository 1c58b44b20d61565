"""Pages of the yearly funding convention: where each year stands on the post page, the actions each role
is offered, the forms (bad input: 400, the message shown, nothing changed) and another dossier's line."""

import datetime
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from ctg.core.models import HistoryEntry
from ctg.post.models import ActivityReport, PostFunding
from tests.post.factories import FundingFactory, PostFactory, ReportFactory

D = datetime.date


def _url(world, name, **kwargs):
    return reverse(f"post:{name}", kwargs={"pk": world.ctg.pk, **kwargs})


def _state(world):
    return (
        [model_to_dict(f) for f in PostFunding.objects.order_by("pk")],
        HistoryEntry.objects.filter(ctg=world.ctg).count(),
    )


@pytest.fixture
def post(world):
    return PostFactory(ctg=world.ctg)


def _line(post, **values):
    defaults = {
        "year": 2026,
        "amount_requested": Decimal("24000"),
        "requested_on": D(2025, 11, 15),
        "amount_agreed": None,
        "advance_paid": 0,
    }
    return FundingFactory(post=post, **{**defaults, **values})


def test_the_page_shows_where_each_year_stands_and_who_acts(client, world, post):
    _line(post, amount_agreed=Decimal("22500"), decided_on=D(2026, 1, 20), convention_version=1)
    client.force_login(world.users["coordination"])
    html = client.get(_url(world, "detail")).content.decode()
    assert "Convention de financement 2026" in html and "Convention à signer" in html
    assert 'data-fr-current-step="4"' in html  # the DSFR stepper: step 4 of 8
    assert "Signer la convention et enregistrer la signature." in html
    assert "à faire par la CAF et l&#x27;employeur du poste" in html
    assert "Convention de financement 2027" in html and "Faire la demande de financement 2027" in html
    # The coordination makes the request; the CAF's steps are not offered to it.
    assert _url(world, "convention_request") in html
    assert _url(world, "convention_sign", year=2026) not in html
    assert (
        reverse("documents:post_convention_generate", kwargs={"pk": world.ctg.pk, "year": 2026}) not in html
    )

    client.force_login(world.users["pilote_caf"])
    html = client.get(_url(world, "detail")).content.decode()
    assert _url(world, "convention_sign", year=2026) in html
    assert _url(world, "convention_cancel", year=2026, step="accord") in html

    client.force_login(world.users["lecture"])
    html = client.get(_url(world, "detail")).content.decode()
    assert "Convention à signer" in html
    assert (
        _url(world, "convention_request") not in html
        and _url(world, "convention_sign", year=2026) not in html
    )


def test_the_coordination_makes_the_request(client, world, post):
    client.force_login(world.users["coordination"])
    response = client.post(
        _url(world, "convention_request"),
        {"year": "2027", "amount_requested": "24 000,50", "requested_on": "2026-11-02"},
    )
    assert response.status_code == 302 and response.url.endswith("#conventions")
    funding = PostFunding.objects.get(post=post, year=2027)
    assert (
        funding.amount_requested == Decimal("24000.50")
        and funding.requested_by == world.users["coordination"]
    )
    assert funding.amount_agreed is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"year": "2027", "amount_requested": "-10", "requested_on": "2026-11-02"}, "négatif"),
        (
            {"year": "2024", "amount_requested": "10", "requested_on": "2026-11-02"},
            "Sélectionnez un choix valide",
        ),
        ({"year": "2027", "amount_requested": "10", "requested_on": "2099-11-02"}, "dans le futur"),
        ({"year": "2027", "amount_requested": "dix", "requested_on": "2026-11-02"}, "Saisissez un nombre"),
    ],
)
def test_bad_requests_are_refused_and_nothing_changes(client, world, post, data, message):
    client.force_login(world.users["coordination"])
    before = _state(world)
    response = client.post(_url(world, "convention_request"), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert _state(world) == before


def test_a_second_convention_for_the_same_year_is_refused(client, world, post):
    _line(post)
    client.force_login(world.users["pilote_caf"])
    before = _state(world)
    # The year already taken is not offered; forced anyway, the service refuses it.
    response = client.post(
        _url(world, "convention_request"),
        {"year": "2026", "amount_requested": "10", "requested_on": "2026-11-02"},
    )
    assert response.status_code == 400
    assert _state(world) == before


def test_advance_before_signature_and_balance_before_report_are_refused(client, world, post):
    _line(post, amount_agreed=Decimal("22500"), decided_on=D(2026, 1, 20), convention_version=1)
    client.force_login(world.users["pilote_caf"])
    before = _state(world)
    response = client.post(
        _url(world, "convention_advance", year=2026), {"amount": "11250", "paid_on": "2026-02-20"}
    )
    assert response.status_code == 400 and "une fois la convention signée" in response.content.decode()
    response = client.post(
        _url(world, "convention_balance", year=2026), {"amount": "11250", "paid_on": "2026-12-01"}
    )
    assert response.status_code == 400 and "rapport d&#x27;activité 2026 accepté" in response.content.decode()
    assert _state(world) == before


def test_payments_above_the_agreed_amount_or_negative_are_refused(client, world, post):
    _line(post, amount_agreed=Decimal("22500"), decided_on=D(2026, 1, 20), convention_version=1,
          signed_on=D(2026, 2, 3), signatories="CAF")  # fmt: skip
    ReportFactory(post=post, year=2026, status=ActivityReport.Status.ACCEPTED,
                  accepted_at=datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC))  # fmt: skip
    client.force_login(world.users["pilote_caf"])
    before = _state(world)
    for name, amount in (
        ("convention_advance", "22500,01"),
        ("convention_advance", "-1"),
        ("convention_balance", "30000"),
    ):
        response = client.post(_url(world, name, year=2026), {"amount": amount, "paid_on": "2026-12-01"})
        assert response.status_code == 400, (name, amount)
    assert _state(world) == before
    response = client.post(
        _url(world, "convention_advance", year=2026), {"amount": "11250", "paid_on": "2026-02-20"}
    )
    assert response.status_code == 302
    response = client.post(
        _url(world, "convention_balance", year=2026), {"amount": "11250", "paid_on": "2026-12-01"}
    )
    assert response.status_code == 302
    assert PostFunding.objects.get(post=post).remaining == 0


def test_cancel_needs_a_reason_and_a_known_step(client, world, post):
    _line(post, amount_agreed=Decimal("22500"), decided_on=D(2026, 1, 20))
    client.force_login(world.users["pilote_caf"])
    before = _state(world)
    assert client.get(_url(world, "convention_cancel", year=2026, step="tout")).status_code == 404
    response = client.post(_url(world, "convention_cancel", year=2026, step="accord"), {"reason": ""})
    assert response.status_code == 400
    response = client.post(_url(world, "convention_cancel", year=2026, step="demande"), {"reason": "Erreur"})
    assert response.status_code == 400 and "annulez d&#x27;abord l&#x27;accord" in response.content.decode()
    assert _state(world) == before
    response = client.post(_url(world, "convention_cancel", year=2026, step="accord"), {"reason": "Erreur"})
    assert response.status_code == 302
    assert PostFunding.objects.get(post=post).amount_agreed is None


def test_another_dossiers_line_is_not_reached(client, world, post):
    other = _line(PostFactory(ctg=world.other_ctg), amount_agreed=Decimal("1000"))
    client.force_login(world.users["pilote_caf"])
    before = _state(world)
    for name in ("convention_agree", "convention_sign", "convention_advance", "convention_request_edit"):
        assert client.get(_url(world, name, year=2026)).status_code == 404
        assert (
            client.post(_url(world, name, year=2026), {"amount": "1", "paid_on": "2026-02-01"}).status_code
            == 404
        )
    assert _state(world) == before
    other.refresh_from_db()
    assert other.amount_agreed == Decimal("1000.00")
