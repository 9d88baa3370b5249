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

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMinute
from django.utils import timezone

from sync.models import DeadLetter, RunStatus, RunType, SyncQueueItem, SyncRun

MINUTES = 60
SERIES = ("applied", "written", "failed_attempts", "dead_letters", "failed_runs")
ERRORS = ("failed_attempts", "dead_letters", "failed_runs")


def throughput_last_hour(*, now: datetime | None = None) -> dict[str, Any]:
    """{"minutes": [{"at", "applied", "written", "failed_attempts", "dead_letters", "failed_runs", "errors"}]
    for each of the last MINUTES minutes, oldest first, the current (partial) minute last; "totals"}."""
    now = now or timezone.now()
    last = now.astimezone(UTC).replace(second=0, microsecond=0)
    first = last - timedelta(minutes=MINUTES - 1)
    slots: dict[datetime, dict[str, int]] = {first + timedelta(minutes=n): dict.fromkeys(SERIES, 0)
                                             for n in range(MINUTES)}

    def fold(rows: Any, **columns: tuple[str, ...]) -> None:
        for row in rows:
            slot = slots.get(row["minute"].astimezone(UTC))
            if slot is not None:
                for series, names in columns.items():
                    slot[series] += sum(int(row[name] or 0) for name in names)

    queue = SyncQueueItem.objects
    fold(_per_minute(queue.filter(status=SyncQueueItem.Status.COMPLETED, completed_at__range=(first, now)),
                     "completed_at", n=Count("id")), applied=("n",))
    writing = Q(dry_run=False) & ~Q(run_type=RunType.QUEUE)
    fold(_per_minute(SyncRun.objects.filter(finished_at__range=(first, now)), "finished_at",
                     # Each column summed on its own: created + updated per row is int4 arithmetic.
                     created=Sum("created", filter=writing), updated=Sum("updated", filter=writing),
                     failed=Count("id", filter=Q(status=RunStatus.FAILED))),
         written=("created", "updated"), failed_runs=("failed",))
    # Items waiting for a retry are few (the claim index leads with status): their last failure's minute.
    fold(_per_minute(queue.filter(status__in=(SyncQueueItem.Status.PENDING, SyncQueueItem.Status.FAILED),
                                  updated_at__range=(first, now)).exclude(last_error=""), "updated_at",
                     n=Count("id")), failed_attempts=("n",))
    fold(_per_minute(DeadLetter.objects.filter(created_at__range=(first, now)), "created_at", n=Count("id")),
         dead_letters=("n",))
    minutes: list[dict[str, Any]] = [{"at": at, **counts, "errors": sum(counts[k] for k in ERRORS)}
                                     for at, counts in sorted(slots.items())]
    totals = {key: sum(m[key] for m in minutes) for key in (*SERIES, "errors")}
    return {"minutes": minutes, "totals": totals, "since": first, "until": now}


def _per_minute(rows: Any, column: str, **aggregates: Any) -> Any:
    return (rows.annotate(minute=TruncMinute(column, tzinfo=UTC)).values("minute").annotate(**aggregates)
            .order_by())
