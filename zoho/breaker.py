"""Circuit breaker whose state lives in the shared cache, so every process sees it.

Hand-written rather than `pybreaker`: pybreaker keeps state in memory or in
Redis through its own storage class, but here the shared store is Django's
"shared" cache (Redis *or* the database), and the open message must name the
last failure and the next try time.

Counts calls that failed for good (transient errors after the retries); a
404 or an auth refusal means Zoho is answering, so those do not count. After
`threshold` such failures in a row the circuit opens for `cooldown` seconds;
then one caller (cache.add picks it) makes a trial call: success closes the
circuit, failure opens it again.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from zoho.errors import CircuitOpenError
from zoho.shared import cache_call, shared_cache

logger = logging.getLogger("zoho")
CLOSED = {"failures": 0, "open_until": 0.0, "last": ""}
_UNAVAILABLE = object()  # cache down: keep this process's own view


class CircuitBreaker:
    def __init__(self, *, key: str, threshold: int, cooldown: float, cache: Any = None,
                 clock: Callable[[], float] = time.time, sync_interval: float = 1.0) -> None:
        self.key, self.trial_key = key, key + ":trial"
        self.threshold, self.cooldown = threshold, cooldown
        self._cache = cache if cache is not None else shared_cache()
        self._clock, self._sync_interval = clock, sync_interval
        self._state: dict[str, Any] = dict(CLOSED)
        self._synced_at = float("-inf")
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        open_until = self._view()["open_until"]
        if not open_until:
            return "closed"
        return "open" if self._clock() < open_until else "half-open"

    def check(self) -> None:
        """Raise CircuitOpenError unless a call may go out now."""
        if self.threshold <= 0:
            return
        state = self._view()
        if not state["open_until"]:
            return
        if self._clock() < state["open_until"] or not self._take_trial():
            raise CircuitOpenError(self._message(state), retry_after=max(0.0, state["open_until"] - self._clock()))

    def record_success(self) -> None:
        if self.threshold <= 0:
            return
        with self._lock:
            if self._state["failures"] or self._state["open_until"]:
                self._write(dict(CLOSED))
                cache_call(self._cache, "delete", self.trial_key)
                logger.info("zoho circuit closed again")

    def record_failure(self, error: BaseException) -> None:
        if self.threshold <= 0:
            return
        with self._lock:
            state = self._read()
            failures = int(state["failures"]) + 1
            open_until = state["open_until"]
            if failures >= self.threshold:
                open_until = self._clock() + self.cooldown
                cache_call(self._cache, "delete", self.trial_key)
            new = {"failures": failures, "open_until": open_until, "last": str(error)[:300],
                   # when it first opened: a re-open after a failed trial keeps it (alerts read the age)
                   "opened_at": state.get("opened_at") or (self._clock() if open_until else 0.0)}
            self._write(new)
        if failures >= self.threshold:
            logger.error("%s", self._message(new))

    def _take_trial(self) -> bool:
        return bool(cache_call(self._cache, "add", self.trial_key, "1", timeout=max(1, int(self.cooldown)),
                               default=True))

    def _message(self, state: dict[str, Any]) -> str:
        at = datetime.fromtimestamp(state["open_until"], UTC).strftime("%H:%M:%S UTC")
        when = f"next try at {at}" if self._clock() < state["open_until"] else "a trial call is in progress"
        return (f"Zoho circuit open after {state['failures']} consecutive failures "
                f"(last: {state['last'] or 'unknown'}); {when}")

    def _view(self) -> dict[str, Any]:
        with self._lock:
            if self._clock() - self._synced_at >= self._sync_interval:
                return self._read()
            return dict(self._state)

    def _read(self) -> dict[str, Any]:
        raw = cache_call(self._cache, "get", self.key, default=_UNAVAILABLE)
        if isinstance(raw, dict):
            self._state = {**CLOSED, **raw}
        elif raw is None:
            self._state = dict(CLOSED)  # never opened, closed by another process, or expired
        self._synced_at = self._clock()
        return dict(self._state)

    def _write(self, state: dict[str, Any]) -> None:
        self._state, self._synced_at = state, self._clock()
        if state == CLOSED:
            cache_call(self._cache, "delete", self.key)
        else:
            cache_call(self._cache, "set", self.key, state, timeout=int(self.cooldown) + 3600)
