"""Stored values no ingest lets through, written straight into the pipeline's tables.

Each variant puts one extreme of its kind into every column of a type: timestamps PostgreSQL keeps
and Python cannot (``infinity``, year 30000, BC) or can only just (year 9999, year 1), the largest
integers, non-finite floats, JSON documents Python cannot load (5,000-digit numbers, 1e400, nesting
5,000 deep) or of an unexpected shape, and text at its column's length. SQLite gets what it can
hold: the first and last datetime, infinite reals and the same JSON (nested no deeper than its limit).
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection, models

from sync.models import DeadLetter, InboxEvent, SyncLog, SyncQueueItem, SyncRun

INT_MAX = 2_147_483_647  # PostgreSQL integer
JUNK = "žluťoučký 中文 🙂 <b>&amp;</b> {{ x }} {% y %} %s %(z)s \\ ' \" \t\r\n"
JSON_DOCS = [
    '{"item_id": "P1", "stock_on_hand": ' + "9" * 5000 + "}",  # int() refuses more than 4,300 digits
    # jsonb keeps 1e400 as a 401-digit integer; SQLite keeps the text, a float past infinity in Python
    '{"rate": 1e400, "list": [-1e400]}',
    "[" * 5000 + "]" * 5000,  # deeper than Python's recursion limit (SQLite's own limit is 1,000: see below)
    '"just a string"',
    "[1, 2, 3]",
    "null",
    "12345678901234567890123456789",
    '{"health": "not an object", "errors": 7, "comparisons": {"a": 1}, "recommendations": "x"}',
    '{"\\u00e9\\ud83d\\ude42": {"": [true, false, null, 0.1, -0.0, 1e-400]}, "x": "' + JUNK.replace('"', "'")
    .replace("\\", "/").replace("\t", " ").replace("\r", " ").replace("\n", " ") + '"}',
]


@dataclass(frozen=True)
class Variant:
    stamp: str
    integer: int
    real: str
    doc: str


def variants() -> list[Variant]:
    if connection.vendor == "postgresql":
        stamps = ["infinity", "-infinity", "30000-01-01 00:00:00+00", "20000-06-15 12:00:00+00",
                  "4713-01-01 00:00:00+00 BC", "9999-12-31 23:59:59.999999+00", "0001-01-01 00:00:00+00"]
        reals = ["NaN", "Infinity", "-Infinity", "1.7976931348623157e308", "-1.7976931348623157e308", "5e-324"]
        integers = [INT_MAX, 0]
    else:
        # SQLite has no time type: Django writes text, from the first to the last datetime. (Text that is no
        # time at all reads as the earliest time in rows, but Django's own SQLite date functions, which the
        # admin's date hierarchy calls, turn it into NULL and fail on it.)
        stamps = ["0001-01-01 00:00:00", "9999-12-31 23:59:59.999999"]
        reals = ["9e999", "-9e999", "1.7976931348623157e308", "5e-324"]
        integers = [INT_MAX, 0]  # the fields' own range (SQLite would take 2**63 - 1, and overflow summing it)
    docs = JSON_DOCS if connection.vendor == "postgresql" else [
        doc if not doc.startswith("[[") else "[" * 500 + "]" * 500 for doc in JSON_DOCS]
    return [Variant(stamp=stamps[n % len(stamps)], integer=integers[n % len(integers)], real=reals[n % len(reals)],
                    doc=docs[n]) for n in range(len(docs))]


def _text(field: models.Field, n: int) -> str:
    size = field.max_length or 20_000
    return (f"{n}:" + JUNK * (size // len(JUNK) + 1))[:size]


def _value(field: models.Field, variant: Variant, n: int) -> Any:
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return variant.stamp
    if kind == "JSONField":
        return variant.doc
    if kind == "FloatField":
        return variant.real
    if kind in ("PositiveIntegerField", "IntegerField"):
        return variant.integer
    if kind == "PositiveSmallIntegerField":  # the queue's priority: a CHECK keeps it within 1..10
        return 1 + n % 10
    if kind == "BooleanField":
        return None if field.null and n % 3 == 0 else n % 2 == 0
    if kind in ("CharField", "TextField"):
        return _text(field, n)
    raise AssertionError(f"no corpus value for {field.model.__name__}.{field.name} ({kind})")


def _insert(model: type[models.Model], values: dict[str, Any]) -> Any:
    table = model._meta.db_table
    columns = ", ".join(connection.ops.quote_name(c) for c in values)
    marks = ", ".join(["%s"] * len(values))
    returning = " RETURNING id"
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks}){returning}", list(values.values()))
        return cursor.fetchone()[0]


def _row(model: type[models.Model], variant: Variant, n: int, **fixed: Any) -> dict[str, Any]:
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.is_relation:
            continue
        values[field.column] = _value(field, variant, n)
    values.update(fixed)
    return values


INBOX_STATUSES = ["received", "queued", "processed", "rejected", "failed", "bogus"]
QUEUE_STATUSES = ["pending", "processing", "completed", "failed", "dead", "bogus"]
RUN_STATUSES = ["pending", "running", "completed", "partial", "failed", "bogus"]
RUN_TYPES = ["compare", "compare_sync", "images", "queue", "incremental", "full", "stock"]


@dataclass
class Poisoned:
    inbox: list[int]
    queue: list[int]
    letters: list[int]
    runs: list[str]
    logs: list[int]

    @property
    def open_letters(self) -> int:
        return DeadLetter.objects.filter(id__in=self.letters, resolved=False).count()


def poison_all() -> Poisoned:
    """Rows with every column at an extreme, in every status, in the inbox, queue, dead letters, runs and logs."""
    made = Poisoned([], [], [], [], [])
    for n, variant in enumerate(variants()):
        for s, status in enumerate(INBOX_STATUSES):
            made.inbox.append(_insert(InboxEvent, _row(
                InboxEvent, variant, n, status=status, entity="items" if s % 3 else "no_such_entity",
                source="webhook", dedupe_key=f"poison:{n}:{s}:" + "x" * 100)))
        for s, status in enumerate(QUEUE_STATUSES):
            made.queue.append(_insert(SyncQueueItem, _row(
                SyncQueueItem, variant, n, status=status, priority=1 + (n + s) % 10,
                entity="items" if s % 4 else "no_such_entity", operation=["upsert", "delete", "bogus"][s % 3],
                inbox_event_id=made.inbox[-1 - s])))
        for resolved in (False, True):
            made.letters.append(_insert(DeadLetter, _row(
                DeadLetter, variant, n, resolved=resolved, error_class=["transient", "permanent", "bogus"][n % 3],
                entity="items", queue_item_id=made.queue[-1 - n % len(QUEUE_STATUSES)] if n % 2 else None)))
        for s, status in enumerate(RUN_STATUSES):
            run_id = uuid.uuid4()
            key = SyncRun._meta.pk.get_db_prep_value(run_id, connection)
            _insert(SyncRun, {"id": key, **_row(SyncRun, variant, n, status=status,
                                                run_type=RUN_TYPES[(n + s) % len(RUN_TYPES)],
                                                entity=["items", "", "customers"][s % 3],
                                                trigger=["manual", "schedule", "bogus"][s % 3])})
            made.runs.append(str(run_id))
            made.logs.append(_insert(SyncLog, _row(SyncLog, variant, n, run_id=key,
                                                   level=["INFO", "WARNING", "ERROR"][s % 3])))
    return made


def json_loads_strictly(text: str) -> Any:
    """What the standard library makes of a stored document (raises where Python cannot hold it)."""
    def finite(value: str) -> float:
        number = float(value)
        if number in (float("inf"), float("-inf")):
            raise ValueError(f"{value} overflows a float")
        return number
    return json.loads(text, parse_float=finite)


def strictly_unreadable(model: type[models.Model], ids: list[Any]) -> dict[Any, list[str]]:
    """Per row of ``ids``, the time and JSON columns whose stored text Python cannot hold as it is,
    judged from the text alone (no loader of ours involved)."""
    kinds = {"DateTimeField", "JSONField"}
    fields = [f for f in model._meta.concrete_fields if f.get_internal_type() in kinds]
    casts = ", ".join(f"CAST({connection.ops.quote_name(f.column)} AS TEXT)" for f in fields)
    found: dict[Any, list[str]] = {}
    pk = model._meta.pk
    with connection.cursor() as cursor:
        for row_id in ids:
            cursor.execute(f"SELECT {casts} FROM {model._meta.db_table} WHERE id = %s",
                           [pk.get_db_prep_value(row_id, connection)])
            values = cursor.fetchone()
            bad = [f.name for f, text in zip(fields, values, strict=True) if text is not None and not _holds(f, text)]
            if bad:
                found[row_id] = bad
    return found


def _holds(field: models.Field, text: str) -> bool:
    from datetime import UTC, datetime

    from sync.models.readable import EARLIEST, LATEST

    try:
        if field.get_internal_type() == "JSONField":
            json_loads_strictly(text)
            return True
        value = datetime.fromisoformat(text)
    except (ValueError, RecursionError):
        return False
    return EARLIEST <= (value if value.tzinfo else value.replace(tzinfo=UTC)) <= LATEST
