"""The event bus: one publish function, one payload type per event name.

An event is published after the surrounding transaction commits (``transaction.on_commit``;
outside a transaction that is at once), so an event of work that rolled back is never seen.
Subscribers get it as the Django signal ``tds_event`` (sender=None, name=<event name>,
payload=<dict>) and, when REDIS_URL is set, as JSON ``{"event": name, **payload}`` on the
Redis channel "tds.events". Each event name is counted in tds_metrics. docs/events.md
describes every event and its payload.

Metric rows are written in batches (one row per event name per flush) so a bulk pull
that publishes an event per batch does not add a write per event.
"""
from __future__ import annotations

import atexit
import json
import logging
import threading
import time
import types
import typing
from collections import Counter
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger("tds.events")

CHANNEL = "tds.events"
SYNC_STARTED = "tds.sync.started"
ENTITY_SYNCED = "tds.entity.synced"
SYNC_COMPLETED = "tds.sync.completed"
SYNC_FAILED = "tds.sync.failed"
DEADLETTER_ADDED = "tds.deadletter.added"
RETRY_SCHEDULED = "tds.retry.scheduled"

# receivers get sender=None, name=<event name>, payload=<dict>
tds_event = Signal()

_FLUSH_EVERY_SECONDS = 10.0
_FLUSH_AT = 100
_lock = threading.Lock()
_pending: Counter[str] = Counter()
_last_flush = time.monotonic()
_redis_clients: dict[str, Any] = {}


@dataclass(frozen=True, kw_only=True)
class SyncStarted:
    """A run was opened in the run ledger (never for a dry run)."""

    name: ClassVar[str] = SYNC_STARTED
    run_id: str
    run_type: str
    entity: str
    trigger: str
    correlation_id: str


@dataclass(frozen=True, kw_only=True)
class EntitySynced:
    """One committed batch of records of one entity (a pull batch, or a queue batch)."""

    name: ClassVar[str] = ENTITY_SYNCED
    run_id: str
    entity: str
    source: str
    count: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    failed: int
    deleted: int
    correlation_id: str


@dataclass(frozen=True, kw_only=True)
class SyncCompleted:
    """A run finished without an error (status completed, or partial when some records failed)."""

    name: ClassVar[str] = SYNC_COMPLETED
    run_id: str
    run_type: str
    entity: str
    status: str
    processed: int
    created: int
    updated: int
    failed: int
    deleted: int
    duration_seconds: float
    correlation_id: str


@dataclass(frozen=True, kw_only=True)
class SyncFailed:
    """A run stopped on an error."""

    name: ClassVar[str] = SYNC_FAILED
    run_id: str
    run_type: str
    entity: str
    status: str
    error: str
    duration_seconds: float
    correlation_id: str


@dataclass(frozen=True, kw_only=True)
class DeadLetterAdded:
    """A queue item failed for good (or too often) and was parked as a dead letter."""

    name: ClassVar[str] = DEADLETTER_ADDED
    dead_letter_id: int
    queue_item_id: int
    entity: str
    zoho_id: str
    error_class: str
    error_type: str
    attempts: int
    correlation_id: str


@dataclass(frozen=True, kw_only=True)
class RetryScheduled:
    """A queue item goes back on the queue: after a transient failure, or out of the dead letters."""

    name: ClassVar[str] = RETRY_SCHEDULED
    queue_item_id: int
    dead_letter_id: int | None
    entity: str
    zoho_id: str
    attempt: int
    delay_seconds: float
    automatic: bool
    error_type: str


Event = SyncStarted | EntitySynced | SyncCompleted | SyncFailed | DeadLetterAdded | RetryScheduled
PAYLOADS: dict[str, type] = {cls.name: cls for cls in typing.get_args(Event)}


def publish(event: Event) -> None:
    """Announce `event` once the surrounding transaction commits. Never raises into the caller."""
    name, payload = event.name, asdict(event)
    transaction.on_commit(lambda: _send(name, payload))


def payload_errors(name: str, payload: dict[str, Any]) -> list[str]:
    """What is wrong with `payload` for event `name` against its documented type (empty when right)."""
    cls = PAYLOADS.get(name)
    if cls is None:
        return [f"unknown event {name!r}"]
    hints = typing.get_type_hints(cls)
    wanted = {f.name for f in fields(cls)}
    errors = [f"missing {key}" for key in sorted(wanted - payload.keys())]
    errors += [f"unexpected {key}" for key in sorted(payload.keys() - wanted)]
    for key in sorted(wanted & payload.keys()):
        if not _is_instance(payload[key], hints[key]):
            errors.append(f"{key}={payload[key]!r} is not {hints[key]}")
    return errors


def _is_instance(value: Any, hint: Any) -> bool:
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    for option in options:
        if option is type(None) and value is None:
            return True
        if option is float and isinstance(value, int | float) and not isinstance(value, bool):
            return True
        if option is int and isinstance(value, bool):
            continue
        if option is not type(None) and isinstance(value, option):
            return True
    return False


def _send(name: str, payload: dict[str, Any]) -> None:
    try:
        tds_event.send_robust(sender=None, name=name, payload=payload)
    except Exception:  # send_robust already isolates receivers; this guards the bus itself
        logger.exception("event %s: signal dispatch failed", name)
    _publish_redis(name, payload)
    _count(name)


def _publish_redis(name: str, payload: dict[str, Any]) -> None:
    url = settings.REDIS_URL
    if not url:
        return
    try:
        client = _redis_clients.get(url)
        if client is None:
            import redis

            client = _redis_clients.setdefault(url, redis.Redis.from_url(url, socket_timeout=2))
        client.publish(CHANNEL, json.dumps({"event": name, **payload}, default=str))
    except Exception as exc:  # the bus is best effort; the DB keeps the facts
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
    except Exception as exc:  # metrics never fail the caller (e.g. DB gone at exit)
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
