"""The inbox: every event, whatever its source, lands here raw before any work.

A webhook is stored with one INSERT … ON CONFLICT (dedupe_key) DO NOTHING, so
the row and its dedupe key are written atomically and a redelivery changes
nothing; the view answers at once and workers promote received events into
queue items later (``inbox_promote``). Polls and manual requests use the same
table through ``inbox_add`` so retries, the DLQ and the audit trail see them too.
"""
from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from sync.models import InboxEvent, SyncQueueItem
from sync.pipeline.queue import entity_priorities, in_locked_subquery, queue_items_create
from zoho.webhooks import parse_zoho_time

logger = logging.getLogger("tds.inbox")

_INSERT_SQL = (
    "INSERT INTO tds_inbox_events (source, entity, zoho_id, event_type, payload, signature_valid, "
    "signature_method, dedupe_key, zoho_last_modified, status, error, correlation_id, received_at) "
    "VALUES (%s, %s, %s, %s, {payload}, %s, %s, %s, %s, 'received', '', %s, %s) "
    "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"
)


@dataclass(frozen=True)
class StoredEvent:
    event_id: int | None  # None: a duplicate of an event already stored

    @property
    def duplicate(self) -> bool:
        return self.event_id is None


def inbox_store(*, source: str, entity: str, zoho_id: str, payload_json: str, dedupe_key: str,
                last_modified: datetime | None, event_type: str = "", signature_method: str = "",
                correlation_id: str = "") -> StoredEvent:
    """One INSERT; a row with the same dedupe key already there makes this a no-op."""
    sql = _INSERT_SQL.format(payload="%s::jsonb" if connection.vendor == "postgresql" else "%s")
    ops = connection.ops
    params = [source, entity, zoho_id, event_type, payload_json, bool(signature_method), signature_method,
              dedupe_key, ops.adapt_datetimefield_value(last_modified), correlation_id or uuid.uuid4().hex[:16],
              ops.adapt_datetimefield_value(timezone.now())]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return StoredEvent(event_id=row[0] if row else None)


def inbox_add(*, source: str, entity: str, record: dict[str, Any], zoho_id: str, event_type: str = "",
              correlation_id: str = "") -> StoredEvent:
    """An event from a poll or a manual request: same table, same dedupe rule as webhooks."""
    payload_json = json.dumps(record, sort_keys=True, default=str)
    last_modified_raw = str(record.get("last_modified_time") or "")
    digest = hashlib.sha256(f"{entity}\x1f{zoho_id}\x1f{last_modified_raw}\x1f{payload_json}".encode()).hexdigest()
    return inbox_store(source=source, entity=entity, zoho_id=zoho_id, payload_json=payload_json,
                       dedupe_key=f"{source}:sha256:{digest}", last_modified=parse_zoho_time(last_modified_raw),
                       event_type=event_type, correlation_id=correlation_id)


# --- promotion: inbox -> queue -------------------------------------------------------


def inbox_promote(*, limit: int = 500) -> int:
    """Validate received events and turn them into queue items; returns how many were promoted."""
    if connection.vendor == "postgresql":
        return _promote_in_sql(limit, entity_priorities())
    with transaction.atomic():
        ids = _claim_received(limit)
        if not ids:
            return 0
        events = list(InboxEvent.objects.filter(id__in=ids).order_by("id"))
        priorities = entity_priorities()
        items = [item for item in (_to_queue_item(event, priorities) for event in events) if item is not None]
        queue_items_create(items)
    return len(items)


def _promote_in_sql(limit: int, priorities: dict[str, int]) -> int:
    """PostgreSQL: the same promotion as one statement, payloads never leave the server.

    Building 200 queue items in Python (parse, re-dump, a 3,400-parameter INSERT) was over half of
    a worker's time in B4. Events of an entity the queue does not know are left received (visible
    in queue health) and rejected by ``inbox_reject_unknown``.
    """
    from zoho.webhooks import BODY_KEYS

    record = "COALESCE(" + ", ".join(f"payload -> '{key}'" for key in BODY_KEYS) + ", payload)"
    names = sorted(priorities)
    priority = "CASE entity " + " ".join("WHEN %s THEN %s" for _ in names) + " END"
    sql = f"""
        WITH picked AS (
            UPDATE tds_inbox_events SET status = 'queued'
            WHERE id = ANY(ARRAY(SELECT id FROM tds_inbox_events WHERE status = 'received' AND entity = ANY(%s)
                                 ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)) AND status = 'received'
            RETURNING id, source, entity, zoho_id, event_type, payload, zoho_last_modified, correlation_id)
        INSERT INTO tds_sync_queue (entity, zoho_id, operation, payload, priority, status, attempts, next_attempt_at,
                                    locked_by, last_error, zoho_last_modified, inbox_event_id, correlation_id,
                                    created_at, updated_at)
        SELECT entity, zoho_id, CASE WHEN lower(event_type) LIKE '%%delete%%' THEN 'delete' ELSE 'upsert' END,
               CASE WHEN source = 'webhook' THEN {record} ELSE payload END, {priority}, 'pending', 0, %s, '', '',
               zoho_last_modified, id, correlation_id, %s, %s
        FROM picked ORDER BY id"""
    now = timezone.now()
    params = [names, limit, *[value for name in names for value in (name, priorities[name])], now, now, now]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def inbox_reject_unknown() -> int:
    """Events of an entity the queue has no priority for (e.g. a manual event with a typo) are rejected."""
    known = list(entity_priorities())
    return InboxEvent.objects.filter(status=InboxEvent.Status.RECEIVED).exclude(entity__in=known).update(
        status=InboxEvent.Status.REJECTED, error="unknown entity", processed_at=timezone.now())


def _claim_received(limit: int) -> list[int]:
    """Mark up to `limit` received events queued in one statement; SKIP LOCKED keeps promoters apart."""
    sql = (
        "UPDATE tds_inbox_events SET status = 'queued' WHERE id "
        + in_locked_subquery("SELECT id FROM tds_inbox_events WHERE status = 'received' ORDER BY id LIMIT %s")
        + " AND status = 'received' RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit])
        return [row[0] for row in cursor.fetchall()]


def _to_queue_item(event: InboxEvent, priorities: dict[str, int]) -> SyncQueueItem | None:
    record = _record_of(event)
    if record is None or event.entity not in priorities:
        _reject(event, "payload has no record for its entity" if record is None else "unknown entity")
        return None
    deleted = "delete" in event.event_type.lower()
    operation = SyncQueueItem.Operation.DELETE if deleted else SyncQueueItem.Operation.UPSERT
    return SyncQueueItem(
        entity=event.entity, zoho_id=event.zoho_id, operation=operation, payload=record,
        priority=priorities[event.entity], status=SyncQueueItem.Status.PENDING, next_attempt_at=timezone.now(),
        zoho_last_modified=event.zoho_last_modified, inbox_event_id=event.id, correlation_id=event.correlation_id,
    )


def _record_of(event: InboxEvent) -> dict[str, Any] | None:
    """The record inside a stored body: `{"item": {...}}` for webhooks, the record itself otherwise."""
    payload = event.payload
    if not isinstance(payload, dict):
        return None
    if event.source != InboxEvent.Source.WEBHOOK:
        return payload
    from zoho.webhooks import BODY_KEYS

    for key, value in payload.items():
        if key in BODY_KEYS and isinstance(value, dict):
            return value
    return payload


def _reject(event: InboxEvent, reason: str) -> None:
    logger.warning("inbox event %s rejected: %s", event.id, reason)
    InboxEvent.objects.filter(id=event.id).update(status=InboxEvent.Status.REJECTED, error=reason,
                                                  processed_at=timezone.now())


def inbox_mark_processed(event_ids: list[int], *, failed: bool = False, error: str = "") -> None:
    if not event_ids:
        return
    status = InboxEvent.Status.FAILED if failed else InboxEvent.Status.PROCESSED
    InboxEvent.objects.filter(id__in=event_ids).update(status=status, error=error[:2000], processed_at=timezone.now())
