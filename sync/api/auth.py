"""Token authentication that takes both "Token <key>" and "Bearer <key>" (mobile clients send Bearer).

The key is a django-rest-knox token (sync/api/tokens.py: stored as a digest, with an expiry), issued
with ``manage.py tds_token create --user NAME`` or in the admin (Knox › Auth tokens). knox's own
authenticator is extended, not used as is, for three things it does differently: it knows one
keyword only; it answers an expired key with "Invalid token." (and deletes the row, so the next call
cannot tell either); it sends any bytes to the database (a NUL byte is a 500 on PostgreSQL). Here an
expired key gets 401 ``token_expired`` saying so, every time, until the token is rotated or revoked,
and a key that is not shaped like one is refused before any query.
"""
from __future__ import annotations

import re
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header

from sync.api.tokens import token_expired, token_find_cached

KEYWORDS = (b"token", b"bearer")
KEY_SHAPE = re.compile(rb"[A-Za-z0-9_.-]{1,256}")
INVALID = "Invalid token."


class TokenExpired(exceptions.AuthenticationFailed):
    default_code = "token_expired"


class TokenOrBearerAuthentication(TokenAuthentication):
    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        words = get_authorization_header(request).split()
        if not words or words[0].lower() not in KEYWORDS:
            return None  # no credentials, or another scheme: the next authenticator may take it
        if len(words) == 1:
            raise exceptions.AuthenticationFailed("Invalid token header. No credentials provided.")
        if len(words) > 2:
            raise exceptions.AuthenticationFailed("Invalid token header. Token string should not contain spaces.")
        return self.authenticate_credentials(words[1])

    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        # Keys are hex (knox's, and DRF's moved over); anything else is not looked up at all, so a
        # NUL byte or a megabyte of junk never reaches the database.
        if not KEY_SHAPE.fullmatch(token):
            raise exceptions.AuthenticationFailed(INVALID)
        row = token_find_cached(key=token.decode("ascii"))
        if row is None:
            raise exceptions.AuthenticationFailed(INVALID)
        if token_expired(row):
            expired = timezone.localtime(row.expiry).strftime("%Y-%m-%d %H:%M %Z")
            raise TokenExpired(f"The token expired on {expired}; ask for a new one "
                               "(manage.py tds_token create --user NAME --rotate).")
        return self.validate_user(row)

    def authenticate_header(self, request: Any) -> str:
        return "Token"


class TokenOrBearerScheme(OpenApiAuthenticationExtension):
    target_class = "sync.api.auth.TokenOrBearerAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "'Token <key>' or 'Bearer <key>' (a key from manage.py tds_token create)"}
