"""Personal API tokens: shown once, stored as a keyed hash, refused once revoked or expired, revoked only by
their owner."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ctg.api import services
from ctg.api.models import ApiToken
from tests.api.seed import bearer

pytestmark = pytest.mark.django_db


def test_the_token_is_shown_once_and_only_its_hash_is_stored(client, world):
    user = world.users["coordination"]
    client.force_login(user)
    response = client.post(reverse("api:tokens"), {"name": "Tableur de suivi"})
    assert response.status_code == 200
    raw = response.context["raw_token"]
    assert raw.startswith("ctg_") and len(raw) > 40
    assert raw in response.content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.name == "Tableur de suivi"
    assert token.key_hash == services.token_hash(raw) and raw not in token.key_hash
    assert token.prefix == raw[:12]
    assert not ApiToken.objects.filter(key_hash=raw).exists()
    page = client.get(reverse("api:tokens")).content.decode()
    assert "Tableur de suivi" in page and token.prefix in page and raw not in page


def test_a_token_calls_the_api_and_records_its_last_use(client, world):
    user = world.users["lecture"]
    token, raw = services.token_create(user=user, name="Script")
    response = client.get(reverse("api:v1:dossiers"), headers=bearer(raw))
    assert response.status_code == 200
    assert [d["id"] for d in response.json()["items"]] == [world.ctg.pk]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_is_refused(client, world):
    user = world.users["pilote_caf"]
    token, raw = services.token_create(user=user, name="Script")
    client.force_login(user)
    response = client.post(reverse("api:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    response = client.get(reverse("api:v1:dossiers"), headers=bearer(raw))
    assert response.status_code == 401
    assert "jeton" in response.json()["detail"]


def test_an_expired_token_is_refused(client, world):
    token, raw = services.token_create(
        user=world.users["pilote_caf"], name="Court", expires_at=timezone.now() + datetime.timedelta(hours=1)
    )
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(reverse("api:v1:dossiers"), headers=bearer(raw)).status_code == 401


def test_an_unknown_or_malformed_token_is_refused(client, world):
    for header in ("Bearer ctg_inconnu", "Bearer ", "Token abc", "ctg_x"):
        response = client.get(reverse("api:v1:dossiers"), headers={"Authorization": header})
        assert response.status_code == 401


def test_another_persons_token_cannot_be_revoked(client, world):
    token, raw = services.token_create(user=world.users["pilote_caf"], name="Le mien")
    client.force_login(world.users["coordination"])
    response = client.post(reverse("api:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    with pytest.raises(ValidationError):
        services.token_revoke(token=token, actor=world.users["coordination"])
    assert client.get(reverse("api:v1:dossiers"), headers=bearer(raw)).status_code == 200


def test_a_token_needs_a_name_and_a_future_expiry(client, world):
    client.force_login(world.users["pilote_caf"])
    response = client.post(reverse("api:tokens"), {"name": "  "})
    assert response.status_code == 400
    response = client.post(reverse("api:tokens"), {"name": "Vieux", "expires_on": "2000-01-01"})
    assert response.status_code == 400
    assert "futur" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_tokens_page_needs_a_login(client, world):
    response = client.get(reverse("api:tokens"))
    assert response.status_code == 302 and reverse("login") in response.url
