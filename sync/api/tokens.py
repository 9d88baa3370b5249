"""API tokens: django-rest-knox's AuthToken rows, never the key itself.

A row keeps a SHA-512 digest of the key, the key's first characters (to find the row and to tell
tokens apart in a listing), who it belongs to, when it was made and when it expires. The key is
returned once by ``token_create``, for the caller to show; it cannot be read back. A user has at
most one live token through ``tds_token`` (``--rotate`` replaces it); the admin may issue more.

Every API request looks its token up; ``token_find_cached`` keeps the row (with its user) in the
process's memory under the key's digest (never the key) for TDS_API_AUTH_CACHE_SECONDS (10), so a
phone polling every second costs no token query. In the process where a token is deleted (revoked,
rotated) or changed, or its user saved or deleted (deactivated, staff withdrawn), the entry is
dropped at once by signals; the other web processes read the row again within
TDS_API_AUTH_CACHE_SECONDS (0 turns the cache off). Memory, not Redis: under load a Redis round trip
cost as much as the query it saved. Expiry is checked on every request from the row's expiry;
unknown keys are never remembered.
"""
from __future__ import annotations

import pickle
import time
from datetime import datetime, timedelta
from hmac import compare_digest
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings

PREFIX_SHOWN = 8  # characters of a key a listing shows: enough to tell keys apart, far from enough to use


def token_lifetime(*, days: int | None = None) -> timedelta:
    """``days``, or TDS_API_TOKEN_DAYS (knox's TOKEN_TTL)."""
    return timedelta(days=days) if days else knox_settings.TOKEN_TTL


def token_create(*, user: AbstractBaseUser, days: int | None = None) -> tuple[AuthToken, str]:
    """A new token for ``user``; the key comes back this once and is stored only as a digest."""
    return AuthToken.objects.create(user=user, expiry=token_lifetime(days=days))


@transaction.atomic
def token_rotate(*, user: AbstractBaseUser, days: int | None = None) -> tuple[AuthToken, str]:
    """Every token of ``user`` withdrawn and a new one made, in one transaction."""
    AuthToken.objects.filter(user=user).delete()
    return token_create(user=user, days=days)


def token_find(*, key: str) -> AuthToken | None:
    """The row whose digest matches ``key`` (expired or not), with its user; None for an unknown key."""
    digest = hash_token(key)
    rows = AuthToken.objects.filter(token_key=key[:CONSTANTS.TOKEN_KEY_LENGTH]).select_related("user")
    return next((row for row in rows if compare_digest(row.digest, digest)), None)


_remembered: dict[str, tuple[float, bytes]] = {}  # digest -> (when read, the pickled row with its user)
REMEMBERED_MAX = 10_000  # keys in use at once are far fewer; a flood of distinct valid keys only empties it


def token_find_cached(*, key: str) -> AuthToken | None:
    """``token_find``, answered from this process's memory while the row is unchanged (see the module's notes)."""
    seconds = settings.TDS_API_AUTH_CACHE_SECONDS
    if not seconds:
        return token_find(key=key)
    digest = hash_token(key)
    hit = _remembered.get(digest)
    if hit is not None and time.monotonic() - hit[0] < seconds:
        row = pickle.loads(hit[1])  # bytes this process pickled; each request its own instance
        if compare_digest(row.digest, digest):
            return row
    read_at = time.monotonic()
    row = token_find(key=key)
    if row is not None:  # unknown keys are not remembered: a guess costs a query, as without the cache
        if len(_remembered) >= REMEMBERED_MAX:
            _remembered.clear()
        _remembered[digest] = (read_at, pickle.dumps(row))
    return row


def tokens_forget(digests: list[str]) -> None:
    """Drop these tokens from this process's memory: its next request with them reads their rows again."""
    for digest in digests:
        _remembered.pop(digest, None)


def _token_changed(sender: Any, instance: AuthToken, **kwargs: Any) -> None:
    tokens_forget([instance.digest])


def _user_changed(sender: Any, instance: AbstractBaseUser, **kwargs: Any) -> None:
    if instance.pk is not None:
        tokens_forget(list(AuthToken.objects.filter(user_id=instance.pk).values_list("digest", flat=True)))


def tokens_cache_connect() -> None:
    """Connect the invalidation (sync.apps.ready): every process that can change a token or a user."""
    for signal in (post_save, post_delete):
        signal.connect(_token_changed, sender=AuthToken, dispatch_uid=f"tds-token-cache-{id(signal)}")
        signal.connect(_user_changed, sender=get_user_model(), dispatch_uid=f"tds-token-user-cache-{id(signal)}")


def token_expired(token: AuthToken, *, now: datetime | None = None) -> bool:
    return token.expiry is not None and token.expiry <= (now or timezone.now())


def tokens_live(*, user: AbstractBaseUser) -> QuerySet[AuthToken]:
    now = timezone.now()
    return AuthToken.objects.filter(user=user).exclude(expiry__lte=now)


def tokens_revoke(*, user: AbstractBaseUser) -> int:
    """Withdraw every token of ``user`` (they stop working at once); how many there were."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted


def tokens_listed(*, username: str | None = None) -> QuerySet[AuthToken]:
    tokens = AuthToken.objects.select_related("user").order_by("user__username", "created")
    return tokens.filter(user__username=username) if username else tokens


def token_prefix(token: AuthToken) -> str:
    return f"{token.token_key[:PREFIX_SHOWN]}…"
