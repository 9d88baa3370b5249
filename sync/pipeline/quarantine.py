"""Rows that cannot be read back: isolated into the dead-letter queue, never left to stall the pipeline.

A value can be stored that Python cannot load again: PostgreSQL keeps timestamps up to the year
294276 where ``datetime`` stops at 9999, and a JSON number of 5,000 digits is valid ``jsonb`` that
``json.loads`` refuses. Ingest validation keeps such values out; rows written some other way are
found here, one by one, when a worker or the reaper fails to load them. Each is dead-lettered with
its raw values as text (nothing is lost), and the unreadable columns are cleared on the queue row
and its inbox event, so every later read of those tables works again.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import QuerySet

from sync.models import InboxEvent, SyncQueueItem
from sync.pipeline.deadletter import deadletter_add

logger = logging.getLogger("tds.workers")
# The database is down or the connection broke: not the row's fault, so never quarantine for it.
CONNECTION_ERRORS = (OperationalError, InterfaceError)
SWEEP_CHUNK = 500


class UnreadableRow(ValueError):
    """A stored queue row whose values cannot be loaded (permanent: retrying reads the same bytes)."""


def rows_load(queryset: QuerySet[Any], ids: list[int]) -> tuple[list[Any], dict[int, str]]:
    """The rows of ``ids`` that load, and for those that do not, why (one query when all load)."""
    try:
        return list(queryset.filter(id__in=ids)), {}
    except CONNECTION_ERRORS:
        raise
    except Exception:  # noqa: BLE001 - some row is unreadable: find it one by one
        pass
    good: list[Any] = []
    bad: dict[int, str] = {}
    for row_id in ids:
        try:
            good += list(queryset.filter(id=row_id))
        except CONNECTION_ERRORS:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever the loader trips on
            bad[row_id] = f"{type(exc).__name__}: {exc}"[:500]
    return good, bad


def queue_quarantine(reasons: dict[int, str]) -> int:
    """Dead-letter each unreadable queue row with its raw values; clear what cannot be read."""
    for row_id, reason in reasons.items():
        raw = _raw_row(row_id)
        if raw is None:
            continue
        with transaction.atomic():
            _quarantine_one(row_id, raw, reason)
        logger.error("queue item %s (%s %s) is unreadable and was dead-lettered: %s", row_id, raw["entity"],
                     raw["zoho_id"], reason)
    return len(reasons)


def queue_sweep_unreadable() -> int:
    """Quarantine every unreadable row still waiting in the queue (the reaper runs this)."""
    active = SyncQueueItem.objects.filter(status__in=[SyncQueueItem.Status.PENDING, SyncQueueItem.Status.PROCESSING])
    found = 0
    for chunk in _chunks(active.order_by("id").values_list("id", flat=True).iterator(), SWEEP_CHUNK):
        _rows, bad = rows_load(SyncQueueItem.objects.all(), chunk)
        found += queue_quarantine(bad)
    return found


def inbox_sweep_unreadable() -> int:
    """Mend every unreadable inbox event still waiting to be promoted (the reaper runs this).

    An unreadable timestamp is cleared (the event goes on, undated, which never replaces a dated
    record); an unreadable payload is kept as text and the event rejected with the reason.
    """
    waiting = InboxEvent.objects.filter(status=InboxEvent.Status.RECEIVED)
    mended = 0
    for chunk in _chunks(waiting.order_by("id").values_list("id", flat=True).iterator(), SWEEP_CHUNK):
        _rows, bad = rows_load(InboxEvent.objects.all(), chunk)
        for row_id, reason in bad.items():
            _mend_inbox_event(row_id, reason)
        mended += len(bad)
    return mended


def _mend_inbox_event(row_id: int, reason: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT CAST(payload AS TEXT), CAST(zoho_last_modified AS TEXT) FROM tds_inbox_events "
                       "WHERE id = %s", [row_id])
        row = cursor.fetchone()
    if row is None:
        return
    payload = _readable_payload(row[0] or "")
    note = f"unreadable values cleared: {reason}; stored zoho_last_modified={row[1]!r}"[:2000]
    fields: dict[str, Any] = {"zoho_last_modified": None, "error": note}
    if isinstance(payload, dict) and "unreadable_payload" in payload:
        fields.update(payload=payload, status=InboxEvent.Status.REJECTED)
    InboxEvent.objects.filter(id=row_id).update(**fields)
    logger.error("inbox event %s: %s", row_id, note)


def _raw_row(row_id: int) -> dict[str, Any] | None:
    """The row's values as text, which every stored value can be read as."""
    columns = ("entity", "zoho_id", "operation", "attempts", "correlation_id", "inbox_event_id")
    sql = (f"SELECT {', '.join(columns)}, CAST(payload AS TEXT), CAST(zoho_last_modified AS TEXT) "
           "FROM tds_sync_queue WHERE id = %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [row_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip((*columns, "payload_text", "modified_text"), row, strict=True))


def _quarantine_one(row_id: int, raw: dict[str, Any], reason: str) -> None:
    payload = _readable_payload(raw["payload_text"] or "")
    message = f"unreadable row: {reason}; stored zoho_last_modified={raw['modified_text']!r}"
    SyncQueueItem.objects.filter(id=row_id).update(zoho_last_modified=None, payload=payload)
    if raw["inbox_event_id"]:
        InboxEvent.objects.filter(id=raw["inbox_event_id"]).update(
            zoho_last_modified=None, payload=payload, status=InboxEvent.Status.FAILED, error=message[:2000])
    item = SyncQueueItem(id=row_id, entity=raw["entity"], zoho_id=raw["zoho_id"], operation=raw["operation"],
                         payload=payload, attempts=raw["attempts"], correlation_id=raw["correlation_id"],
                         inbox_event_id=raw["inbox_event_id"])
    deadletter_add(item=item, exc=UnreadableRow(message))


def _readable_payload(text: str) -> Any:
    """The payload as stored when it loads; otherwise its text, kept whole under one key."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return {"unreadable_payload": text}


def _chunks(values: Iterable[int], size: int) -> Iterable[list[int]]:
    chunk: list[int] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
