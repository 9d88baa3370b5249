"""One retry policy: exponential backoff with full jitter, and transient vs permanent.

delay(n) = uniform(0, min(cap, base × 2^(n-1))) — "full jitter" (AWS architecture
blog), so a burst of failures does not come back as a burst. Base, cap and the
attempt limit are TDS_RETRY_BACKOFF_SECONDS, TDS_RETRY_BACKOFF_MAX_SECONDS and
TDS_RETRY_MAX_ATTEMPTS, run-time tunables (sync/config/).
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError

from sync.config import config_get


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float
    max_seconds: float
    max_attempts: int

    def ceiling(self, attempt: int) -> float:
        """The upper bound of the delay after failed attempt number `attempt` (1-based)."""
        # The exponent is capped: a row's attempt count can be huge, and 2 ** 2**31 never finishes.
        return min(self.max_seconds, self.base_seconds * (2 ** min(max(0, attempt - 1), 64)))

    def delay(self, attempt: int, *, rng: random.Random | None = None) -> float:
        return (rng or random).uniform(0, self.ceiling(attempt))


def retry_policy() -> RetryPolicy:
    return RetryPolicy(base_seconds=float(config_get("TDS_RETRY_BACKOFF_SECONDS")),
                       max_seconds=float(config_get("TDS_RETRY_BACKOFF_MAX_SECONDS")),
                       max_attempts=max(1, int(config_get("TDS_RETRY_MAX_ATTEMPTS"))))


class MappingError(ValueError):
    """A record that cannot be mapped to its table: another try will not help."""


_PERMANENT = (ValidationError, MappingError, IntegrityError, KeyError, TypeError, ValueError)
_TRANSIENT = (OperationalError, InterfaceError, TimeoutError, ConnectionError)


def is_transient(exc: BaseException) -> bool:
    """Zoho errors say so themselves; database hiccups and timeouts are transient; bad data is not."""
    flag = getattr(exc, "transient", None)
    if isinstance(flag, bool):
        return flag
    if isinstance(exc, _PERMANENT):
        return False
    if isinstance(exc, _TRANSIENT):
        return True
    # An unknown DatabaseError (deadlock detected, serialization failure…) is worth another try.
    return isinstance(exc, DatabaseError)


def error_class(exc: BaseException) -> str:
    return "transient" if is_transient(exc) else "permanent"
