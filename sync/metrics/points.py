"""Metric points, buffered in memory and written in one INSERT per flush.

A hot path (a webhook, a queue batch, a Zoho call) only adds to a dict under a lock; the rows
go out when a run finishes, every FLUSH_EVERY_SECONDS, when the buffer holds FLUSH_AT series,
and at exit. One row per series per flush, so points are "minute points" of a sum and a sample
count: a counter's increments (value = sum), a gauge's last reading (samples = 1), or
observations such as latencies (mean = value / samples). Rollups keep that shape.
"""
from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

logger = logging.getLogger("tds.metrics")

FLUSH_EVERY_SECONDS = 60.0
FLUSH_AT = 500
_lock = threading.Lock()
# (name, sorted label items) -> [value, samples]
_series: dict[tuple[str, tuple[tuple[str, str], ...]], list[float]] = {}
_last_flush = time.monotonic()
# Other buffers written at the same moments (the Zoho API budget's counters).
flushers: list[Callable[[], Any]] = []


def counter_add(name: str, value: float = 1.0, *, labels: dict[str, Any] | None = None) -> None:
    """Add to a counter (a ``*_total`` series)."""
    _add(name, labels, value, replace=False)


def observe(name: str, value: float, *, labels: dict[str, Any] | None = None) -> None:
    """One observation (a duration, a latency): summed with its count, read as a mean or a summary."""
    _add(name, labels, value, replace=False)


def gauge_set(name: str, value: float, *, labels: dict[str, Any] | None = None) -> None:
    """A reading of a level (queue depth, quota left): the last one of the flush interval is kept."""
    _add(name, labels, value, replace=True)


def _add(name: str, labels: dict[str, Any] | None, value: float, *, replace: bool) -> None:
    key = (name, tuple(sorted((k, str(v)) for k, v in labels.items())) if labels else ())
    with _lock:
        slot = _series.get(key)
        if slot is None or replace:
            _series[key] = [float(value), 1]
        else:
            slot[0] += value
            slot[1] += 1
        due = len(_series) >= FLUSH_AT or time.monotonic() - _last_flush > FLUSH_EVERY_SECONDS
    if due:
        points_flush()


def points_flush() -> int:
    """Write the buffered points (and the other registered buffers); returns the metric rows written."""
    global _last_flush
    with _lock:
        taken = dict(_series)
        _series.clear()
        _last_flush = time.monotonic()
    written = 0
    if taken:
        try:
            from django.utils import timezone

            from sync.models import Metric

            now = timezone.now()
            Metric.objects.bulk_create([
                Metric(name=name, labels=dict(labels), value=value, samples=int(samples), recorded_at=now)
                for (name, labels), (value, samples) in taken.items()])
            written = len(taken)
        except Exception as exc:  # metrics never fail the caller (e.g. the DB gone at exit)
            logger.warning("metric points not written: %s", type(exc).__name__)
    for flush in flushers:
        try:
            flush()
        except Exception as exc:  # same rule for the other buffers
            logger.warning("%s not written: %s", getattr(flush, "__name__", flush), type(exc).__name__)
    return written


def points_pending() -> dict[tuple[str, tuple[tuple[str, str], ...]], list[float]]:
    with _lock:
        return {key: list(slot) for key, slot in _series.items()}


def points_discard() -> None:
    """Forget what is buffered (tests)."""
    with _lock:
        _series.clear()


def _flush_at_exit() -> None:
    logging.disable(logging.CRITICAL)
    points_flush()


atexit.register(_flush_at_exit)
