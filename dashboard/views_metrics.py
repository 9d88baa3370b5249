"""Metrics charts and the API budget; image coverage."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from dashboard.common import page, pairs_all, staff_only
from sync.budget.today import budget_today
from sync.images.plan import image_coverage
from sync.metrics.series import metric_series
from sync.selectors.pages import image_failures, image_sample

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


def charts_for(*, span: str) -> list[dict]:
    since_delta, bucket = RANGES[span]
    since = timezone.now() - since_delta
    charts = []
    for title, (name, field) in CHARTS.items():
        points = metric_series(name=name, since=since, bucket=bucket)
        charts.append({"title": title, "name": name, "points": points, "data": {
            "x": [int(datetime.fromisoformat(p["at"]).timestamp()) for p in points],
            "series": {title: [p[field] for p in points]}}})
    return charts


@staff_only
def metrics(request: HttpRequest) -> HttpResponse:
    span = request.GET.get("range", "24h")
    span = span if span in RANGES else "24h"
    return page(request, "dashboard/metrics.html", {"charts": charts_for(span=span), "span": span,
                                                     "ranges": list(RANGES),
                                                     "budget": pairs_all(budget_today(), ("by_entity", "by_trigger"))})


@staff_only
def images(request: HttpRequest) -> HttpResponse:
    return page(request, "dashboard/images.html", {"coverage": image_coverage(), "failures": image_failures(),
                                                    "sample": image_sample()})
