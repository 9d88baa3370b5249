"""GET /metrics: the Prometheus text exposition format, read from the database at scrape time.

Every gunicorn worker answers the same numbers because none of them comes from process memory:
counters are the sums of their tds_metrics rows (minute points and rollups add up to the same
total), levels are counted in the tables when scraped. Protected by TDS_METRICS_TOKEN (a bearer
token) when that setting is not empty.
"""
from __future__ import annotations

import hmac
import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, SummaryMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

# tds_metrics name -> (kind, help); a counter's name without "_total" is its family name.
SERIES = {
    "tds_items_synced_total": ("counter",
                               "Records written to the mirror (created or updated), by entity and source"),
    "tds_items_seen_total": ("counter",
                             "Records read, written or not (unchanged, older, refused), by entity and source"),
    "tds_sync_errors_total": ("counter", "Failed records and failed runs, by entity"),
    "tds_webhooks_received_total": ("counter", "Webhooks at the inbox, by entity and outcome"),
    "tds_zoho_api_calls_total": ("counter", "Zoho API calls, by endpoint and HTTP status"),
    "tds_dead_letters_added_total": ("counter", "Queue items parked as dead letters, by entity"),
    "tds_events_total": ("counter", "Events published, by event name"),
    "tds_run_duration_seconds": ("summary", "Run durations, by run type and status"),
    "tds_apply_latency_seconds": ("summary", "Zoho last_modified_time to the committed row, by entity"),
}


class DatabaseCollector:
    """A prometheus_client collector whose every value is read from the database."""

    def collect(self) -> Iterator[Any]:
        yield from _stored_series()
        yield from _levels()

    def describe(self) -> list[Any]:
        return []  # collected at scrape time only: registering must not touch the database


def _stored_series() -> Iterator[Any]:
    from sync.models import Metric

    rows = (Metric.objects.filter(name__in=list(SERIES)).values("name", "labels")
            .annotate(total=Sum("value"), samples=Sum("samples")).order_by("name"))
    merged: dict[tuple[str, str], list[float]] = {}
    for row in rows:  # JSON labels may group apart by key order on some backends: merge in Python
        key = (row["name"], json.dumps(row["labels"] or {}, sort_keys=True))
        slot = merged.setdefault(key, [0.0, 0.0])
        slot[0] += row["total"] or 0.0
        slot[1] += row["samples"] or 0
    by_name: dict[str, list[tuple[dict[str, str], float, float]]] = {name: [] for name in SERIES}
    for (name, labels_json), (total, samples) in merged.items():
        by_name[name].append((json.loads(labels_json), total, samples))
    for name, (kind, help_text) in SERIES.items():
        keys = sorted({k for labels, _, _ in by_name[name] for k in labels})
        family: CounterMetricFamily | SummaryMetricFamily
        if kind == "counter":
            family = CounterMetricFamily(name.removesuffix("_total"), help_text, labels=keys)
            for labels, total, _ in by_name[name]:
                family.add_metric([labels.get(k, "") for k in keys], total)
        else:
            family = SummaryMetricFamily(name, help_text, labels=keys)
            for labels, total, samples in by_name[name]:
                family.add_metric([labels.get(k, "") for k in keys], count_value=int(samples), sum_value=total)
        yield family


def _levels() -> Iterator[Any]:
    from sync.budget.today import budget_today
    from sync.metrics.sample import freshness_lag
    from sync.models import Alert, DeadLetter, SyncQueueItem

    queue = GaugeMetricFamily("tds_queue_items", "Queue items by status", labels=["status"])
    counts = dict(SyncQueueItem.objects.values_list("status").annotate(n=Count("id")))
    for status, _ in SyncQueueItem.Status.choices:
        queue.add_metric([status], counts.get(status, 0))
    yield queue
    yield GaugeMetricFamily("tds_dead_letters_open", "Dead letters not resolved",
                            value=DeadLetter.objects.filter(resolved=False).count())
    alerts = GaugeMetricFamily("tds_alerts_open", "Open or acknowledged alerts by severity", labels=["severity"])
    live = dict(Alert.objects.exclude(status=Alert.Status.RESOLVED).values_list("severity").annotate(n=Count("id")))
    for severity, _ in Alert.Severity.choices:
        alerts.add_metric([severity], live.get(severity, 0))
    yield alerts
    lag = GaugeMetricFamily("tds_freshness_lag_seconds", "Seconds since each entity was last pulled",
                            labels=["entity"])
    for entity, seconds in sorted(freshness_lag().items()):
        lag.add_metric([entity], seconds)
    yield lag
    budget = budget_today()
    yield GaugeMetricFamily("tds_zoho_quota_limit", "Zoho daily API quota", value=budget["quota"])
    yield GaugeMetricFamily("tds_zoho_quota_remaining", "Zoho daily API calls left", value=budget["left"])
    used = GaugeMetricFamily("tds_zoho_budget_calls_today", "Zoho calls on this quota day by trigger",
                             labels=["trigger"])
    for trigger, calls in budget["by_trigger"].items():
        used.add_metric([trigger], calls)
    yield used
    yield GaugeMetricFamily("tds_zoho_budget_planned_calls_per_day", "Zoho calls a day the configured schedules plan",
                            value=budget["schedules"]["calls_per_day"])


def metrics_text() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector())
    return generate_latest(registry)


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    token = settings.TDS_METRICS_TOKEN
    if token:
        sent = request.headers.get("Authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            response = HttpResponse("bearer token required\n", status=401, content_type="text/plain")
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)
