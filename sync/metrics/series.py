"""Reading a metric over time for charts: minute points and rollups folded into equal buckets."""
from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Sum
from django.db.models.functions import TruncDay, TruncHour
from django.utils import timezone

BUCKETS = {"hour": timedelta(hours=1), "day": timedelta(days=1)}


def metric_series(*, name: str, since: datetime, bucket: str = "hour", labels: dict[str, str] | None = None,
                  until: datetime | None = None) -> list[dict[str, Any]]:
    """[{"at", "value" (sum), "samples", "mean"}] per bucket from `since`, oldest first.

    Rows of every period are read, so a chart spanning the last 48 hours (minute points) and the
    month before (hourly and daily rollups) is one call. `labels` keeps the rows carrying them.
    """
    from sync.models import Metric

    step, until = BUCKETS[bucket], until or timezone.now()
    sums: dict[datetime, list[float]] = defaultdict(lambda: [0.0, 0])
    window = Metric.objects.filter(name=name, recorded_at__gte=since, recorded_at__lt=until)
    if not labels:  # the whole series: the database folds the buckets, so a week of minute points stays cheap
        trunc = {"hour": TruncHour, "day": TruncDay}[bucket]
        buckets = (window.annotate(at=trunc("recorded_at", tzinfo=UTC)).values("at")
                   .annotate(total=Sum("value"), n=Sum("samples")).order_by("at").values_list("at", "total", "n"))
        return [{"at": moment.isoformat(), "value": round(total, 3), "samples": int(n),
                 "mean": round(total / n, 3) if n else None} for moment, total, n in buckets]
    rows = window.values_list("labels", "value", "samples", "recorded_at")
    for row_labels, value, samples, at in rows.iterator(chunk_size=5000):
        if labels and any((row_labels or {}).get(k) != v for k, v in labels.items()):
            continue
        slot = sums[_floor(at, step)]
        slot[0] += value
        slot[1] += samples
    return [{"at": at.isoformat(), "value": round(value, 3), "samples": int(samples),
             "mean": round(value / samples, 3) if samples else None}
            for at, (value, samples) in sorted(sums.items())]


def _floor(moment: datetime, step: timedelta) -> datetime:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + ((moment - epoch) // step) * step
