"""The overview's last hour, minute by minute: work done and errors, from the tables themselves.

Work done: queue items applied (completed) and records written (created or updated) by runs other
than queue drains, whose writes are the applied items already. Errors: failed queue attempts,
dead letters parked and runs that failed. Each read is one range of an index on its time column
(the queue's status + completed_at, the runs' finished_at, the dead letters' created_at), so the
hour costs the same on a year of history as on a day; the overview polls it every few seconds.

The queue keeps no history of attempts: a failed attempt shows at the minute it failed while its
item waits for its retry (or sits failed), and leaves the chart once a retry succeeds or the item
is parked (the dead letter then counts it).
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from sync.models import DeadLetter, RunStatus, RunType, SyncQueueItem, SyncRun

MINUTES = 60
SERIES = ("applied", "written", "failed_attempts", "dead_letters", "failed_runs")
ERRORS = ("failed_attempts", "dead_letters", "failed_runs")
# One statement, one row per busy minute. Written SQL, not four ORM queries: the overview asks every
# 5 s and building the ORM's grouped queries cost more than running them. Each part reads one range of
# an indexed time column; created and updated are summed apart (their per-row sum is int4 arithmetic).
LAST_HOUR_SQL = """
SELECT minute, SUM(applied), SUM(created), SUM(updated), SUM(failed_attempts), SUM(dead_letters), SUM(failed_runs)
FROM (
    SELECT {completed} AS minute, 1 AS applied, 0 AS created, 0 AS updated, 0 AS failed_attempts,
           0 AS dead_letters, 0 AS failed_runs
    FROM {queue} WHERE status = %s AND completed_at >= %s AND completed_at <= %s
    UNION ALL
    SELECT {finished}, 0, CASE WHEN dry_run OR run_type = %s THEN 0 ELSE created END,
           CASE WHEN dry_run OR run_type = %s THEN 0 ELSE updated END, 0, 0, CASE WHEN status = %s THEN 1 ELSE 0 END
    FROM {runs} WHERE finished_at >= %s AND finished_at <= %s
    UNION ALL
    SELECT {updated}, 0, 0, 0, 1, 0, 0
    FROM {queue} WHERE status IN (%s, %s) AND last_error <> '' AND updated_at >= %s AND updated_at <= %s
    UNION ALL
    SELECT {parked}, 0, 0, 0, 0, 1, 0
    FROM {letters} WHERE created_at >= %s AND created_at <= %s
) AS last_hour
GROUP BY minute"""


def throughput_last_hour(*, now: datetime | None = None) -> dict[str, Any]:
    """{"minutes": [{"at", "applied", "written", "failed_attempts", "dead_letters", "failed_runs", "errors"}]
    for each of the last MINUTES minutes, oldest first, the current (partial) minute last; "totals"}."""
    now = now or timezone.now()
    last = now.astimezone(UTC).replace(second=0, microsecond=0)
    first = last - timedelta(minutes=MINUTES - 1)
    slots: dict[datetime, dict[str, int]] = {first + timedelta(minutes=n): dict.fromkeys(SERIES, 0)
                                             for n in range(MINUTES)}
    with connection.cursor() as cursor:
        cursor.execute(*_statement(first, now))
        for minute, applied, created, updated, attempts, letters, failed in cursor.fetchall():
            slot = slots.get(_moment(minute))
            if slot is not None:
                slot["applied"] += int(applied or 0)
                slot["written"] += int(created or 0) + int(updated or 0)
                slot["failed_attempts"] += int(attempts or 0)
                slot["dead_letters"] += int(letters or 0)
                slot["failed_runs"] += int(failed or 0)
    minutes: list[dict[str, Any]] = [{"at": at, **counts, "errors": sum(counts[k] for k in ERRORS)}
                                     for at, counts in sorted(slots.items())]
    totals = {key: sum(m[key] for m in minutes) for key in (*SERIES, "errors")}
    return {"minutes": minutes, "totals": totals, "since": first, "until": now}


def _statement(first: datetime, now: datetime) -> tuple[str, list[Any]]:
    """LAST_HOUR_SQL in this database's dialect (its minute truncation, in UTC) with its parameters."""
    ops = connection.ops
    window = [ops.adapt_datetimefield_value(first), ops.adapt_datetimefield_value(now)]
    truncs: dict[str, str] = {}
    trunc_params: list[list[Any]] = []
    for name, column in (("completed", "completed_at"), ("finished", "finished_at"), ("updated", "updated_at"),
                         ("parked", "created_at")):
        trunc: Any = ops.datetime_trunc_sql("minute", column, (), "UTC")  # (sql, params) since Django 4.2
        truncs[name], extra = trunc
        trunc_params.append(list(extra))
    sql = LAST_HOUR_SQL.format(queue=SyncQueueItem._meta.db_table, runs=SyncRun._meta.db_table,
                               letters=DeadLetter._meta.db_table, **truncs)
    pending, failed = SyncQueueItem.Status.PENDING, SyncQueueItem.Status.FAILED
    params = [*trunc_params[0], SyncQueueItem.Status.COMPLETED, *window,
              *trunc_params[1], RunType.QUEUE, RunType.QUEUE, RunStatus.FAILED, *window,
              *trunc_params[2], pending, failed, *window,
              *trunc_params[3], *window]
    return sql, params


def _moment(value: Any) -> datetime:
    """A truncated minute as the database hands it back (a datetime, or text on SQLite), in UTC."""
    moment: datetime | None = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        raise ValueError(f"not a minute: {value!r}")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
