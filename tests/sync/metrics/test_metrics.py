"""Metric points from the engine, rollups, retention and the Prometheus endpoint."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from sync.ledger import run_open
from sync.metrics import counter_add, gauge_set, observe, points_flush
from sync.metrics.points import points_pending
from sync.metrics.receivers import queue_applied, webhook_received
from sync.metrics.retention import retention_run
from sync.metrics.rollup import metrics_rollup
from sync.models import (
    Alert,
    AuditEntry,
    DeadLetter,
    InboxEvent,
    Metric,
    SyncLog,
    SyncQueueItem,
    SyncRun,
)

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_points_are_buffered_and_written_in_one_insert():
    # A flush interval that began before this test (a slow test ran earlier) would flush on the first point.
    points_flush()
    with CaptureQueriesContext(connection) as queries:
        for _ in range(200):
            counter_add("tds_items_synced_total", 5, labels={"entity": "items", "source": "pull"})
            observe("tds_apply_latency_seconds", 2.0, labels={"entity": "items"})
        gauge_set("tds_queue_depth", 7, labels={"status": "pending"})
        gauge_set("tds_queue_depth", 3, labels={"status": "pending"})
    assert len(queries) == 0  # the hot path touches no database
    assert points_flush() == 3
    rows = {m.name: (m.value, m.samples) for m in Metric.objects.all()}
    assert rows == {"tds_items_synced_total": (1000, 200), "tds_apply_latency_seconds": (400, 200),
                    "tds_queue_depth": (3, 1)}
    assert points_pending() == {}


def test_the_ledger_events_become_points_items_durations_and_errors(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with run_open(run_type="incremental", entity="items", trigger="schedule") as run:
            run.add(type("Counts", (), {"created": 3, "updated": 2, "unchanged": 1, "failed": 1})())
        with pytest.raises(RuntimeError), run_open(run_type="stock", trigger="schedule"):
            raise RuntimeError("boom")
    series = {(m.name, tuple(sorted(m.labels.items()))): (m.value, m.samples) for m in Metric.objects.all()}
    # written: created + updated; seen: every record of the batch, the unchanged and the failed one too
    assert series[("tds_items_synced_total", (("entity", "items"), ("source", "pull")))] == (5, 1)
    assert series[("tds_items_seen_total", (("entity", "items"), ("source", "pull")))] == (7, 1)
    assert series[("tds_sync_errors_total", (("entity", "items"), ("kind", "record")))] == (1, 1)
    assert series[("tds_sync_errors_total", (("entity", "stock"), ("kind", "run")))] == (1, 1)
    assert ("tds_run_duration_seconds", (("run_type", "stock"), ("status", "failed"))) in series


def test_webhooks_and_apply_latency_are_counted(django_capture_on_commit_callbacks):
    webhook_received(entity="items", stored=True)
    webhook_received(entity="items", stored=False)
    modified = timezone.now() - timedelta(seconds=30)
    with django_capture_on_commit_callbacks(execute=True):
        queue_applied([SyncQueueItem(entity="items", zoho_last_modified=modified)])
    points_flush()
    webhooks = {m.labels["outcome"]: m.value for m in Metric.objects.filter(name="tds_webhooks_received_total")}
    assert webhooks == {"stored": 1, "duplicate": 1}
    latency = Metric.objects.get(name="tds_apply_latency_seconds")
    assert 30 <= latency.value < 40 and latency.samples == 1


def _point(name: str, value: float, at: datetime, period: str = "minute", **labels: str) -> None:
    Metric.objects.create(name=name, value=value, labels=labels, recorded_at=at, period=period)


def test_rollups_fold_exactly_the_old_points_and_keep_totals():
    old = NOW - timedelta(hours=50)           # past 48 h: rolled into its hour
    for minute in range(0, 60, 10):
        _point("tds_items_synced_total", 2, old.replace(minute=minute), entity="items")
        _point("tds_queue_depth", minute, old.replace(minute=minute), status="pending")
    _point("tds_items_synced_total", 1, old.replace(minute=5), entity="invoices")
    recent = NOW - timedelta(hours=47)        # inside 48 h: left alone
    _point("tds_items_synced_total", 4, recent, entity="items")
    _point("tds_items_synced_total", 9, NOW - timedelta(days=31), "hour", entity="items")  # old hour: to a day
    outcome = metrics_rollup(now=NOW)
    assert outcome["hour"] == {"source_rows": 13, "rows_written": 3}
    assert outcome["day"] == {"source_rows": 1, "rows_written": 1}
    hour = old.replace(minute=0, second=0, microsecond=0)
    rows = {(m.name, m.period, m.recorded_at, tuple(m.labels.items())): (m.value, m.samples)
            for m in Metric.objects.all()}
    assert rows[("tds_items_synced_total", "hour", hour, (("entity", "items"),))] == (12, 6)
    assert rows[("tds_items_synced_total", "hour", hour, (("entity", "invoices"),))] == (1, 1)
    assert rows[("tds_queue_depth", "hour", hour, (("status", "pending"),))] == (150, 6)  # mean 25
    assert rows[("tds_items_synced_total", "minute", recent, (("entity", "items"),))] == (4, 1)
    day = (NOW - timedelta(days=31)).replace(hour=0, minute=0, second=0, microsecond=0)
    assert rows[("tds_items_synced_total", "day", day, (("entity", "items"),))] == (9, 1)
    assert len(rows) == 5
    assert metrics_rollup(now=NOW) == {"hour": {"source_rows": 0, "rows_written": 0},
                                       "day": {"source_rows": 0, "rows_written": 0}}


def _aged(model: type, field: str, days: float, **fields: object) -> object:
    row = model.objects.create(**fields)
    model.objects.filter(pk=row.pk).update(**{field: timezone.now() - timedelta(days=days)})
    return row


def test_retention_removes_exactly_what_is_past_its_age(settings, capsys):
    settings.TDS_RETENTION_AUDIT_DAYS = 0  # kept
    done = SyncQueueItem.Status.COMPLETED
    _aged(SyncQueueItem, "completed_at", 15, entity="items", status=done)
    keep_recent = _aged(SyncQueueItem, "completed_at", 13, entity="items", status=done)
    keep_pending = _aged(SyncQueueItem, "created_at", 40, entity="items", status="pending")
    _aged(InboxEvent, "processed_at", 15, entity="items", dedupe_key="a", status="processed")
    keep_inbox = _aged(InboxEvent, "processed_at", 15, entity="items", dedupe_key="b", status="received")
    _aged(SyncLog, "created_at", 31, message="old")
    keep_log = _aged(SyncLog, "created_at", 29, message="new")
    _aged(DeadLetter, "resolved_at", 91, entity="items", error_class="permanent", error_message="x", resolved=True)
    keep_dl = _aged(DeadLetter, "created_at", 200, entity="items", error_class="permanent", error_message="y")
    _aged(Alert, "resolved_at", 91, code="a", severity="warning", message="m", status="resolved")
    run = _aged(SyncRun, "finished_at", 400, run_type="full", status="completed")
    AuditEntry.objects.create(entity="items", zoho_id="1", action="create")
    _point("tds_items_synced_total", 1, timezone.now() - timedelta(days=3), entity="items")

    call_command("tds_retention", "--dry-run")
    assert "queue items (completed)              would remove 1" in capsys.readouterr().out
    assert SyncQueueItem.objects.count() == 3

    removed = retention_run()
    assert removed == {"queue items (completed)": 1, "inbox events (processed)": 1, "sync logs": 1,
                       "dead letters (resolved)": 1, "alerts (resolved)": 1, "runs (finished)": "kept",
                       "audit entries": "kept", "metric minute points (rolled up)": 1}
    assert set(SyncQueueItem.objects.values_list("pk", flat=True)) == {keep_recent.pk, keep_pending.pk}
    assert list(InboxEvent.objects.values_list("pk", flat=True)) == [keep_inbox.pk]
    assert list(SyncLog.objects.values_list("pk", flat=True)) == [keep_log.pk]
    assert list(DeadLetter.objects.values_list("pk", flat=True)) == [keep_dl.pk]
    assert not Alert.objects.exists() and SyncRun.objects.filter(pk=run.pk).exists()
    assert AuditEntry.objects.count() == 1
    assert Metric.objects.get().period == "hour"


def test_runs_and_audit_go_when_given_an_age_in_batches(settings, monkeypatch):
    monkeypatch.setattr("sync.metrics.retention.BATCH", 2)
    settings.TDS_RETENTION_RUNS_DAYS, settings.TDS_RETENTION_AUDIT_DAYS = 365, 365
    for _ in range(5):
        _aged(SyncRun, "finished_at", 400, run_type="full", status="completed")
    AuditEntry.objects.create(entity="items", zoho_id="1", action="create")
    with connection.cursor() as cursor:  # the audit trail refuses ORM updates: age it in SQL
        cursor.execute("UPDATE tds_audit_trail SET created_at = %s", [timezone.now() - timedelta(days=400)])
    removed = retention_run()
    assert removed["runs (finished)"] == 5 and removed["audit entries"] == 1
    assert not SyncRun.objects.exists() and not AuditEntry.objects.exists()


def _scrape(client, **headers: str) -> dict:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    families = {f.name: f for f in text_string_to_metric_families(response.content.decode())}
    return families


def test_metrics_endpoint_parses_and_carries_the_named_series(client):
    counter_add("tds_items_synced_total", 42, labels={"entity": "items", "source": "pull"})
    counter_add("tds_zoho_api_calls_total", 3, labels={"endpoint": "GET /inventory/v1/items", "status": "200"})
    observe("tds_run_duration_seconds", 1.5, labels={"run_type": "full", "status": "completed"})
    points_flush()
    _point("tds_items_synced_total", 8, NOW - timedelta(days=40), "day", entity="items", source="pull")
    SyncQueueItem.objects.create(entity="items", status="pending")
    families = _scrape(client)
    for name in ("tds_items_synced", "tds_zoho_api_calls", "tds_run_duration_seconds", "tds_webhooks_received",
                 "tds_apply_latency_seconds", "tds_queue_items", "tds_dead_letters_open", "tds_alerts_open",
                 "tds_freshness_lag_seconds", "tds_zoho_quota_remaining", "tds_zoho_quota_limit",
                 "tds_zoho_budget_calls_today", "tds_events"):
        assert name in families, name
    synced = {s.name: s.value for s in families["tds_items_synced"].samples}
    assert synced["tds_items_synced_total"] == 50  # minute points and rollups add up to one total
    queue = {s.labels["status"]: s.value for s in families["tds_queue_items"].samples}
    assert queue["pending"] == 1 and queue["completed"] == 0
    durations = {s.name: s.value for s in families["tds_run_duration_seconds"].samples}
    assert durations == {"tds_run_duration_seconds_count": 1, "tds_run_duration_seconds_sum": 1.5}


def test_metrics_endpoint_asks_for_the_bearer_token_when_one_is_set(client, settings):
    settings.TDS_METRICS_TOKEN = "s3cret"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert "tds_queue_items" in _scrape(client, HTTP_AUTHORIZATION="Bearer s3cret")


def test_charts_read_minute_points_and_rollups_as_one_series():
    from sync.metrics.series import metric_series

    _point("tds_items_synced_total", 5, NOW - timedelta(days=3), "hour", entity="items")
    _point("tds_items_synced_total", 7, NOW - timedelta(days=3, minutes=-10), "minute", entity="items")
    _point("tds_items_synced_total", 1, NOW - timedelta(days=3), "minute", entity="invoices")
    _point("tds_queue_depth", 4, NOW - timedelta(hours=1, minutes=30), status="pending")
    _point("tds_queue_depth", 8, NOW - timedelta(hours=1, minutes=20), status="pending")
    series = metric_series(name="tds_items_synced_total", since=NOW - timedelta(days=7), bucket="day",
                           labels={"entity": "items"}, until=NOW)
    assert series == [{"at": "2026-11-27T00:00:00+00:00", "value": 12.0, "samples": 2, "mean": 6.0}]
    depth = metric_series(name="tds_queue_depth", since=NOW - timedelta(hours=3), until=NOW)
    assert depth == [{"at": "2026-11-30T10:00:00+00:00", "value": 12.0, "samples": 2, "mean": 6.0}]
