"""API tokens: django-rest-knox's AuthToken rows, never the key itself.

A row keeps a SHA-512 digest of the key, the key's first characters (to find the row and to tell
tokens apart in a listing), who it belongs to, when it was made and when it expires. The key is
returned once by ``token_create``, for the caller to show; it cannot be read back. A user has at
most one live token through ``tds_token`` (``--rotate`` replaces it); the admin may issue more.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from hmac import compare_digest

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
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
