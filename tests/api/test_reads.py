"""Read endpoints: the earlier system's shapes field for field, filters, pagination, validation."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from sync.models import Alert, DeadLetter, InboxEvent, SyncCursor, SyncLog, SyncQueueItem, SyncRun
from tests.api.conftest import assert_shape

pytestmark = pytest.mark.django_db
OPT_STR = (str, type(None))
NUM = (int, float)


@pytest.fixture
def history():
    now = timezone.now()
    SyncCursor.objects.create(entity="items", last_incremental_run_at=now - timedelta(minutes=5))
    SyncCursor.objects.create(entity="customers", last_full_run_at=now - timedelta(minutes=9))
    done = SyncRun.objects.create(run_type="incremental", entity="items", trigger="schedule", status="completed",
                                  processed=45, created=10, updated=30, unchanged=5, api_calls=3, progress=100.0,
                                  started_at=now, finished_at=now, duration_seconds=4.5)
    SyncLog.objects.create(run=done, message="completed: created=10", entity="items")
    SyncRun.objects.create(run_type="full", entity="customers", status="failed", error_message="ZohoError: boom")
    SyncRun.objects.create(run_type="stock", entity="stock", status="running", progress=40.0, started_at=now)
    SyncRun.objects.create(run_type="compare", status="completed", summary={
        "health": {"score": 97.5, "band": "EXCELLENT", "components": {}}, "overall_match_pct": 99.1,
        "comparisons": [{"entity": "items", "match_pct": 99.2}, {"entity": "stock", "match_pct": 99.6}]})
    for status, n in (("pending", 3), ("processing", 1), ("failed", 2), ("completed", 5)):
        SyncQueueItem.objects.bulk_create([SyncQueueItem(entity="items", zoho_id=f"{status}{i}", status=status)
                                           for i in range(n)])
    DeadLetter.objects.create(entity="items", zoho_id="D1", error_class="permanent", error_message="bad")
    InboxEvent.objects.create(entity="items", zoho_id="E1", dedupe_key="k1", status="processed",
                              processed_at=now)
    Alert.objects.create(severity="warning", code="queue_backlog", message="pending over 50")
    return done


def test_health_anonymous_is_one_word_for_load_balancers():
    reply = APIClient().get("/api/tds/health")
    assert reply.status_code == 200 and reply.json() == {"status": "healthy"}


def test_health_authenticated_has_the_earlier_body_and_checks(staff_api, history):
    body = staff_api.get("/api/tds/health").json()
    assert_shape(body, {"status": str, "workers_active": int, "queue_size": int,
                        "queue": {"pending": int, "processing": int, "failed": int},
                        "last_sync": str, "last_sync_by_entity": dict,
                        "stats": {"total_synced_24h": int, "total_seen_24h": int, "success_rate": NUM},
                        "checks": dict})
    assert body["queue"] == {"pending": 3, "processing": 1, "failed": 2} and body["queue_size"] == 4
    assert set(body["last_sync_by_entity"]) == {"items", "customers"}
    # 2 of the 3 finished runs completed
    # synced is what was written; the 5 unchanged records were seen only
    assert (body["stats"]["total_synced_24h"], body["stats"]["total_seen_24h"]) == (40, 45)
    assert body["stats"]["success_rate"] == 66.7
    assert set(body["checks"]) == {"database", "cluster", "zoho_token", "zoho_circuit", "zoho_quota", "queue",
                                   "dead_letters", "queued_runs"}
    assert all(set(c) >= {"status", "reason"} and c["reason"] for c in body["checks"].values())
    # No cluster runs in this test, so TDS says so.
    assert body["status"] == "degraded" and body["checks"]["cluster"]["status"] == "degraded"


def test_health_is_503_when_the_database_is_down(monkeypatch):
    from sync.selectors import health

    monkeypatch.setattr(health, "database_ok", lambda: False)
    reply = APIClient().get("/api/tds/health")
    assert reply.status_code == 503 and reply.json() == {"status": "unhealthy"}


def test_status_has_runs_queue_letters_cursors_compare_and_zoho(staff_api, history):
    body = staff_api.get("/api/tds/status").json()
    assert [r["run_type"] for r in body["active_runs"]] == ["stock"]
    assert body["active_runs"][0]["progress"] == 40.0
    assert body["queue"]["pending"] == 3 and body["queue"]["pending_by_priority"] == {"5": 3}
    assert body["dead_letters_open"] == {"transient": 0, "permanent": 1, "total": 1}
    assert [c["entity"] for c in body["cursors"]] == ["customers", "items"]
    assert body["last_compare"]["health_score"] == 97.5 and body["last_compare"]["band"] == "EXCELLENT"
    assert body["last_compare"]["entities"] == {"items": 99.2, "stock": 99.6}
    assert set(body["zoho"]) >= {"circuit", "quota_block", "api_calls_today"}
    assert body["zoho"]["api_calls_today"] == 3


def test_sync_runs_filter_newest_first_and_detail_with_logs(staff_api, history):
    page = staff_api.get("/api/tds/sync-runs").json()
    assert set(page) == {"next", "previous", "results"} and len(page["results"]) == 4
    created = [r["created_at"] for r in page["results"]]
    assert created == sorted(created, reverse=True)
    items = staff_api.get("/api/tds/sync-runs?entity_type=products").json()["results"]  # alias of items
    assert [r["id"] for r in items] == [str(history.pk)]
    assert staff_api.get("/api/tds/sync-runs?status=failed&run_type=full").json()["results"][0]["entity"] == "customers"
    assert staff_api.get("/api/tds/sync-runs?trigger=schedule").json()["results"][0]["id"] == str(history.pk)
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    assert staff_api.get("/api/tds/sync-runs", {"created_after": future}).json()["results"] == []
    two = staff_api.get("/api/tds/sync-runs?page_size=2").json()
    assert len(two["results"]) == 2 and two["next"]
    rest = staff_api.get(two["next"]).json()
    assert len(rest["results"]) == 2
    detail = staff_api.get(f"/api/tds/sync-runs/{history.pk}").json()
    assert_shape(detail, {"id": str, "status": str, "processed": int, "api_calls": int, "duration_seconds": NUM,
                          "started_at": str, "finished_at": str, "errors": list, "logs": list})
    assert detail["logs"][0]["message"].startswith("completed")
    missing = staff_api.get("/api/tds/sync-runs/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


@pytest.mark.parametrize("query,parameter", [("entity_type=nonsense", "entity_type"), ("status=weird", "status"),
                                             ("created_after=yesterday", "created_after")])
def test_sync_runs_filters_name_the_bad_parameter(staff_api, query, parameter):
    reply = staff_api.get(f"/api/tds/sync-runs?{query}")
    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid" and reply.json()["message"].startswith(parameter)
    assert parameter in reply.json()["fields"]


def test_bff_status_is_the_earlier_shape(user_api, history):
    body = user_api.get("/api/bff/tds/status").json()
    assert set(body) == {"sync_active", "queue_size", "last_sync", "health"}
    assert_shape(body, {"sync_active": bool, "queue_size": int, "last_sync": str, "health": str})
    assert body["sync_active"] is True and body["queue_size"] == 4


def test_bff_runs_is_the_earlier_shape(user_api, history):
    body = user_api.get("/api/bff/tds/runs?entity_type=product").json()
    assert set(body) == {"runs"} and len(body["runs"]) == 1
    run = body["runs"][0]
    assert set(run) == {"id", "type", "entity_type", "status", "progress_percentage", "processed", "failed",
                        "started_at", "duration"}
    assert_shape(run, {"id": str, "type": str, "entity_type": str, "status": str, "progress_percentage": NUM,
                       "processed": int, "failed": int, "started_at": str, "duration": (int, float, type(None))})
    assert run["entity_type"] == "items" and run["processed"] == 45 and run["duration"] == 4.5
    assert len(user_api.get("/api/bff/tds/runs").json()["runs"]) == 4


def test_bff_recent_dashboard_and_health(user_api, history):
    recent = user_api.get("/api/bff/tds/recent?limit=2").json()
    assert len(recent["runs"]) == 2 and recent["events"][0]["zoho_id"] == "E1"
    board = user_api.get("/api/bff/tds/dashboard").json()
    assert board["health_score"] == 97.5 and board["band"] == "EXCELLENT" and board["sync_active"] is True
    assert board["counts"]["queue_pending"] == 3 and board["counts"]["dead_letters_open"] == 1
    assert board["alerts"][0]["code"] == "queue_backlog" and len(board["last_runs"]) == 4
    assert board["active_runs"][0]["type"] == "stock"
    assert user_api.get("/api/bff/tds/health").json()["queue"]["failed"] == 2


@pytest.mark.parametrize("query,parameter", [("limit=0", "limit"), ("limit=abc", "limit"),
                                             ("entity_type=zzz", "entity_type")])
def test_bff_runs_validation_names_the_parameter_and_range(user_api, query, parameter):
    reply = user_api.get(f"/api/bff/tds/runs?{query}")
    assert reply.status_code == 400 and reply.json()["message"].startswith(f"{parameter}:")
    if parameter == "limit":
        assert "between 1 and 100" in reply.json()["message"]


def test_bff_stock_stats_is_the_earlier_shape(user_api):
    from sync.models import Product

    Product.objects.create(zoho_item_id="1", name="A", stock_quantity=5, last_synced=timezone.now())
    Product.objects.create(zoho_item_id="2", name="B", stock_quantity=0)
    body = user_api.get("/api/bff/tds/sync/stock/stats").json()
    assert set(body) == {"total_products", "with_zoho_id", "with_stock", "total_stock_quantity", "last_sync_time",
                         "stale_products"}
    assert body == {**body, "total_products": 2, "with_zoho_id": 2, "with_stock": 1, "total_stock_quantity": 5,
                    "stale_products": 1}
    assert isinstance(body["last_sync_time"], str)


def test_a_page_of_sync_runs_costs_the_same_queries_for_5_runs_as_for_40(staff_api):
    from sync.models import SyncRun

    def page_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as seen:
            assert staff_api.get("/api/tds/sync-runs?page_size=50").status_code == 200
        return len(seen.captured_queries)

    SyncRun.objects.bulk_create(SyncRun(run_type="full", entity="items", status="completed") for _ in range(5))
    page_queries()  # the token is looked up once, then cached
    few = page_queries()
    SyncRun.objects.bulk_create(SyncRun(run_type="full", entity="items", status="completed") for _ in range(35))
    assert page_queries() == few  # no query per row
