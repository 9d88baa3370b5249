"""The inbox: every event, whatever its source, lands here raw before any work.

A webhook is stored with one INSERT … ON CONFLICT (dedupe_key) DO NOTHING, so
the row and its dedupe key are written atomically and a redelivery changes
nothing; the view answers at once and workers promote received events into
queue items later (``inbox_promote``). Records fetched one by one (the follow-up
fetch of an undated event, sync.pipeline.refetch) use the same table through
``inbox_add``, so retries, the DLQ and the audit trail see them too; bulk pulls
write through the upsert in batches instead.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from sync.metrics.receivers import webhook_received
from sync.models import InboxEvent
from sync.pipeline.kick import entity_priorities
from sync.pipeline.queue import in_locked_subquery
from zoho.webhooks import parse_zoho_time

_INSERT_SQL = (
    "INSERT INTO tds_inbox_events (source, entity, zoho_id, event_type, payload, signature_valid, "
    "signature_method, dedupe_key, zoho_last_modified, status, error, correlation_id, received_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 'received', '', %s, %s) "
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
    ops = connection.ops
    params: list[Any] = [source, entity, zoho_id, event_type, payload_json, bool(signature_method), signature_method,
              dedupe_key, ops.adapt_datetimefield_value(last_modified), correlation_id or uuid.uuid4().hex[:16],
              ops.adapt_datetimefield_value(timezone.now())]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_SQL, params)
        row = cursor.fetchone()
    if source == "webhook":
        webhook_received(entity=entity, stored=bool(row))  # metrics: webhook ingest count
    return StoredEvent(event_id=row[0] if row else None)


def inbox_add(*, source: str, entity: str, record: dict[str, Any], zoho_id: str, event_type: str = "",
              correlation_id: str = "") -> StoredEvent:
    """A record fetched from Zoho (a poll) or sent by hand: same table as webhooks; the dedupe key
    covers the source, the entity, the id, the event type and the record."""
    payload_json = json.dumps(record, sort_keys=True, default=str)
    last_modified_raw = str(record.get("last_modified_time") or "")
    digest = hashlib.sha256(f"{event_type.lower()}\x1f{entity}\x1f{zoho_id}\x1f{last_modified_raw}\x1f"
                            f"{payload_json}".encode()).hexdigest()
    return inbox_store(source=source, entity=entity, zoho_id=zoho_id, payload_json=payload_json,
                       dedupe_key=f"{source}:sha256:{digest}", last_modified=parse_zoho_time(last_modified_raw),
                       event_type=event_type, correlation_id=correlation_id)


# --- promotion: inbox -> queue -------------------------------------------------------


def inbox_promote(*, limit: int = 500) -> int:
    """Turn received events into queue items; returns how many were promoted.

    The same two statements on PostgreSQL and SQLite (3.38+: RETURNING and ``->``), in one
    transaction: claim up to `limit` received events of known entities (SKIP LOCKED keeps
    promoters apart), then copy them into the queue with INSERT … SELECT, so payloads never
    leave the database (building 200 queue items in Python was over half of a worker's time in
    B4). A webhook's stored body is unwrapped to the record under its body key. Events of an
    entity the registry does not know stay received and are rejected by ``inbox_reject_unknown``.
    """
    urgencies = entity_priorities()
    names = sorted(urgencies)
    known = ", ".join("%s" for _ in names)
    claim = (
        "UPDATE tds_inbox_events SET status = 'queued' WHERE id " + in_locked_subquery(
            f"SELECT id FROM tds_inbox_events WHERE status = 'received' AND entity IN ({known}) "
            "ORDER BY id LIMIT %s")
        + " AND status = 'received' RETURNING id"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(claim, [*names, limit])
        ids = sorted(int(row[0]) for row in cursor.fetchall())
        if not ids:
            return 0
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        cursor.execute(_promote_sql(names, ids), [*[v for name in names for v in (name, urgencies[name])],
                                                  now, now, now])
        return cursor.rowcount


def _promote_sql(names: list[str], ids: list[int]) -> str:
    from sync.entities import webhook_vocabulary

    record = "COALESCE(" + ", ".join(f"payload -> '{key}'" for key in webhook_vocabulary().body_keys) + ", payload)"
    urgency = "CASE entity " + " ".join("WHEN %s THEN %s" for _ in names) + " END"
    return f"""
        INSERT INTO tds_sync_queue (entity, zoho_id, operation, payload, priority, status, attempts, next_attempt_at,
                                    locked_by, last_error, zoho_last_modified, inbox_event_id, correlation_id,
                                    created_at, updated_at)
        SELECT entity, zoho_id, CASE WHEN lower(event_type) LIKE '%%delete%%' THEN 'delete' ELSE 'upsert' END,
               CASE WHEN source = 'webhook' THEN {record} ELSE payload END, {urgency}, 'pending', 0, %s, '', '',
               zoho_last_modified, id, correlation_id, %s, %s
        FROM tds_inbox_events WHERE id IN ({", ".join(str(i) for i in ids)}) ORDER BY id"""


def inbox_reject_unknown() -> int:
    """Events of an entity the registry does not know (e.g. a manual event with a typo) are rejected."""
    known = list(entity_priorities())
    return InboxEvent.objects.filter(status=InboxEvent.Status.RECEIVED).exclude(entity__in=known).update(
        status=InboxEvent.Status.REJECTED, error="unknown entity", processed_at=timezone.now())


def inbox_mark_processed(event_ids: list[int], *, failed: bool = False, error: str = "") -> None:
    if not event_ids:
        return
    status = InboxEvent.Status.FAILED if failed else InboxEvent.Status.PROCESSED
    InboxEvent.objects.filter(id__in=event_ids).update(status=status, error=error[:2000], processed_at=timezone.now())
