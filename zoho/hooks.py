"""Listeners on every Zoho call, for code outside the client (accounting, budgets) without an import cycle.

``before`` listeners get (endpoint, quota last seen) before a call goes out and may refuse it by
raising a ZohoError (e.g. ZohoQuotaExceeded to keep calls in reserve). ``after`` listeners get
(endpoint, HTTP status or "error", quota from the answer's X-Rate-Limit-* headers). A
failing ``after`` listener is logged and never fails the call; listeners must be cheap.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from zoho.metrics import QuotaInfo

logger = logging.getLogger("zoho")
BeforeCall = Callable[..., None]
AfterCall = Callable[..., None]
_before: list[BeforeCall] = []
_after: list[AfterCall] = []


def hooks_add(*, before: BeforeCall | None = None, after: AfterCall | None = None) -> None:
    """Register listeners (once each); called at start-up by the app that owns them."""
    if before is not None and before not in _before:
        _before.append(before)
    if after is not None and after not in _after:
        _after.append(after)


def call_before(*, endpoint: str, quota: QuotaInfo | None) -> None:
    for listener in _before:
        listener(endpoint=endpoint, quota=quota)


def call_after(*, endpoint: str, status: Any, quota: QuotaInfo | None) -> None:
    for listener in _after:
        try:
            listener(endpoint=endpoint, status=str(status), quota=quota)
        except Exception:  # accounting must never fail a Zoho call
            logger.exception("zoho call listener %r failed", listener)
