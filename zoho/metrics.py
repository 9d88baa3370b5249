"""Per-client call counters and the daily quota Zoho reports in X-Rate-Limit-* headers."""
from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

_ID_SEGMENT = re.compile(r"/\d+(?=/|$)")


def endpoint_name(method: str, path: str) -> str:
    """'GET /inventory/v1/items/4815000000044208' -> 'GET /inventory/v1/items/{id}' (bounded label set)."""
    return f"{method} {_ID_SEGMENT.sub('/{id}', path)}"


@dataclass(frozen=True)
class LatencySummary:
    count: int
    p50: float
    p95: float
    max: float


class CallStats:
    """Thread-safe: image downloads update one client's stats from many threads."""

    def __init__(self, keep: int = 10_000) -> None:
        self._lock = threading.Lock()
        self.total = 0
        self.by_endpoint: dict[str, int] = {}
        self.errors: dict[str, int] = {}
        self.token_refreshes = 0
        self.retries = 0
        self._latencies: deque[float] = deque(maxlen=keep)

    def record_call(self, endpoint: str, seconds: float) -> None:
        with self._lock:
            self.total += 1
            self.by_endpoint[endpoint] = self.by_endpoint.get(endpoint, 0) + 1
            self._latencies.append(seconds)

    def record_error(self, error: BaseException) -> None:
        with self._lock:
            name = type(error).__name__
            self.errors[name] = self.errors.get(name, 0) + 1

    def record_refresh(self) -> None:
        with self._lock:
            self.token_refreshes += 1

    def record_retry(self) -> None:
        with self._lock:
            self.retries += 1

    @property
    def latency(self) -> LatencySummary:
        with self._lock:
            values = sorted(self._latencies)
        if not values:
            return LatencySummary(0, 0.0, 0.0, 0.0)
        return LatencySummary(len(values), _pick(values, 0.50), _pick(values, 0.95), values[-1])

    def as_dict(self) -> dict[str, object]:
        latency = self.latency
        return {"total": self.total, "by_endpoint": dict(self.by_endpoint), "errors": dict(self.errors),
                "retries": self.retries, "token_refreshes": self.token_refreshes,
                "latency": {"p50": latency.p50, "p95": latency.p95, "max": latency.max}}


def _pick(values: list[float], fraction: float) -> float:
    return values[min(len(values) - 1, int(round(fraction * (len(values) - 1))))]


@dataclass(frozen=True)
class QuotaInfo:
    """Daily quota as last reported; reset_seconds counted from `seen_at` (time.time())."""

    limit: int | None
    remaining: int | None
    reset_seconds: float | None
    seen_at: float = field(default_factory=time.time)

    def reset_in(self, now: float | None = None) -> float | None:
        if self.reset_seconds is None:
            return None
        return max(0.0, self.reset_seconds - ((now or time.time()) - self.seen_at))

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> QuotaInfo | None:
        limit, remaining, reset = (_number(headers.get(f"X-Rate-Limit-{name}")) for name in ("Limit", "Remaining",
                                                                                              "Reset"))
        if limit is None and remaining is None and reset is None:
            return None
        return cls(limit=_int(limit), remaining=_int(remaining), reset_seconds=reset)


def _number(value: str | None) -> float | None:
    try:
        return float(str(value).replace(",", "")) if value not in (None, "") else None
    except ValueError:
        return None


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)
