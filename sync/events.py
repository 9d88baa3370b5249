"""The event bus: a Django signal in process, the Redis channel "tds.events" when REDIS_URL is set,
and a count per event name in tds_metrics.

Metric rows are written in batches (one row per event name per flush) so a bulk pull
that publishes an event per batch does not add a write per event.
"""
from __future__ import annotations

import atexit
import json
import logging
import threading
import time
from collections import Counter
from typing import Any

from django.conf import settings
from django.dispatch import Signal

logger = logging.getLogger("tds.events")

CHANNEL = "tds.events"
SYNC_STARTED = "tds.sync.started"
ENTITY_SYNCED = "tds.entity.synced"
SYNC_COMPLETED = "tds.sync.completed"
SYNC_FAILED = "tds.sync.failed"

# receivers get sender=None, name=<event name>, payload=<dict>
tds_event = Signal()

_FLUSH_EVERY_SECONDS = 10.0
_FLUSH_AT = 100
_lock = threading.Lock()
_pending: Counter[str] = Counter()
_last_flush = time.monotonic()
_redis_clients: dict[str, Any] = {}


def publish(name: str, **payload: Any) -> None:
    """Announce an event. Never raises: a broken subscriber or Redis must not fail a sync."""
    try:
        tds_event.send_robust(sender=None, name=name, payload=payload)
    except Exception:  # noqa: BLE001 - send_robust already isolates receivers; this guards the bus itself
        logger.exception("event %s: signal dispatch failed", name)
    _publish_redis(name, payload)
    _count(name)


def _publish_redis(name: str, payload: dict[str, Any]) -> None:
    url = getattr(settings, "REDIS_URL", None)
    if not url:
        return
    try:
        client = _redis_clients.get(url)
        if client is None:
            import redis

            client = _redis_clients.setdefault(url, redis.Redis.from_url(url, socket_timeout=2))
        client.publish(CHANNEL, json.dumps({"event": name, **payload}, default=str))
    except Exception as exc:  # noqa: BLE001 - the bus is best effort; the DB keeps the facts
        logger.warning("event %s not published to Redis: %s", name, type(exc).__name__)


def _count(name: str) -> None:
    with _lock:
        _pending[name] += 1
        due = sum(_pending.values()) >= _FLUSH_AT or time.monotonic() - _last_flush > _FLUSH_EVERY_SECONDS
    if due:
        flush_metrics()


def flush_metrics() -> int:
    """Write the pending event counts to tds_metrics (one row per event name); returns rows written."""
    global _last_flush
    with _lock:
        counts = dict(_pending)
        _pending.clear()
        _last_flush = time.monotonic()
    if not counts:
        return 0
    try:
        from sync.models import Metric

        Metric.objects.bulk_create(
            [Metric(name="tds_events_total", value=n, labels={"event": name}) for name, n in counts.items()])
    except Exception as exc:  # noqa: BLE001 - metrics never fail the caller (e.g. DB gone at exit)
        logger.warning("event metrics not written: %s", type(exc).__name__)
        return 0
    return len(counts)


def pending_counts() -> dict[str, int]:
    with _lock:
        return dict(_pending)


def _flush_at_exit() -> None:
    """Best effort and silent: at interpreter exit the database or the log streams may be gone."""
    logging.disable(logging.CRITICAL)
    flush_metrics()


atexit.register(_flush_at_exit)
