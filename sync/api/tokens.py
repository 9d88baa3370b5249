"""API tokens: django-rest-knox's AuthToken rows, never the key itself.

A row keeps a SHA-512 digest of the key, the key's first characters (to find the row and to tell
tokens apart in a listing), who it belongs to, when it was made and when it expires. The key is
returned once by ``token_create``, for the caller to show; it cannot be read back. A user has at
most one live token through ``tds_token`` (``--rotate`` replaces it); the admin may issue more.

Every API request looks its token up; ``token_find_cached`` keeps the row (with its user) in the
default cache under the key's digest (never the key) for TDS_API_AUTH_CACHE_SECONDS, so a phone
polling every second costs no token query. The entry is dropped the moment its token is deleted
(revoked, rotated) or changed, or its user is saved or deleted (deactivated, staff withdrawn), by
signals; with Redis as the cache that holds in every process at once, with the per-process memory
cache (no REDIS_URL) other processes follow within TDS_API_AUTH_CACHE_SECONDS. Expiry is checked on
every request from the row's expiry, cached or not. A cache that does not answer means a database
lookup, never a refusal.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from hmac import compare_digest
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import caches
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings

PREFIX_SHOWN = 8  # characters of a key a listing shows: enough to tell keys apart, far from enough to use
logger = logging.getLogger("tds.api")


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


def _cache_key(digest: str) -> str:
    return f"tds:auth:{digest}"


def token_find_cached(*, key: str) -> AuthToken | None:
    """``token_find``, answered from the cache while the row is unchanged (see the module's notes)."""
    seconds = settings.TDS_API_AUTH_CACHE_SECONDS
    if not seconds:
        return token_find(key=key)
    digest = hash_token(key)
    cache = caches["default"]
    try:
        row = cache.get(_cache_key(digest))
    except Exception as exc:  # noqa: BLE001 - any cache failure: look the token up in the database
        logger.warning("token cache unreadable, looking the token up in the database: %s", exc)
        return token_find(key=key)
    if isinstance(row, AuthToken) and compare_digest(row.digest, digest):
        return row
    row = token_find(key=key)
    if row is not None:  # unknown keys are not remembered: a guess costs a query, as without the cache
        try:
            cache.set(_cache_key(digest), row, seconds)
        except Exception as exc:  # noqa: BLE001
            logger.warning("token cache unwritable: %s", exc)
    return row


def tokens_forget(digests: list[str]) -> None:
    """Drop these tokens from the lookup cache: the next request reads their rows again."""
    if not digests:
        return
    try:
        caches["default"].delete_many([_cache_key(d) for d in digests])
    except Exception as exc:  # noqa: BLE001 - the entry then ends with its timeout
        logger.warning("token cache entries not dropped (they end within %s s): %s",
                       settings.TDS_API_AUTH_CACHE_SECONDS, exc)


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
