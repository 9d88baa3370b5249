"""Dead letters and queue items, one by one and filtered: the dashboard's item pages and lists.

Lists read a bounded page through the tables' indexes (entity, resolved / status); the detail reads
one row with its queue item and inbox event joined (select_related), never a query per row.
"""
from __future__ import annotations

import json
from typing import Any

from django.db.models import F, Q, QuerySet

from sync.models import DeadLetter, InboxEvent, SyncQueueItem

LIST_LIMIT = 200
QUEUE_LIST_LIMIT = 100  # the live queue page redraws every 5 s: the newest hundred, filters for the rest
TEXT_MAX = 200
QUEUE_LIST_STATUSES = (SyncQueueItem.Status.PENDING, SyncQueueItem.Status.PROCESSING, SyncQueueItem.Status.FAILED,
                       SyncQueueItem.Status.DEAD)


def pretty_json(value: Any) -> str:
    """A stored JSON value, indented for reading (a value Python cannot hold is shown as its text)."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


# --- dead letters -------------------------------------------------------------------------------


def dead_letters_matching(*, entity: str = "", error_class: str = "", text: str = "") -> QuerySet[DeadLetter]:
    """Open dead letters by entity, error class (transient / permanent) and text (in the error or zoho id)."""
    return dead_letters_in(resolved=False, entity=entity, error_class=error_class, text=text)


def dead_letters_in(*, resolved: bool | None, entity: str = "", error_class: str = "",
                    text: str = "") -> QuerySet[DeadLetter]:
    """As dead_letters_matching, among the resolved letters, the open ones, or both (``resolved`` None)."""
    rows = DeadLetter.objects.all() if resolved is None else DeadLetter.objects.filter(resolved=resolved)
    if entity:
        rows = rows.filter(entity=entity)
    if error_class:
        rows = rows.filter(error_class=error_class)
    if text:
        rows = rows.filter(Q(error_message__icontains=text) | Q(error_type__icontains=text) | Q(zoho_id=text))
    return rows


def dead_letters_list(filters: dict[str, str], *, limit: int = LIST_LIMIT) -> dict[str, Any]:
    """The newest open letters matching ``filters`` (entity, error_class, text), and how many match."""
    rows = dead_letters_matching(**filters)
    letters = list(rows.order_by("-created_at").defer("payload", "traceback")[:limit])
    return {"letters": letters, "shown": len(letters), "matching": rows.count() if len(letters) >= limit
            else len(letters)}


def dead_letters_existing(ids: list[int]) -> set[int]:
    """Which of ``ids`` name a dead letter, open or resolved."""
    return set(DeadLetter.objects.filter(pk__in=ids).values_list("pk", flat=True))


def dead_letters_of_record(*, entities: list[str], zoho_id: str, ids: list[int] | None = None) -> list[int]:
    """The open dead letters of one record (under any entity its events are filed as), limited to ``ids``
    when given."""
    rows = DeadLetter.objects.filter(entity__in=entities, zoho_id=zoho_id, resolved=False)
    return list((rows.filter(id__in=ids) if ids else rows).values_list("id", flat=True))


def dead_letter_detail(letter_id: int) -> dict[str, Any] | None:
    letter = (DeadLetter.objects.select_related("queue_item", "queue_item__inbox_event")
              .filter(pk=letter_id).first())
    if letter is None:
        return None
    item = letter.queue_item
    event = item.inbox_event if item is not None else None
    return {"letter": letter, "payload": pretty_json(letter.payload), "item": item, "event": event,
            "event_payload": pretty_json(event.payload) if event is not None else ""}


# --- queue items --------------------------------------------------------------------------------


def queue_items_matching(*, entity: str = "", status: str = "", text: str = "") -> QuerySet[SyncQueueItem]:
    """Queue items of one status (any but completed when none is given), by entity and text (in the last
    error, or a zoho id)."""
    rows = SyncQueueItem.objects.filter(status__in=[status] if status else QUEUE_LIST_STATUSES)
    if entity:
        rows = rows.filter(entity=entity)
    if text:
        rows = rows.filter(Q(last_error__icontains=text) | Q(zoho_id=text))
    return rows


def queue_items_list(filters: dict[str, str], *, limit: int = QUEUE_LIST_LIMIT) -> list[dict[str, Any]]:
    """The newest items matching ``filters`` (entity, status, text); their payloads are not read.

    One read per status, each through the status index, newest first: a year of completed items is
    never walked to find the few that are not."""
    statuses = [filters["status"]] if filters.get("status") else list(QUEUE_LIST_STATUSES)
    rows: list[dict[str, Any]] = []
    for status in statuses:
        # Ordered by id + 0, which no index gives: ordered by id, PostgreSQL may walk the primary key
        # backwards through every completed item looking for a status that has (almost) no rows.
        found = queue_items_matching(**{**filters, "status": status}).annotate(
            newest=F("id") + 0).order_by("-newest").values(
            "id", "entity", "zoho_id", "operation", "status", "priority", "attempts", "next_attempt_at",
            "locked_by", "locked_until", "last_error", "created_at", "updated_at", "inbox_event_id")
        rows += [dict(row) for row in found[:limit]]
    return sorted(rows, key=lambda row: row["id"], reverse=True)[:limit]


def queue_item_detail(item_id: int) -> dict[str, Any] | None:
    item = SyncQueueItem.objects.select_related("inbox_event").filter(pk=item_id).first()
    if item is None:
        return None
    event: InboxEvent | None = item.inbox_event
    letters = list(DeadLetter.objects.filter(queue_item_id=item.pk).order_by("-created_at")
                   .values("id", "error_class", "error_type", "error_message", "resolved", "resolution",
                           "created_at")[:20])
    return {"item": item, "payload": pretty_json(item.payload), "event": event, "letters": letters,
            "event_payload": pretty_json(event.payload) if event is not None else ""}
