"""Rollups: minute points older than TDS_METRICS_HOURLY_AFTER_HOURS become one point per hour, hourly
points older than TDS_METRICS_DAILY_AFTER_DAYS one per day. Charts read the rolled-up rows.

Sums and sample counts add up, so a counter's total and a gauge's mean (value / samples) survive a
rollup unchanged. Work goes one source day at a time, each in its own transaction: the new rows
and the deletion of their sources commit together, so a crash never counts a point twice.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from sync.config import config_get

DELETE_BATCH = 2000


@dataclass
class RollupResult:
    source_rows: int = 0
    rows_written: int = 0

    def add(self, other: RollupResult) -> None:
        self.source_rows += other.source_rows
        self.rows_written += other.rows_written


def metrics_rollup(*, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Both rollups; returns {"hour": {...}, "day": {...}} with the rows read and written."""
    now = now or timezone.now()
    hourly = rollup_period(source="minute", target="hour",
                           before=now - timedelta(hours=config_get("TDS_METRICS_HOURLY_AFTER_HOURS")))
    daily = rollup_period(source="hour", target="day",
                          before=now - timedelta(days=config_get("TDS_METRICS_DAILY_AFTER_DAYS")))
    return {"hour": vars(hourly), "day": vars(daily)}


def rollup_period(*, source: str, target: str, before: datetime) -> RollupResult:
    """Fold `source` rows recorded before `before` into `target` buckets (whole buckets only)."""
    from sync.models import Metric

    before = _bucket(before, target)  # a bucket still filling is left for the next run
    total = RollupResult()
    while True:
        first = (Metric.objects.filter(period=source, recorded_at__lt=before).order_by("recorded_at")
                 .values_list("recorded_at", flat=True).first())
        if first is None:
            return total
        start = _bucket(first, "day")
        total.add(_fold(source, target, start, min(start + timedelta(days=1), before)))


def _fold(source: str, target: str, start: datetime, end: datetime) -> RollupResult:
    from sync.models import Metric

    sums: dict[tuple[str, str, datetime], list[float]] = defaultdict(lambda: [0.0, 0])
    ids = []
    with transaction.atomic():
        rows = (Metric.objects.filter(period=source, recorded_at__gte=start, recorded_at__lt=end)
                .values_list("id", "name", "labels", "value", "samples", "recorded_at"))
        for pk, name, labels, value, samples, at in rows.iterator(chunk_size=5000):
            slot = sums[(name, json.dumps(labels or {}, sort_keys=True), _bucket(at, target))]
            slot[0] += value
            slot[1] += samples
            ids.append(pk)
        for key, (total, count) in sums.items():
            _merge(target, key, total, int(count))
        for i in range(0, len(ids), DELETE_BATCH):
            Metric.objects.filter(id__in=ids[i:i + DELETE_BATCH]).delete()
    return RollupResult(source_rows=len(ids), rows_written=len(sums))


def _merge(period: str, key: tuple[str, str, datetime], value: float, samples: int) -> None:
    """Add to the bucket's row (a rerun or a late point lands in the same row), or write it."""
    from django.db.models import F

    from sync.models import Metric

    name, labels_json, at = key
    labels = json.loads(labels_json)
    existing = [m for m in Metric.objects.filter(name=name, period=period, recorded_at=at) if m.labels == labels]
    if existing:
        Metric.objects.filter(pk=existing[0].pk).update(value=F("value") + value, samples=F("samples") + samples)
    else:
        Metric.objects.create(name=name, labels=labels, period=period, recorded_at=at, value=value, samples=samples)


def _bucket(moment: datetime, period: str) -> datetime:
    moment = moment.astimezone(UTC)
    if period == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)
