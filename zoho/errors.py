"""Typed Zoho errors: every failure the client raises is one of these.

Callers decide on `.transient` alone (retry later) or on the class (not found,
auth, organization). Messages carry Zoho's code, Zoho's message and the
endpoint, never a token or secret: the client builds them from the response
body and the path, not from the request it sent.
"""
from __future__ import annotations

import time


class ZohoError(Exception):
    """Base class; `transient` says whether trying again later can help.

    `waits` marks the answers that mean "not now" for every call, not a fault of this one (Zoho
    refuses new access tokens, the daily quota is spent, the circuit is open): trying again before
    `retry_after` seconds from `raised_at` (None: not known) meets the same answer, so callers stop
    and resume at `resume_epoch`.
    """

    transient = False
    waits = False
    retry_after: float | None = None

    def __init__(self, message: str, *, code: int | None = None, http_status: int | None = None,
                 endpoint: str = "") -> None:
        super().__init__(message)
        self.raised_at = time.time()
        self.message = message
        self.code = code
        self.http_status = http_status
        self.endpoint = endpoint

    def __str__(self) -> str:
        parts = [self.message]
        if self.code is not None:
            parts.append(f"code {self.code}")
        if self.http_status is not None:
            parts.append(f"HTTP {self.http_status}")
        if self.endpoint:
            parts.append(self.endpoint)
        return parts[0] if len(parts) == 1 else f"{parts[0]} ({', '.join(parts[1:])})"

    @property
    def resume_epoch(self) -> float | None:
        """When a "not now" answer stops applying (epoch seconds); None when Zoho did not say."""
        return None if self.retry_after is None else self.raised_at + self.retry_after


class ZohoTransientError(ZohoError):
    """5xx, timeouts, connection errors, truncated bodies: worth another try."""

    transient = True


class ZohoRateLimitError(ZohoTransientError):
    """HTTP 429 with code 44 (per-minute limit) or 1070 (too many in flight)."""


class ZohoTokenLimitError(ZohoRateLimitError):
    """Zoho's accounts server refused a new access token (too many in its window): no call can go
    out until the window lets one more token through."""

    waits = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class ZohoQuotaExceeded(ZohoTransientError):
    """Daily quota used up (code 45) or about to be (the configured reserve is reached)."""

    waits = True

    def __init__(self, message: str, *, reset_seconds: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.reset_seconds = reset_seconds
        self.retry_after = reset_seconds


class CircuitOpenError(ZohoTransientError):
    """Calls are refused locally after repeated failures, until the cooldown ends."""

    waits = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class ZohoPermanentError(ZohoError):
    """A 4xx answer that another try will not change."""


class ZohoNotFound(ZohoPermanentError):
    """HTTP 404 or code 1002: the record (or image) does not exist."""


class ZohoAuthError(ZohoPermanentError):
    """Codes 57/14 after one token refresh, or a refused refresh token / client."""


class ZohoOrganizationError(ZohoPermanentError):
    """Code 6024: the organization id is missing or not one of the user's organizations."""


class ZohoConfigError(ZohoError):
    """Zoho settings are missing or invalid; nothing was sent."""

    def __init__(self, message: str, *, missing: list[str] | None = None) -> None:
        super().__init__(message)
        self.missing = list(missing or [])


class ZohoHostRefused(ZohoPermanentError):
    """A URL (token answer's api_domain, a redirect) points outside Zoho's hosts; nothing was sent there."""
