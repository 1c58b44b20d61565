"""Issue 14's « Done when » for the post: a coordinator's yearly funding convention goes from request to
advance to balance through the pages, each step by the person whose step it is, each in the dossier's
history."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from ctg.core.models import Action, HistoryEntry
from ctg.post.models import PostFunding
from tests.post.factories import PostFactory

pytestmark = pytest.mark.django_db


def _post(client, user, name, data=None, **kwargs):
    client.force_login(user)
    namespace = "documents" if name.startswith("post_convention") else "post"
    url = reverse(f"{namespace}:{name}", kwargs=kwargs)
    response = client.post(url, data or {})
    assert response.status_code == 302, (name, response.status_code, response.content.decode()[-2000:])
    return response


def test_a_yearly_funding_convention_from_request_to_balance(client, world):
    PostFactory(ctg=world.ctg)
    ctg, coordination, pilot = world.ctg, world.users["coordination"], world.users["pilote_caf"]

    _post(
        client,
        coordination,
        "convention_request",
        {"year": "2026", "amount_requested": "24 000", "requested_on": "2025-11-15"},
        pk=ctg.pk,
    )
    _post(
        client,
        pilot,
        "convention_agree",
        {"amount_agreed": "22 500", "decided_on": "2026-01-20", "advance_rate": "50"},
        pk=ctg.pk,
        year=2026,
    )
    _post(client, pilot, "post_convention_generate", pk=ctg.pk, year=2026)
    funding = PostFunding.objects.get(post__ctg=ctg, year=2026)
    assert funding.convention_version == 1
    _post(
        client,
        pilot,
        "convention_sign",
        {"signed_on": "2026-02-03", "signatories": "CAF du Tarn, la directrice\nCC du Test, le président"},
        pk=ctg.pk,
        year=2026,
    )
    _post(
        client,
        pilot,
        "convention_advance",
        {"amount": "11 250", "paid_on": "2026-02-20"},
        pk=ctg.pk,
        year=2026,
    )

    # The balance waits for the year's activity report, sent by the coordination and accepted by the CAF.
    client.force_login(pilot)
    refused = client.post(
        reverse("post:convention_balance", kwargs={"pk": ctg.pk, "year": 2026}),
        {"amount": "11 250", "paid_on": "2026-12-01"},
    )
    assert refused.status_code == 400
    _post(
        client,
        coordination,
        "report_update",
        {"comments": "Diagnostic partagé restitué.", "priorities": "Les ateliers jeunesse."},
        pk=ctg.pk,
        year=2026,
    )
    _post(client, coordination, "report_send", pk=ctg.pk, year=2026)
    _post(client, pilot, "report_accept", pk=ctg.pk, year=2026)
    # Paid once the report is accepted (today).
    today = timezone.localdate().isoformat()
    _post(client, pilot, "convention_balance", {"amount": "11 250", "paid_on": today}, pk=ctg.pk, year=2026)

    funding.refresh_from_db()
    assert (funding.amount_agreed, funding.advance_paid, funding.balance_paid) == (
        Decimal("22500"),
        Decimal("11250"),
        Decimal("11250"),
    )
    assert funding.remaining == 0 and funding.requested_by == coordination
    steps = HistoryEntry.objects.filter(ctg=ctg, action=Action.FUNDING_CONVENTION)
    assert steps.filter(actor=coordination).exists() and steps.filter(actor=pilot).count() >= 5

    # The post page and the CAF's dashboard say where the year stands.
    client.force_login(world.users["lecture"])
    html = client.get(reverse("post:detail", kwargs={"pk": ctg.pk})).content.decode()
    assert "Convention de financement 2026" in html
    from ctg.post.selectors import funding_convention_stages

    (stage,) = funding_convention_stages([ctg], 2026)[ctg.pk]
    assert (stage["stage"], stage["stage_label"]) == ("soldee", "Soldée")
    assert stage["next_step"] == "Rien à faire : le financement est soldé."
