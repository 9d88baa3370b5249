"""Queue items and inbox events holding values Python cannot: mended in place, or dead-lettered.

Every read survives such a value (sync.models.readable hands back the nearest time, or a JSON
document's text), but the pipeline must neither apply nor keep what it cannot read. When a worker
claims items, and when the reaper sweeps what is still waiting, each row with such a value is
mended, and with it its inbox event:

- Zoho's last-modified time is cleared: the event goes on undated, which never replaces a dated
  record; the pipeline's own times (created, updated, due, leased …) take the nearest time Python
  holds, so order and due times keep their sense;
- a payload that cannot be read becomes ``{"unreadable_payload": <its text>}``. Such an item can
  never be applied: it is dead-lettered with that text (nothing is lost), its inbox event failed.

Each mend is logged with the stored text. A row that still fails to load at all is read as text
(which every stored value can be read as) and dead-lettered the same way.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import InterfaceError, OperationalError, connection, models, transaction
from django.db.models import QuerySet

from sync.models import InboxEvent, SyncQueueItem
from sync.models.readable import ReadableJSONDecoder, UnreadableJSON, json_stored, unreadable_values
from sync.pipeline.deadletter import deadletter_add

logger = logging.getLogger("tds.workers")
# The database is down or the connection broke: not the row's fault, so never quarantine for it.
CONNECTION_ERRORS = (OperationalError, InterfaceError)
SWEEP_CHUNK = 500
UNDATED = ("zoho_last_modified",)  # a time of Zoho's: cleared rather than guessed


class UnreadableRow(ValueError):
    """A stored queue row whose values cannot be loaded (permanent: retrying reads the same bytes)."""


def rows_load(queryset: QuerySet[Any], ids: list[int]) -> tuple[list[Any], dict[int, str]]:
    """The rows of ``ids`` that load, and for those that do not, why (one query when all load)."""
    try:
        return list(queryset.filter(id__in=ids)), {}
    except CONNECTION_ERRORS:
        raise
    except Exception:  # some row is unreadable: find it one by one
        pass
    good: list[Any] = []
    bad: dict[int, str] = {}
    for row_id in ids:
        try:
            good += list(queryset.filter(id=row_id))
        except CONNECTION_ERRORS:
            raise
        except Exception as exc:  # whatever the loader trips on
            bad[row_id] = f"{type(exc).__name__}: {exc}"[:500]
    return good, bad


# --- mending ----------------------------------------------------------------------------------


def row_mend(row: models.Model) -> dict[str, str]:
    """Rewrite the row's unreadable values, in the table and on ``row``; what was stored, by field."""
    found = unreadable_values(row)
    if found:
        fields = {name: _replacement(row, name, stored) for name, stored in found.items()}
        type(row)._base_manager.filter(pk=row.pk).update(**fields)
        for name, value in fields.items():
            setattr(row, name, value)
        logger.error("%s %s: %s", row._meta.db_table, row.pk, mend_note(found))
    return found


def mend_note(found: dict[str, str]) -> str:
    """One line naming each rewritten field with (the start of) what it held."""
    shown = (f"{name}={stored[:200]!r}" + ("…" if len(stored) > 200 else "") for name, stored in found.items())
    return "unreadable values rewritten: " + "; ".join(shown)


def _replacement(row: models.Model, name: str, stored: str) -> Any:
    if isinstance(row._meta.get_field(name), models.JSONField):
        return {f"unreadable_{name}": stored}
    if name in UNDATED:
        return None
    value = getattr(row, name)
    return datetime(value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond,
                    tzinfo=value.tzinfo)  # the nearest readable time, no longer marked


def queue_mend(items: list[SyncQueueItem]) -> tuple[list[SyncQueueItem], dict[int, str]]:
    """Mend the items (and their inbox events); those whose payload was unreadable come back as reasons."""
    kept: list[SyncQueueItem] = []
    reasons: dict[int, str] = {}
    for item in items:
        found = row_mend(item)
        if found and item.inbox_event_id:
            _mend_by_id(InboxEvent, item.inbox_event_id)
        if "payload" in found:
            reasons[item.id] = mend_note(found)
        else:
            kept.append(item)
    return kept, reasons


def _mend_by_id(model: type[models.Model], row_id: int) -> None:
    try:
        with transaction.atomic():  # a savepoint: a row that still fails to load leaves the caller's work intact
            row = model._base_manager.filter(pk=row_id).first()
            if row is not None:
                row_mend(row)
    except CONNECTION_ERRORS:
        raise
    except Exception:  # left as it is; every read still survives it
        logger.exception("%s %s could not be loaded to be mended", model._meta.db_table, row_id)


# --- dead-lettering ---------------------------------------------------------------------------


def queue_quarantine(reasons: dict[int, str]) -> int:
    """Dead-letter each queue row that cannot be applied, with its raw values; mend the row and its event."""
    for row_id, reason in reasons.items():
        raw = _raw_row(row_id)
        if raw is None:
            continue
        with transaction.atomic():
            _quarantine_one(row_id, raw, reason)
            _mend_by_id(SyncQueueItem, row_id)
            if raw["inbox_event_id"]:
                _mend_by_id(InboxEvent, raw["inbox_event_id"])
        logger.error("queue item %s (%s %s) is unreadable and was dead-lettered: %s", row_id, raw["entity"],
                     raw["zoho_id"], reason[:500])
    return len(reasons)


def queue_sweep_unreadable() -> int:
    """Mend every row still waiting in the queue; dead-letter those that cannot be applied (the reaper runs this)."""
    active = SyncQueueItem.objects.filter(status__in=[SyncQueueItem.Status.PENDING, SyncQueueItem.Status.PROCESSING])
    found = 0
    for chunk in _chunks(active.order_by("id").values_list("id", flat=True).iterator(), SWEEP_CHUNK):
        rows, failed = rows_load(SyncQueueItem.objects.all(), chunk)
        _kept, unreadable = queue_mend(rows)
        found += queue_quarantine({**failed, **unreadable})
    return found


def inbox_sweep_unreadable() -> int:
    """Mend every inbox event still waiting to be promoted (the reaper runs this).

    An unreadable timestamp is rewritten (Zoho's is cleared: the event goes on, undated, which never
    replaces a dated record); an unreadable payload is kept as text and the event rejected.
    """
    waiting = InboxEvent.objects.filter(status=InboxEvent.Status.RECEIVED)
    mended = 0
    for chunk in _chunks(waiting.order_by("id").values_list("id", flat=True).iterator(), SWEEP_CHUNK):
        rows, failed = rows_load(InboxEvent.objects.all(), chunk)
        for event in rows:
            found = row_mend(event)
            if found:
                rejected = {"status": InboxEvent.Status.REJECTED} if "payload" in found else {}
                InboxEvent.objects.filter(id=event.id).update(error=mend_note(found)[:2000], **rejected)
                mended += 1
        for row_id, reason in failed.items():
            InboxEvent.objects.filter(id=row_id).update(status=InboxEvent.Status.REJECTED, error=reason[:2000])
            mended += 1
    return mended


def _raw_row(row_id: int) -> dict[str, Any] | None:
    """The row's values as text, which every stored value can be read as."""
    columns = ("entity", "zoho_id", "operation", "attempts", "correlation_id", "inbox_event_id")
    sql = f"SELECT {', '.join(columns)}, CAST(payload AS TEXT) FROM tds_sync_queue WHERE id = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [row_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip((*columns, "payload_text"), row, strict=True))


def _quarantine_one(row_id: int, raw: dict[str, Any], reason: str) -> None:
    payload = json_stored(_readable_payload(raw["payload_text"] or ""))
    message = f"unreadable row: {reason}"
    SyncQueueItem.objects.filter(id=row_id).update(zoho_last_modified=None, payload=payload)
    if raw["inbox_event_id"]:
        InboxEvent.objects.filter(id=raw["inbox_event_id"]).update(
            zoho_last_modified=None, payload=payload, status=InboxEvent.Status.FAILED, error=message[:2000])
    item = SyncQueueItem(id=row_id, entity=raw["entity"], zoho_id=raw["zoho_id"], operation=raw["operation"],
                         payload=payload, attempts=raw["attempts"], correlation_id=raw["correlation_id"],
                         inbox_event_id=raw["inbox_event_id"])
    deadletter_add(item=item, exc=UnreadableRow(message))


def _readable_payload(text: str) -> Any:
    """The payload as stored when Python holds it faithfully; otherwise its text, kept whole under one key."""
    try:
        value = json.loads(text, cls=ReadableJSONDecoder)
    except ValueError:
        value = UnreadableJSON.of(text)
    return {"unreadable_payload": text} if isinstance(value, UnreadableJSON) else value


def _chunks(values: Iterable[int], size: int) -> Iterable[list[int]]:
    chunk: list[int] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
