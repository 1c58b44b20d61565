"""Writes on the personal API tokens: create (the token is returned once, never stored), revoke, and the
last use recorded when a token authenticates a request.

MUST: store only the keyed hash of a token; refuse a revoked or expired token; let a person revoke only their
own tokens. MUST NOT: return or log a token after its creation."""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ctg.api.models import ApiToken
from ctg.text import clean_text

TOKEN_PREFIX = "ctg_"
PREFIX_LENGTH = 12
# A token's last use is written at most once a minute: a script calling in a loop does not write each time.
LAST_USED_EVERY = datetime.timedelta(minutes=1)
MAX_ACTIVE_TOKENS = 20


def token_hash(raw: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), raw.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def token_create(*, user, name, expires_at: datetime.datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`: the saved record and the token itself, to show once."""
    name = clean_text(name or "", multiline=False).strip()
    if not name:
        raise ValidationError({"name": "Donnez un nom au jeton (par exemple l'outil qui l'utilisera)."})
    if len(name) > 100:
        raise ValidationError({"name": "Le nom du jeton ne doit pas dépasser 100 caractères."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "La date d'expiration doit être dans le futur."})
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            f"Vous avez déjà {MAX_ACTIVE_TOKENS} jetons actifs : révoquez-en un avant d'en créer un autre."
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=token_hash(raw), prefix=raw[:PREFIX_LENGTH], expires_at=expires_at
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, actor) -> ApiToken:
    """Revokes one of `actor`'s own tokens (a revoked token stays listed, refused from then on)."""
    if token.user_id != actor.pk:
        raise ValidationError("Ce jeton n'est pas le vôtre.")
    current = ApiToken.objects.select_for_update().get(pk=token.pk)
    if current.revoked_at is not None:
        raise ValidationError("Ce jeton est déjà révoqué.")
    current.revoked_at = timezone.now()
    current.save(update_fields=["revoked_at"])
    return current


def token_authenticate(raw: str):
    """The person a token stands for, or None (unknown, revoked, expired, or their account inactive); records
    the last use."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=token_hash(raw)).first()
    now = timezone.now()
    if token is None or not token.is_active(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
