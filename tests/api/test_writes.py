"""Write endpoints: 202 with the run id, 409 on a concurrent run, the stock sync's wait path, validation."""
from __future__ import annotations

import pytest

from sync.models import DeadLetter, SyncRun
from tests.api.conftest import assert_shape

NUM = (int, float)


@pytest.mark.django_db
def test_sync_answers_202_with_the_pending_run_then_409_for_the_same_entity(staff_api):
    first = staff_api.post("/api/tds/sync", {"entity_type": "products", "source": "zoho"}, format="json")
    assert first.status_code == 202
    body = first.json()
    assert_shape(body, {"status": str, "sync_run_id": str, "url": str})
    assert body["status"] == "pending" and body["url"] == f"/api/tds/sync-runs/{body['sync_run_id']}"
    run = SyncRun.objects.get(pk=body["sync_run_id"])
    assert (run.entity, run.run_type, run.status, run.trigger) == ("items", "incremental", "pending", "api")
    listed = staff_api.get("/api/tds/sync-runs?entity_type=items").json()["results"]
    assert [r["id"] for r in listed] == [body["sync_run_id"]]
    again = staff_api.post("/api/tds/sync", {"entity_type": "items", "full": True}, format="json")
    assert again.status_code == 409
    assert again.json()["error"] == "run_active" and again.json()["sync_run_id"] == body["sync_run_id"]
    other = staff_api.post("/api/tds/sync", {"entity_type": "customers", "full": True}, format="json")
    assert other.status_code == 202 and SyncRun.objects.get(pk=other.json()["sync_run_id"]).run_type == "full"


@pytest.mark.django_db
@pytest.mark.parametrize("payload,parameter,needle", [
    ({"entity_type": "widgets"}, "entity_type", "valid:"),
    ({}, "entity_type", "required"),
    ({"entity_type": "items", "source": "sap"}, "source", "zoho"),
    ({"entity_type": "items", "full": "maybe"}, "full", "boolean"),
])
def test_sync_validation_names_the_parameter(staff_api, payload, parameter, needle):
    reply = staff_api.post("/api/tds/sync", payload, format="json")
    assert reply.status_code == 400
    body = reply.json()
    assert body["error"] == "invalid" and body["message"].startswith(f"{parameter}:") and needle in body["message"]
    assert not SyncRun.objects.exists()


@pytest.mark.django_db
def test_stock_sync_answers_202_then_409_while_one_is_pending(staff_api):
    first = staff_api.post("/api/tds/stock/sync")
    assert first.status_code == 202
    run = SyncRun.objects.get(pk=first.json()["sync_run_id"])
    assert run.configuration == {"batch_size": 200, "active_only": True, "with_stock_only": False,
                                 "db_batch_size": 100, "dry_run": False}
    second = staff_api.post("/api/tds/stock/sync", {"batch_size": 100}, format="json")
    assert second.status_code == 409 and second.json()["sync_run_id"] == str(run.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("query,parameter,allowed", [
    ("batch_size=20", "batch_size", "between 50 and 200"), ("batch_size=x", "batch_size", "between 50 and 200"),
    ("db_batch_size=501", "db_batch_size", "between 10 and 500"), ("wait=121", "wait", "between 0 and 120"),
    ("active_only=perhaps", "active_only", "boolean"),
])
def test_bff_stock_sync_parameters_out_of_range_are_400_with_the_range(user_api, query, parameter, allowed):
    reply = user_api.post(f"/api/bff/tds/sync/stock?{query}")
    assert reply.status_code == 400
    assert reply.json()["message"].startswith(f"{parameter}:") and allowed in reply.json()["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "item_ids=", "&".join(f"item_ids={n}" for n in range(101)), "item_ids=a%20b"])
def test_bff_specific_needs_1_to_100_well_formed_ids(user_api, query):
    reply = user_api.post(f"/api/bff/tds/sync/stock/specific?{query}")
    assert reply.status_code == 400 and reply.json()["message"].startswith("item_ids")


@pytest.mark.django_db(transaction=True)
def test_bff_stock_sync_waits_and_answers_the_earlier_body(user_api, zoho_settings, sandbox, cluster_inline):
    reply = user_api.post("/api/bff/tds/sync/stock?batch_size=200&active_only=true&wait=60")
    assert reply.status_code == 200, reply.content
    body = reply.json()
    assert_shape(body, {"success": bool, "stats": {"total_items_from_zoho": int, "api_calls_made": int,
                                                   "products_updated": int, "products_created": int,
                                                   "products_skipped": int, "errors": list},
                        "duration_seconds": NUM, "sync_run_id": str})
    from sync.models import Product

    assert body["success"] is True and body["stats"]["products_created"] == Product.objects.count() > 100
    assert body["stats"]["errors"] == [] and body["stats"]["api_calls_made"] >= 1
    run = SyncRun.objects.get(pk=body["sync_run_id"])
    assert (run.status, run.trigger, run.run_type) == ("completed", "api", "stock")
    assert SyncRun.objects.count() == 1  # the queued row was continued, not duplicated


@pytest.mark.django_db(transaction=True)
def test_bff_specific_items_sync_those_items(user_api, zoho_settings, sandbox, cluster_inline):
    ids = sandbox.store.ids_of("items")[:3]
    reply = user_api.post("/api/bff/tds/sync/stock/specific?" + "&".join(f"item_ids={i}" for i in ids))
    assert reply.status_code == 200, reply.content
    assert reply.json()["stats"]["total_items_from_zoho"] == 3


@pytest.mark.django_db
def test_bff_stock_sync_without_a_worker_answers_202_with_a_url_to_poll(user_api):
    reply = user_api.post("/api/bff/tds/sync/stock?wait=0")
    assert reply.status_code == 202
    body = reply.json()
    assert body["sync_run_id"] and body["url"].endswith(body["sync_run_id"])


@pytest.mark.django_db(transaction=True)
def test_pull_through_the_api_continues_the_queued_run(staff_api, zoho_settings, sandbox, cluster_inline):
    reply = staff_api.post("/api/tds/sync", {"entity_type": "items"}, format="json")
    assert reply.status_code == 202
    run = SyncRun.objects.get(pk=reply.json()["sync_run_id"])
    assert run.status == "completed" and run.created == len(sandbox.store.ids_of("items")) and run.trigger == "api"
    detail = staff_api.get(reply.json()["url"]).json()
    assert detail["logs"] and detail["api_calls"] >= 1
    assert SyncRun.objects.filter(entity="items").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_dry_run_through_the_api_still_closes_its_row(staff_api, zoho_settings, sandbox, cluster_inline):
    reply = staff_api.post("/api/tds/sync", {"entity_type": "items", "dry_run": True}, format="json")
    run = SyncRun.objects.get(pk=reply.json()["sync_run_id"])
    assert run.status == "completed" and run.dry_run and run.finished_at is not None
    from sync.models import Product

    assert not Product.objects.exists()


@pytest.mark.django_db
def test_deadletter_retry_reports_ids_that_do_not_exist(staff_api):
    letter = DeadLetter.objects.create(entity="items", zoho_id="D1", error_class="permanent", error_message="bad")
    mixed = staff_api.post("/api/tds/deadletter/retry", {"ids": [letter.pk, 999999]}, format="json")
    assert mixed.status_code == 200
    assert mixed.json() == {"status": "ok", "requeued": 1, "skipped": 0, "not_found": [999999]}
    none = staff_api.post("/api/tds/deadletter/retry", {"ids": [999998, 999999]}, format="json")
    assert none.status_code == 404
    assert none.json()["error"] == "not_found" and none.json()["not_found"] == [999998, 999999]
