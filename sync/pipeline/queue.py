"""The priority sync queue: enqueue, claim with a lease, complete, reap expired leases.

Claiming is one UPDATE … WHERE id IN (SELECT … ORDER BY priority, next_attempt_at,
id LIMIT n FOR UPDATE SKIP LOCKED) RETURNING id on PostgreSQL, so any number of
workers on any number of machines take disjoint batches without waiting on each
other. SQLite has no row locks; there the same statement is a conditional UPDATE
that the database runs alone, which is just as exclusive. The lease
(``locked_by``/``locked_until``) lets the reaper hand a dead worker's items back.
"""
from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from sync.heartbeats import identities_gone
from sync.models import SyncQueueItem
from sync.pipeline.kick import ATTEMPTS_CEILING
from sync.pipeline.quarantine import queue_mend, queue_quarantine, rows_load

logger = logging.getLogger("tds.queue")

def worker_identity() -> str:
    """host:pid:uuid — unique per worker even when pids repeat across machines."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def in_locked_subquery(select: str) -> str:
    """`IN (select)` that locks the rows it picks, evaluated exactly once.

    On PostgreSQL a plain `IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)` may be
    re-run per outer row and hand out more than n rows; `= ANY(ARRAY(…))` is an
    InitPlan, run once. SQLite runs a non-correlated IN once and has no row locks.
    """
    if connection.vendor == "postgresql":
        return f"= ANY(ARRAY({select} FOR UPDATE SKIP LOCKED))"
    return f"IN ({select})"


# --- claim ------------------------------------------------------------------------------


def queue_claim(*, worker: str, limit: int, lease_seconds: int | None = None) -> list[SyncQueueItem]:
    """Lease up to `limit` due pending items to `worker` (status processing, attempts + 1) and load them.

    A leased row that cannot be loaded is dead-lettered on the spot (sync.pipeline.quarantine).
    """
    items, unreadable = queue_load(worker=worker, ids=queue_lease(worker=worker, limit=limit,
                                                                  lease_seconds=lease_seconds))
    queue_quarantine(unreadable)
    return items


def queue_lease(*, worker: str, limit: int, lease_seconds: int | None = None) -> list[int]:
    """One statement: the ids of up to `limit` due pending items, now leased to `worker`."""
    lease = lease_seconds or settings.TDS_LEASE_SECONDS
    now = timezone.now()
    ops = connection.ops
    sql = (
        "UPDATE tds_sync_queue SET status = 'processing', locked_by = %s, locked_until = %s, "
        f"attempts = CASE WHEN attempts < {ATTEMPTS_CEILING} THEN attempts + 1 ELSE attempts END, "
        "updated_at = %s WHERE id " + in_locked_subquery(
            "SELECT id FROM tds_sync_queue WHERE status = 'pending' "
            "AND (next_attempt_at <= %s OR next_attempt_at IS NULL) "
            "ORDER BY priority, next_attempt_at, id LIMIT %s")
        + " AND status = 'pending' RETURNING id"
    )
    params = [worker, ops.adapt_datetimefield_value(now + timedelta(seconds=lease)),
              ops.adapt_datetimefield_value(now), ops.adapt_datetimefield_value(now), limit]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def queue_load(*, worker: str, ids: list[int]) -> tuple[list[SyncQueueItem], dict[int, str]]:
    """The leased items in claim order, mended (sync.pipeline.quarantine), and the ids of those that
    cannot be applied (not loaded at all, or an unreadable payload) with the reason."""
    if not ids:
        return [], {}
    rows = SyncQueueItem.objects.filter(locked_by=worker).annotate(source=F("inbox_event__source"))
    items, failed = rows_load(rows, ids)
    items, unreadable = queue_mend(items)
    return sorted(items, key=lambda item: (item.priority, item.id)), {**failed, **unreadable}


# --- outcomes ---------------------------------------------------------------------------


def queue_complete(*, worker: str, ids: list[int]) -> int:
    """Mark leased items completed; counts only those still leased to `worker`."""
    if not ids:
        return 0
    return SyncQueueItem.objects.filter(
        id__in=ids, locked_by=worker, status=SyncQueueItem.Status.PROCESSING
    ).update(status=SyncQueueItem.Status.COMPLETED, completed_at=timezone.now(), locked_by="", locked_until=None,
             last_error="", updated_at=timezone.now())


def queue_release(*, worker: str) -> int:
    """Give back to pending every item still leased to ``worker``: a drain that failed (the database
    went away mid-batch) before settling them, while its process lives on and keeps beating."""
    now = timezone.now()
    return SyncQueueItem.objects.filter(status=SyncQueueItem.Status.PROCESSING, locked_by=worker).update(
        status=SyncQueueItem.Status.PENDING, locked_by="", locked_until=None, next_attempt_at=now,
        last_error=LEASE_EXPIRED, updated_at=now)


LEASE_EXPIRED = "lease expired"
WORKER_GONE = "lease returned: its worker stopped"


def queue_reap(*, now=None) -> int:
    """Return to pending the items whose lease ran out (their worker hung or died) and those whose
    worker is known to have stopped (``queue_reap_gone``)."""
    now = now or timezone.now()
    expired = SyncQueueItem.objects.filter(
        status=SyncQueueItem.Status.PROCESSING, locked_until__lt=now
    ).update(status=SyncQueueItem.Status.PENDING, locked_by="", locked_until=None, next_attempt_at=now,
             last_error=LEASE_EXPIRED, updated_at=now)
    return expired + queue_reap_gone(now=now)


def queue_reap_gone(*, now=None) -> int:
    """Return to pending the items leased to a worker whose process stopped beating (sync.heartbeats):
    a killed machine's batch comes back within a few heartbeats, not after the whole lease. Matching
    ``locked_by`` as well keeps an item a live worker leased meanwhile where it is."""
    now = now or timezone.now()
    processing = SyncQueueItem.objects.filter(status=SyncQueueItem.Status.PROCESSING)
    holders = set(processing.exclude(locked_by="").values_list("locked_by", flat=True).distinct())
    gone = identities_gone(holders, now=now)
    if not gone:
        return 0
    returned = processing.filter(locked_by__in=sorted(gone)).update(
        status=SyncQueueItem.Status.PENDING, locked_by="", locked_until=None, next_attempt_at=now,
        last_error=WORKER_GONE, updated_at=now)
    if returned:
        logger.warning("%d queue items returned: their worker stopped (%s)", returned, ", ".join(sorted(gone)))
    return returned


# --- health -----------------------------------------------------------------------------------


def queue_health(*, now=None) -> dict[str, object]:
    """Counts by status and priority, oldest pending age, throughput, items stuck past their lease."""
    from django.db.models import Count, Min

    from sync.models import DeadLetter, InboxEvent

    now = now or timezone.now()
    items = SyncQueueItem.objects
    pending = items.filter(status=SyncQueueItem.Status.PENDING)
    oldest = pending.aggregate(oldest=Min("created_at"))["oldest"]
    stuck = items.filter(status=SyncQueueItem.Status.PROCESSING, locked_until__lt=now).order_by("locked_until")
    done = items.filter(status=SyncQueueItem.Status.COMPLETED)
    last_5 = done.filter(completed_at__gte=now - timedelta(minutes=5)).count()
    last_60 = done.filter(completed_at__gte=now - timedelta(minutes=60)).count()
    by_priority = pending.values("priority").annotate(n=Count("id")).order_by("priority")
    letters = DeadLetter.objects.filter(resolved=False).values("error_class").annotate(n=Count("id")).order_by()
    return {
        "by_status": _counts_by_status(),
        "pending_by_priority": {str(row["priority"]): row["n"] for row in by_priority},
        "pending_due": pending.filter(next_attempt_at__lte=now).count(),
        "oldest_pending_age_seconds": round((now - oldest).total_seconds(), 1) if oldest else None,
        "throughput": {"last_5_min": last_5, "last_60_min": last_60, "per_minute_5": round(last_5 / 5, 1),
                       "per_minute_60": round(last_60 / 60, 1)},
        "stuck": {"count": stuck.count(), "items": [_stuck_row(item, now) for item in stuck[:20]]},
        "inbox_waiting": InboxEvent.objects.filter(status=InboxEvent.Status.RECEIVED).count(),
        "dead_letters_open": {row["error_class"]: row["n"] for row in letters},
        "generated_at": now.isoformat(),
    }


STATUS_COUNT_CAP = 10_000


def _counts_by_status() -> dict[str, int]:
    """Items per status, each counted through the status index up to a cap, so a year of completed items
    is not read on every look; past the cap, the planner's estimate of the table less the other statuses."""
    from sync.selectors.pipeline import table_estimate

    counts = {}
    for status in SyncQueueItem.Status.values:
        n = SyncQueueItem.objects.filter(status=status).order_by().values("id")[:STATUS_COUNT_CAP + 1].count()
        if n:
            counts[status] = n
    for status, n in counts.items():
        if n > STATUS_COUNT_CAP:
            others = sum(v for k, v in counts.items() if k != status)
            counts[status] = max(n, (table_estimate("tds_sync_queue") or 0) - others)
    return counts


def _stuck_row(item: SyncQueueItem, now) -> dict[str, object]:
    return {"id": item.id, "entity": item.entity, "zoho_id": item.zoho_id, "locked_by": item.locked_by,
            "locked_until": item.locked_until.isoformat() if item.locked_until else None,
            "overdue_seconds": round((now - item.locked_until).total_seconds(), 1), "attempts": item.attempts}


def queue_purge_completed(*, older_than_days: float = 7) -> int:
    """Completed items are history; keep a week of them for throughput and audit links."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = SyncQueueItem.objects.filter(status=SyncQueueItem.Status.COMPLETED, completed_at__lt=cutoff).delete()
    return deleted
