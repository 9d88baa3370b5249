"""Reading Zoho's answers: the JSON envelope and the mapping of codes to typed errors.

`code != 0` is an error whatever the HTTP status;
the body's code decides the class before the HTTP status does.
"""
from __future__ import annotations

from typing import Any

import requests

from zoho.errors import (
    ZohoAuthError,
    ZohoError,
    ZohoNotFound,
    ZohoOrganizationError,
    ZohoPermanentError,
    ZohoQuotaExceeded,
    ZohoRateLimitError,
    ZohoTransientError,
)
from zoho.metrics import QuotaInfo

RATE_LIMIT_CODES = {44, 1070, 43}  # per minute, concurrency, "throttled"
QUOTA_CODE = 45
NOT_FOUND_CODES = {1002}
AUTH_CODES = {57, 14}
ORGANIZATION_CODES = {6024, 6041}  # missing organization_id; organization not the user's
INTERNAL_CODES = {1000}


def parse_envelope(response: requests.Response, endpoint: str) -> dict[str, Any]:
    """The JSON body when it is a success envelope; a typed ZohoError otherwise."""
    payload = read_json(response, endpoint)
    code = _code(payload)
    if code == 0 and response.status_code < 400:
        return payload
    raise error_for(payload, response, endpoint)


def read_json(response: requests.Response, endpoint: str) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        raise _unreadable(response, endpoint) from None
    if not isinstance(payload, dict):
        raise ZohoTransientError("Zoho sent JSON that is not an object", http_status=response.status_code,
                                 endpoint=endpoint)
    return payload


def error_for(payload: dict[str, Any], response: requests.Response, endpoint: str) -> ZohoError:
    code, status = _code(payload), response.status_code
    message = str(payload.get("message") or f"Zoho answered HTTP {status}")
    kwargs: dict[str, Any] = {"code": code, "http_status": status, "endpoint": endpoint}
    if code == QUOTA_CODE:
        quota = QuotaInfo.from_headers(response.headers)
        return ZohoQuotaExceeded(message, reset_seconds=quota.reset_seconds if quota else None, **kwargs)
    by_code = _class_for_code(code)
    if by_code is not None:
        return by_code(message, **kwargs)
    return _class_for_status(status)(message, **kwargs)


def _class_for_code(code: int | None) -> type[ZohoError] | None:
    for codes, cls in ((RATE_LIMIT_CODES, ZohoRateLimitError), (NOT_FOUND_CODES, ZohoNotFound),
                       (AUTH_CODES, ZohoAuthError), (ORGANIZATION_CODES, ZohoOrganizationError),
                       (INTERNAL_CODES, ZohoTransientError)):
        if code in codes:
            return cls
    return None


def _class_for_status(status: int) -> type[ZohoError]:
    if status == 429:
        return ZohoRateLimitError
    if status >= 500 or status == 408:
        return ZohoTransientError
    if status == 404:
        return ZohoNotFound
    if status == 401:
        return ZohoAuthError
    return ZohoPermanentError


def _unreadable(response: requests.Response, endpoint: str) -> ZohoError:
    status = response.status_code
    if status == 404:
        return ZohoNotFound("Zoho answered 404 Not Found", http_status=status, endpoint=endpoint)
    if 400 <= status < 500 and status not in (408, 429):
        return _class_for_status(status)(f"Zoho answered HTTP {status} without a JSON body",
                                         http_status=status, endpoint=endpoint)
    # a 2xx/5xx body that does not parse is most likely cut off on the way: try again
    return ZohoTransientError(f"Zoho sent an unreadable JSON body ({len(response.content)} bytes, truncated?)",
                              http_status=status, endpoint=endpoint)


def _code(payload: dict[str, Any]) -> int | None:
    try:
        return int(payload.get("code"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
