"""Token authentication that takes both "Token <key>" and "Bearer <key>" (mobile clients send Bearer).

The key is DRF's authtoken key either way: tokens are issued and revoked in the admin
(Auth Token › Tokens) or with ``manage.py tds_token create|revoke|list --user NAME``.
"""
from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import TokenAuthentication, get_authorization_header

KEYWORDS = ("token", "bearer")


class TokenOrBearerAuthentication(TokenAuthentication):
    def authenticate(self, request):  # noqa: ANN001, ANN201 - DRF hook
        words = get_authorization_header(request).split()
        if words and words[0].lower() == b"bearer":
            # DRF makes a new authenticator per request, so this keyword belongs to this request only.
            self.keyword = "Bearer"
        return super().authenticate(request)


class TokenOrBearerScheme(OpenApiAuthenticationExtension):
    target_class = "sync.api.auth.TokenOrBearerAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):  # noqa: ANN001, ANN201
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "'Token <key>' or 'Bearer <key>' (a key from manage.py tds_token create)"}

