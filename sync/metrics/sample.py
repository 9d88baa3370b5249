"""Levels read from the tables once a minute (with the alert evaluation): queue depth, freshness lag."""
from __future__ import annotations

from datetime import datetime

from django.db.models import Count
from django.utils import timezone

from sync.metrics.points import gauge_set


def metrics_sample(*, now: datetime | None = None) -> dict[str, dict[str, float]]:
    """Gauge points for the queue by status, open dead letters and each entity's freshness lag."""
    from sync.models import DeadLetter, SyncQueueItem

    now = now or timezone.now()
    depth = {status: 0.0 for status, _ in SyncQueueItem.Status.choices}
    for row in SyncQueueItem.objects.values("status").annotate(n=Count("id")):
        depth[row["status"]] = float(row["n"])
    for status, count in depth.items():
        gauge_set("tds_queue_depth", count, labels={"status": status})
    gauge_set("tds_dead_letters_open", DeadLetter.objects.filter(resolved=False).count())
    lag = freshness_lag(now=now)
    for entity, seconds in lag.items():
        gauge_set("tds_freshness_lag_seconds", seconds, labels={"entity": entity})
    return {"queue_depth": depth, "freshness_lag_seconds": lag}


def freshness_lag(*, now: datetime | None = None) -> dict[str, float]:
    """Seconds since each entity's mirror was last brought up to date by a pull."""
    from sync.models import SyncCursor

    now = now or timezone.now()
    lag = {}
    for entity, full, incremental in SyncCursor.objects.values_list("entity", "last_full_run_at",
                                                                    "last_incremental_run_at"):
        latest = max((t for t in (full, incremental) if t), default=None)
        if latest:
            lag[entity] = round((now - latest).total_seconds(), 1)
    return lag
