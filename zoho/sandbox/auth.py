"""Zoho accounts: the refresh-token grant and access-token checks.

Choices where Zoho's documentation is silent about the token endpoint's refusals: they use HTTP 400 with Zoho's
body (`{"error":"invalid_code"}`, `{"error":"invalid_client"}`); the 11th token within ten minutes
gets `{"error":"Access Denied","error_description":...,"status":"failure"}` (the shape Zoho's
accounts server uses for "too many requests"), also HTTP 400.
"""
from __future__ import annotations

import secrets
import threading
import time
from collections import deque

from zoho.sandbox.config import SandboxConfig

INVALID_AUTH = (14, "The request could not be authenticated as the authentication value you entered is invalid. "
                    "Please check and try again.")
NOT_AUTHORIZED = (57, "You are not authorized to perform this operation")
TOO_MANY = "You have made too many requests continuously. Please try again after some time."


class Accounts:
    def __init__(self, cfg: SandboxConfig) -> None:
        self.cfg = cfg
        self._tokens: dict[str, float] = {}
        self._issued: deque[float] = deque()
        self._lock = threading.Lock()
        self.issued_total = 0

    def grant(self, params: dict[str, str], api_domain: str) -> tuple[int, dict[str, object]]:
        """(HTTP status, JSON body) for POST /oauth/v2/token."""
        if params.get("grant_type") != "refresh_token":
            return 400, {"error": "unsupported_grant_type"}
        if params.get("client_id") != self.cfg.client_id or params.get("client_secret") != self.cfg.client_secret:
            return 400, {"error": "invalid_client"}
        if params.get("refresh_token") != self.cfg.refresh_token:
            return 400, {"error": "invalid_code"}
        with self._lock:
            moment = time.monotonic()
            while self._issued and moment - self._issued[0] >= self.cfg.token_window_seconds:
                self._issued.popleft()
            if len(self._issued) >= self.cfg.tokens_per_window:
                return 400, {"error_description": TOO_MANY, "error": "Access Denied", "status": "failure"}
            self._issued.append(moment)
            token = "1000." + secrets.token_hex(16) + "." + secrets.token_hex(16)
            self._tokens[token] = time.time() + self.cfg.token_ttl_seconds
            self.issued_total += 1
        return 200, {"access_token": token, "expires_in": self.cfg.token_ttl_seconds, "api_domain": api_domain,
                     "token_type": "Bearer"}

    def check(self, header: str | None) -> tuple[int, str] | None:
        """None when the Authorization header carries a live token, else Zoho's (code, message)."""
        scheme, _, token = (header or "").strip().partition(" ")
        if scheme != "Zoho-oauthtoken" or not token.strip():
            return INVALID_AUTH
        expiry = self._tokens.get(token.strip())
        if expiry is None or expiry < time.time():
            return NOT_AUTHORIZED
        return None

    def expire_all(self) -> None:
        """Fault injection: every issued access token stops working (as if it had expired)."""
        with self._lock:
            self._tokens.clear()

    def reset_window(self) -> None:
        with self._lock:
            self._issued.clear()
