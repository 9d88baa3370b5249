"""The metrics page's charts: each metric's points over a range, shaped as the chart library plots them."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from sync.metrics.series import metric_series

# chart title -> (metric name, value to plot: "value" is the bucket's sum, "mean" its average)
CHARTS = {
    "Items synced (written)": ("tds_items_synced_total", "value"),
    "Items seen (read, written or not)": ("tds_items_seen_total", "value"),
    "Sync errors": ("tds_sync_errors_total", "value"),
    "Run duration (s, mean)": ("tds_run_duration_seconds", "mean"),
    "Webhooks received": ("tds_webhooks_received_total", "value"),
    "Apply latency (s, mean)": ("tds_apply_latency_seconds", "mean"),
    "Zoho API calls": ("tds_zoho_api_calls_total", "value"),
}
RANGES = {"24h": (timedelta(hours=24), "hour"), "7d": (timedelta(days=7), "hour"), "30d": (timedelta(days=30), "day")}
DEFAULT_RANGE = "24h"


def charts_for(*, span: str) -> list[dict[str, Any]]:
    """One chart per metric over ``span`` (a key of RANGES): its points and the x/series arrays to plot."""
    since_delta, bucket = RANGES[span]
    since = timezone.now() - since_delta
    charts = []
    for title, (name, field) in CHARTS.items():
        points = metric_series(name=name, since=since, bucket=bucket)
        charts.append({"title": title, "name": name, "points": points, "data": {
            "x": [int(datetime.fromisoformat(p["at"]).timestamp()) for p in points],
            "series": {title: [p[field] for p in points]}}})
    return charts
