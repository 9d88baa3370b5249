"""Read answers that may be a second old, computed once per process however many callers poll.

Phones and monitors poll the status, health and dashboard endpoints; each answer is a dozen counts
over the queue, the runs and the broker (about 20 ms of database time). Under many callers every
request paid it again and the server spent its time counting the same rows. Here each answer is kept
in this process for TDS_API_READ_CACHE_SECONDS (1 s by default, 0 to turn it off), and while one
thread computes it the others wait for that result instead of computing it alongside (so a burst of
callers costs one computation, not one each). The cache is in the process, not in Redis: the values
are small, a second old by design, and each process keeps its own without a network round trip.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.conf import settings

T = TypeVar("T")

_answers: dict[Hashable, tuple[float, Any]] = {}
_locks: dict[Hashable, threading.Lock] = {}
_guard = threading.Lock()


def fresh(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or its result from less than TDS_API_READ_CACHE_SECONDS ago under the same ``key``."""
    seconds = float(settings.TDS_API_READ_CACHE_SECONDS)
    if seconds <= 0:
        return compute()
    hit = _answers.get(key)
    if hit is not None and time.monotonic() - hit[0] < seconds:
        return hit[1]
    with _guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        hit = _answers.get(key)  # another thread may have computed it while this one waited
        if hit is not None and time.monotonic() - hit[0] < seconds:
            return hit[1]
        started = time.monotonic()
        value = compute()
        _answers[key] = (started, value)
        return value


def fresh_clear() -> None:
    _answers.clear()
