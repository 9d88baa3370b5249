"""The trace of one mirrored record: the row and its related rows, its field-level history (the audit
trail), every inbox event and queue item that carried it and what became of each, the runs that wrote
it and its open dead letters; and the row as it was at an earlier time, rebuilt from the audit trail.

Everything is read by the record's key through existing indexes (the Zoho id's unique index, the
audit trail's and the queue's (entity, zoho_id) indexes, the inbox's zoho_id index) and bounded, so a
trace costs the same on a year of history as on a day.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.apps import apps
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from sync.entities import DERIVED, REGISTRY, EntitySpec, UnknownEntity, get_spec
from sync.models import AuditEntry, DeadLetter, InboxEvent, SyncQueueItem, SyncRun
from sync.upsert.hashing import jsonable
from zoho.ids import zoho_id_problem

TIMELINE_LIMIT = 200
EVENTS_LIMIT = 50
RUNS_LIMIT = 50
LINES_LIMIT = 500
# Bookkeeping shown apart from the record's own fields.
BOOKKEEPING = ("id", "zoho_last_modified", "content_hash", "last_synced", "is_active", "deleted_in_zoho_at",
               "created_at", "updated_at")
# An item applied with others in one batch is not named by its audit entries: entries written this soon
# after the item was completed are taken as its writes.
APPLY_WINDOW = timedelta(seconds=5)


class TraceError(ValueError):
    """An entity, id or time that names no record (one line, for a page, the API or the command)."""


class RecordMissing(TraceError):
    """A well-formed entity and id that the mirror does not hold."""


@dataclass(frozen=True)
class RecordKey:
    spec: EntitySpec
    zoho_id: str


def record_key(entity: str, zoho_id: str) -> RecordKey:
    """The record's entity spec and id; TraceError naming what is wrong."""
    try:
        spec = get_spec(str(entity))
    except UnknownEntity as exc:
        raise TraceError(str(exc)) from None
    text = str(zoho_id).strip()
    problem = zoho_id_problem("the Zoho id", text)
    if problem:
        raise TraceError(problem)
    return RecordKey(spec=spec, zoho_id=text)


def parse_as_of(raw: str | None) -> datetime | None:
    """An ISO 8601 time (a date alone means its start, UTC when no zone is given); TraceError otherwise."""
    if raw is None or not str(raw).strip():
        return None
    text = str(raw).strip()
    try:
        value = parse_datetime(text) or (parse_datetime(text + "T00:00:00") if len(text) == 10 else None)
    except ValueError:
        value = None
    if value is None:
        raise TraceError(f"as_of {text[:40]!r} is not an ISO 8601 time (e.g. 2026-11-30T12:00:00Z)")
    return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)


def _entity_of_model() -> dict[str, str]:
    out: dict[str, str] = {}
    for spec in REGISTRY.values():
        out.setdefault(spec.model_name, spec.name)  # customers and vendors share the contacts path, not a model
    return out


def _ref(entity: str, zoho_id: str | None, label: str = "") -> dict[str, Any] | None:
    if not zoho_id:
        return None
    return {"entity": entity, "zoho_id": str(zoho_id), "label": label or str(zoho_id)}


def _value(value: Any) -> Any:
    return jsonable(value)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


# --- the row -------------------------------------------------------------------------------------


def _row(key: RecordKey) -> Any:
    spec = key.spec
    row = spec.model.objects.filter(**{spec.model_id_field: key.zoho_id}).first()
    if row is None:
        raise RecordMissing(f"no {spec.name} record with Zoho id {key.zoho_id} in the mirror")
    return row


def row_fields(spec: EntitySpec, row: Any) -> dict[str, Any]:
    """The record's own columns (not raw, not bookkeeping, not FK ids) as JSON values."""
    out = {}
    for f in spec.model._meta.concrete_fields:
        if f.name in BOOKKEEPING or f.name == "raw" or f.is_relation:
            continue
        out[f.name] = _value(getattr(row, f.attname))
    return out


def _bookkeeping(row: Any) -> dict[str, Any]:
    return {name: _value(getattr(row, name)) for name in BOOKKEEPING if name not in ("id",)}


def _links(spec: EntitySpec, row: Any) -> list[dict[str, Any]]:
    """The rows this one points at (customer, vendor, warehouses), by their Zoho ids."""
    entity_of = _entity_of_model()
    links = []
    for fk in spec.fks:
        target = entity_of.get(fk.model)
        related = getattr(row, fk.field, None)
        zoho_id = getattr(row, fk.source, "") or (getattr(related, fk.key, "") if related else "")
        ref = _ref(target or fk.model, zoho_id, str(related) if related else "")
        if ref and target:
            links.append({"field": fk.field, "in_mirror": related is not None, **ref})
    return links


def _lines(spec: EntitySpec, row: Any) -> list[dict[str, Any]]:
    """The record's child rows (document lines, price list items), each with its product."""
    if spec.lines is None:
        return []
    model = apps.get_model("sync", spec.lines.model)
    names = [f.name for f in model._meta.concrete_fields
             if f.name not in ("raw", "id", "last_synced") and not f.is_relation]
    lines = model.objects.filter(**{f"{spec.lines.parent_field}_id": row.pk}).order_by(spec.lines.key)
    out = []
    for line in lines.values(*names, "product_id")[:LINES_LIMIT]:
        item = {name: _value(line[name]) for name in names}
        item["product"] = _ref("items", line.get("zoho_item_id")) if line.get("product_id") else None
        out.append(item)
    return out


def _stock(spec: EntitySpec, row: Any) -> list[dict[str, Any]]:
    if not spec.stock_levels:
        return []
    levels = row.stock_levels.select_related("warehouse").order_by("warehouse__name")
    return [{"warehouse": _ref("warehouses", level.warehouse.zoho_warehouse_id, level.warehouse.name),
             "stock_on_hand": _value(level.stock_on_hand), "committed_stock": _value(level.committed_stock),
             "available_for_sale": _value(level.available_for_sale)} for level in levels[:LINES_LIMIT]]


# --- history ----------------------------------------------------------------------------------


def _timeline(key: RecordKey, limit: int) -> list[dict[str, Any]]:
    entries = (AuditEntry.objects.filter(entity=key.spec.name, zoho_id=key.zoho_id)
               .order_by("-created_at", "-id")[:limit])
    return [{"id": e.pk, "at": _iso(e.created_at), "action": e.action, "field": e.field,
             "old": e.old_value, "new": e.new_value, "source": e.source, "actor": e.actor,
             "run_id": str(e.run_id) if e.run_id else None, "inbox_event_id": e.inbox_event_id,
             "correlation_id": e.correlation_id} for e in entries]


def event_entities(spec: EntitySpec) -> list[str]:
    """This entity and the derived names whose events carry its records (a stock webhook carries an item)."""
    return [spec.name, *(d.name for d in DERIVED.values() if d.reads == spec.name)]


def _events(key: RecordKey, limit: int) -> list[dict[str, Any]]:
    """Inbox events and queue items of the record, newest first, each with its outcome."""
    names = event_entities(key.spec)
    events = list(InboxEvent.objects.filter(zoho_id=key.zoho_id, entity__in=names)
                  .defer("payload").order_by("-received_at", "-id")[:limit])
    items = list(SyncQueueItem.objects.filter(entity__in=names, zoho_id=key.zoho_id)
                 .defer("payload").order_by("-created_at", "-id")[:limit])
    letters = {d.queue_item_id: d for d in DeadLetter.objects.filter(entity__in=names, zoho_id=key.zoho_id)
               .defer("payload", "traceback").order_by("-created_at")[:limit] if d.queue_item_id}
    audited = AuditEntry.objects.filter(entity=key.spec.name, zoho_id=key.zoho_id).order_by("-created_at")
    writes: list[dict[str, Any]] = [dict(w) for w in audited.values(
        "inbox_event_id", "correlation_id", "created_at", "run_id")[:TIMELINE_LIMIT]]
    by_event = {item.inbox_event_id: item for item in items if item.inbox_event_id}
    out = []
    for event in events:
        item = by_event.pop(event.pk, None)
        out.append(_event_row(event, item, items, letters.get(item.pk) if item else None, writes))
    for item in items:  # items that came from no inbox event (a dead letter's item recreated)
        if item.inbox_event_id is None or item.inbox_event_id in by_event:
            out.append(_event_row(None, item, items, letters.get(item.pk), writes))
    out.sort(key=lambda r: r["received_at"] or "", reverse=True)
    return out[:limit]


def _rank(item: SyncQueueItem) -> tuple[float, int]:
    stamp = item.zoho_last_modified.timestamp() if item.zoho_last_modified else float("-inf")
    return stamp, item.pk


def _superseded_by(item: SyncQueueItem, items: list[SyncQueueItem]) -> SyncQueueItem | None:
    """A newer version of the record that was there before this item was settled: the worker kept only
    the newest of a batch, or the stale-version guard refused this one."""
    if item.completed_at is None:
        return None
    for other in items:
        if (other.pk != item.pk and other.operation == item.operation and _rank(other) > _rank(item)
                and other.created_at <= item.completed_at
                and other.status == SyncQueueItem.Status.COMPLETED):
            return other
    return None


def _wrote(item: SyncQueueItem, event: InboxEvent | None, writes: list[dict[str, Any]]) -> bool:
    done = item.completed_at
    for w in writes:
        if event is not None and w["inbox_event_id"] == event.pk:
            return True
        if item.correlation_id and w["correlation_id"] == item.correlation_id:
            return True
        if done and w["run_id"] is None and done <= w["created_at"] <= done + APPLY_WINDOW:
            return True
    return False


def _outcome(event: InboxEvent | None, item: SyncQueueItem | None, items: list[SyncQueueItem],
             letter: DeadLetter | None, writes: list[dict[str, Any]]) -> tuple[str, str]:
    """(outcome, reason): applied, unchanged, superseded, dead-lettered, rejected, retrying, waiting."""
    if event is not None and event.status == InboxEvent.Status.REJECTED:
        return "rejected", event.error
    if item is None:
        return ("waiting", "received, not yet queued") if event is None or event.status in (
            InboxEvent.Status.RECEIVED, InboxEvent.Status.QUEUED) else (event.status, event.error)
    if item.status == SyncQueueItem.Status.DEAD:
        return "dead-lettered", (letter.error_message if letter else item.last_error)
    if item.status == SyncQueueItem.Status.PENDING and item.attempts:
        return "retrying", item.last_error
    if item.status in (SyncQueueItem.Status.PENDING, SyncQueueItem.Status.PROCESSING):
        return "waiting", item.status
    if item.status == SyncQueueItem.Status.FAILED:
        return "retrying", item.last_error
    newer = _superseded_by(item, items)
    if newer is not None:
        return "superseded", f"by a newer version (queue item {newer.pk}" + (
            f", inbox event {newer.inbox_event_id})" if newer.inbox_event_id else ")")
    if item.operation == SyncQueueItem.Operation.DELETE:
        return "applied", "marked deleted"
    if _wrote(item, event, writes):
        return "applied", ""
    return "unchanged", "the mirror already held this version (a duplicate)"


def _event_row(event: InboxEvent | None, item: SyncQueueItem | None, items: list[SyncQueueItem],
               letter: DeadLetter | None, writes: list[dict[str, Any]]) -> dict[str, Any]:
    outcome, reason = _outcome(event, item, items, letter, writes)
    return {
        "inbox_event_id": event.pk if event else None, "queue_item_id": item.pk if item else None,
        "source": event.source if event else "queue", "event_type": event.event_type if event else "",
        "entity": event.entity if event else (item.entity if item else ""),
        "received_at": _iso(event.received_at if event else (item.created_at if item else None)),
        "zoho_last_modified": _iso((event.zoho_last_modified if event else None)
                                   or (item.zoho_last_modified if item else None)),
        "inbox_status": event.status if event else None, "queue_status": item.status if item else None,
        "attempts": item.attempts if item else 0, "outcome": outcome, "reason": (reason or "")[:2000],
        "dead_letter_id": letter.pk if letter else None,
        "settled_at": _iso((item.completed_at if item else None) or (event.processed_at if event else None)),
    }


def _runs(key: RecordKey, limit: int) -> list[dict[str, Any]]:
    ids = (AuditEntry.objects.filter(entity=key.spec.name, zoho_id=key.zoho_id, run_id__isnull=False)
           .order_by().values_list("run_id", flat=True).distinct())
    runs = SyncRun.objects.filter(pk__in=list(ids[:1000])).defer("configuration", "summary").order_by("-created_at")
    return [{"id": str(r.pk), "run_type": r.run_type, "entity": r.entity, "trigger": r.trigger, "status": r.status,
             "started_at": _iso(r.started_at or r.created_at), "finished_at": _iso(r.finished_at)}
            for r in runs[:limit]]


def _dead_letters(key: RecordKey) -> list[dict[str, Any]]:
    letters = DeadLetter.objects.filter(entity__in=event_entities(key.spec), zoho_id=key.zoho_id, resolved=False)
    return [{"id": d.pk, "entity": d.entity, "error_class": d.error_class, "error_type": d.error_type,
             "error_message": d.error_message, "attempts": d.attempts, "auto_retries": d.auto_retries,
             "queue_item_id": d.queue_item_id, "created_at": _iso(d.created_at)}
            for d in letters.defer("payload", "traceback").order_by("-created_at")[:EVENTS_LIMIT]]


# --- as of ------------------------------------------------------------------------------------


def rebuild_as_of(key: RecordKey, row: Any, when: datetime) -> dict[str, Any]:
    """The record's fields at ``when``: today's values with every audited change made after ``when``
    undone, newest first. {"existed": False} when the record was created after ``when``."""
    fields = row_fields(key.spec, row)
    fields.update({"is_active": row.is_active})
    later = AuditEntry.objects.filter(entity=key.spec.name, zoho_id=key.zoho_id, created_at__gt=when)
    undone = 0
    for entry in later.order_by("-created_at", "-id").values("action", "field", "old_value")[:10_000]:
        if entry["action"] == AuditEntry.Action.CREATE:
            return {"existed": False, "fields": {}, "changes_undone": undone}
        if entry["field"] in fields:
            fields[entry["field"]] = entry["old_value"]
            undone += 1
    deleted = (AuditEntry.objects.filter(entity=key.spec.name, zoho_id=key.zoho_id, created_at__lte=when)
               .filter(action__in=(AuditEntry.Action.DELETE, AuditEntry.Action.RESTORE))
               .order_by("-created_at", "-id").values_list("action", flat=True).first())
    return {"existed": True, "fields": fields, "changes_undone": undone,
            "deleted_in_zoho": deleted == AuditEntry.Action.DELETE}


# --- the whole trace ----------------------------------------------------------------------------


def record_trace(entity: str, zoho_id: str, *, as_of: datetime | None = None,
                 timeline_limit: int = TIMELINE_LIMIT) -> dict[str, Any]:
    """Everything about one record; TraceError (RecordMissing) when it names none."""
    key = record_key(entity, zoho_id)
    row = _row(key)
    spec = key.spec
    trace: dict[str, Any] = {
        "entity": spec.name, "zoho_id": key.zoho_id, "label": str(row),
        "fields": row_fields(spec, row), "bookkeeping": _bookkeeping(row),
        "links": _links(spec, row), "lines": _lines(spec, row), "stock": _stock(spec, row),
        "timeline": _timeline(key, timeline_limit), "events": _events(key, EVENTS_LIMIT),
        "runs": _runs(key, RUNS_LIMIT), "dead_letters": _dead_letters(key), "as_of": None,
    }
    if as_of is not None:
        trace["as_of"] = {"at": as_of.isoformat(), **rebuild_as_of(key, row, as_of)}
    return trace

