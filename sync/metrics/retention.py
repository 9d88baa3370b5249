"""Retention: tables that grow for ever are pruned in batches, each its own short transaction.

Ages are tunables in days (0 keeps for ever): completed queue items and finished inbox events,
sync log lines, resolved dead letters and alerts; runs and the audit trail are kept unless an age
is set. Metric minute points leave through the rollups (sync.metrics.rollup).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from sync.config import config_get
from sync.metrics.rollup import metrics_rollup

BATCH = 1000


@dataclass(frozen=True)
class Target:
    name: str
    tunable: str
    rows: Callable[[datetime], QuerySet]
    raw: bool = False   # delete without Django's collector (the audit trail refuses ORM deletes)


def _targets() -> list[Target]:
    from sync.models import Alert, AuditEntry, DeadLetter, InboxEvent, SyncLog, SyncQueueItem, SyncRun

    return [
        Target("queue items (completed)", "TDS_RETENTION_QUEUE_DAYS", lambda cut: SyncQueueItem.objects.filter(
            status=SyncQueueItem.Status.COMPLETED, completed_at__lt=cut)),
        Target("inbox events (processed)", "TDS_RETENTION_INBOX_DAYS", lambda cut: InboxEvent.objects.filter(
            status__in=(InboxEvent.Status.PROCESSED, InboxEvent.Status.REJECTED), processed_at__lt=cut)),
        Target("sync logs", "TDS_RETENTION_LOGS_DAYS", lambda cut: SyncLog.objects.filter(created_at__lt=cut)),
        Target("dead letters (resolved)", "TDS_RETENTION_DEAD_LETTERS_DAYS", lambda cut: DeadLetter.objects.filter(
            resolved=True, resolved_at__lt=cut)),
        Target("alerts (resolved)", "TDS_RETENTION_ALERTS_DAYS", lambda cut: Alert.objects.filter(
            status=Alert.Status.RESOLVED, resolved_at__lt=cut)),
        Target("runs (finished)", "TDS_RETENTION_RUNS_DAYS", lambda cut: SyncRun.objects.filter(
            finished_at__lt=cut).exclude(status=SyncRun.Status.RUNNING)),
        Target("audit entries", "TDS_RETENTION_AUDIT_DAYS", lambda cut: AuditEntry.objects.filter(
            created_at__lt=cut), raw=True),
    ]


def retention_run(*, dry_run: bool = False, now: datetime | None = None) -> dict[str, Any]:
    """Prune every table past its age; returns {table: rows removed (or that would be)} and the rollups."""
    now = now or timezone.now()
    removed: dict[str, Any] = {}
    for target in _targets():
        days = config_get(target.tunable)
        if not days:
            removed[target.name] = "kept"
            continue
        rows = target.rows(now - timedelta(days=days))
        removed[target.name] = rows.count() if dry_run else _delete_in_batches(rows, raw=target.raw)
    if dry_run:
        from sync.models import Metric

        cut = now - timedelta(hours=config_get("TDS_METRICS_HOURLY_AFTER_HOURS"))
        minute_points = Metric.objects.filter(period="minute", recorded_at__lt=cut)
        removed["metric minute points (rolled up)"] = minute_points.count()
    else:
        removed["metric minute points (rolled up)"] = metrics_rollup(now=now)["hour"]["source_rows"]
    return removed


def _delete_in_batches(rows: QuerySet, *, raw: bool) -> int:
    """Delete by primary key, BATCH at a time: no statement holds its locks for long."""
    model, total = rows.model, 0
    while True:
        ids = list(rows.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return total
        batch = model.objects.filter(pk__in=ids)
        if raw:
            total += batch._raw_delete(batch.db)
        else:
            batch.delete()
            total += len(ids)
