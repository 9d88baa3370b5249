"""Parameters are strict: blank, malformed or out-of-range values answer 400 naming the parameter."""
from __future__ import annotations

import pytest

from sync.models import SyncRun


@pytest.mark.django_db
@pytest.mark.parametrize("url,parameter", [
    ("/api/bff/tds/recent?limit=", "limit"),
    ("/api/bff/tds/runs?limit=", "limit"),
    ("/api/bff/tds/runs?entity_type=", "entity_type"),
    ("/api/bff/tds/runs?entity_type=ITEMS", "entity_type"),
    ("/api/tds/deadletter?resolved=", "resolved"),
    ("/api/tds/deadletter?limit=", "limit"),
    ("/api/tds/deadletter?entity=", "entity"),
    ("/api/tds/deadletter?detail=", "detail"),
    ("/api/tds/sync-runs?entity_type=", "entity_type"),
    ("/api/tds/sync-runs?entity_type=nope", "entity_type"),
    ("/api/tds/sync-runs?status=", "status"),
    ("/api/tds/sync-runs?page_size=null", "page_size"),
    ("/api/tds/sync-runs?page_size=abc", "page_size"),
    ("/api/tds/sync-runs?page_size=0", "page_size"),
    ("/api/tds/sync-runs?page_size=1000", "page_size"),
    ("/api/tds/sync-runs?page_size=", "page_size"),
])
def test_bad_query_parameters_are_400_naming_them(staff_api, url, parameter):
    reply = staff_api.get(url)
    assert reply.status_code == 400, (url, reply.content)
    body = reply.json()
    assert body["error"] == "invalid" and body["message"].startswith(f"{parameter}:"), body


@pytest.mark.django_db
def test_good_values_still_work(staff_api):
    assert staff_api.get("/api/tds/sync-runs?page_size=200&entity_type=products").status_code == 200
    assert staff_api.get("/api/bff/tds/runs?entity_type=product&limit=1").status_code == 200
    assert staff_api.get("/api/tds/deadletter?resolved=all&limit=500").status_code == 200


@pytest.mark.django_db
def test_stock_sync_checks_the_query_even_when_a_body_sets_the_option(staff_api, no_throttle):
    reply = staff_api.post("/api/tds/stock/sync?with_stock_only=AAA", {"with_stock_only": False}, format="json")
    assert reply.status_code == 400 and reply.json()["message"].startswith("with_stock_only:")
    listed = staff_api.post("/api/tds/stock/sync", [1, 2], format="json")
    assert listed.status_code == 400 and "JSON object" in listed.json()["message"]
    assert not SyncRun.objects.exists()
    both = staff_api.post("/api/tds/stock/sync?batch_size=100&dry_run=true", {"batch_size": 150}, format="json")
    assert both.status_code == 202
    run = SyncRun.objects.get(pk=both.json()["sync_run_id"])
    assert (run.configuration["batch_size"], run.configuration["dry_run"]) == (150, True)
