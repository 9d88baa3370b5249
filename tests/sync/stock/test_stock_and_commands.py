"""tds_sync_stock, stock stats, tds_sync output and exit codes, the event bus."""
from __future__ import annotations

import io
import json
import time

import pytest
from django.core.management import CommandError, call_command

from sync import events
from sync.models import Metric, Product, StockLevel, SyncRun
from sync.stock.run import stock_stats, stock_sync

pytestmark = pytest.mark.django_db(transaction=True)


def run(command, *args):
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_stock_sync_prints_the_json_response_and_a_table(sb, zclient):
    output = run("tds_sync_stock", "--all")
    response = json.loads(output[: output.index("\n}") + 2])
    stats = response["stats"]
    assert stats["total_items_from_zoho"] == 120 and stats["products_created"] == 120
    assert stats["api_calls_made"] == 1 + 2  # one list page of 200 + two itemdetails calls (<=100 ids)
    assert stats["errors"] == [] and response["success"] is True
    assert SyncRun.objects.filter(pk=response["sync_run_id"], entity="stock", status="completed").exists()
    assert "products created" in output and StockLevel.objects.count() >= 120
    again = json.loads(run("tds_sync_stock", "--all").split("\n\n")[0])
    assert again["stats"]["products_skipped"] == 120 and again["stats"]["api_calls_made"] == 1


def test_active_only_narrows_the_run_not_the_mirror(sb, zclient):
    inactive = sb.store.ids_of("items")[0]
    sb.store.edit("items", inactive, {"status": "inactive"})
    stock_sync(client=zclient, active_only=False)
    result = stock_sync(client=zclient, active_only=True)
    active = sum(1 for record in sb.store.list("items") if record["status"] == "active")
    assert result.extra["total_items_from_zoho"] == active < 120 and result.deleted == 0
    assert Product.objects.count() == 120 and not Product.objects.get(zoho_item_id=inactive).is_active


def test_with_stock_only_and_specific_items(sb, zclient):
    empty = sb.store.ids_of("items")[1]
    for warehouse in sb.store.ids_of("warehouses"):
        sb.store.set_stock(empty, warehouse, 0)
    stock_sync(client=zclient, active_only=False, with_stock_only=True)
    assert not Product.objects.filter(zoho_item_id=empty).exists() and Product.objects.count() == 119
    result = stock_sync(client=zclient, item_ids=[empty])
    assert result.created == 1 and result.api_calls == 1


def test_stock_dry_run_writes_nothing(sb, zclient):
    result = stock_sync(client=zclient, dry_run=True)
    assert result.created > 0 and result.run_id == ""
    assert not Product.objects.exists() and not SyncRun.objects.exists() and not StockLevel.objects.exists()


@pytest.mark.parametrize("args, message", [
    (["--batch-size", "20"], "--batch-size must be between 50 and 200"),
    (["--batch-size", "500"], "--batch-size must be between 50 and 200"),
    (["--db-batch-size", "5"], "--db-batch-size must be between 10 and 500"),
])
def test_out_of_range_options_are_refused(args, message):
    with pytest.raises(CommandError, match=message):
        run("tds_sync_stock", *args)


def test_stock_stats(sb, zclient):
    stock_sync(client=zclient, active_only=False)
    Product.objects.filter(pk=Product.objects.first().pk).update(last_synced=None)
    stats = stock_stats()
    assert (stats.total_products, stats.with_zoho_id, stats.stale_products) == (120, 120, 1)
    assert stats.with_stock == Product.objects.filter(stock_quantity__gt=0).count()
    assert stats.total_stock_quantity > 0 and stats.last_sync_time


def test_tds_sync_prints_a_summary_table_and_refuses_unknown_names(sb, zclient):
    output = run("tds_sync", "--entities", "products", "warehouses")
    lines = output.splitlines()
    assert lines[1].split()[:4] == ["entity", "status", "created", "updated"]
    assert [line.split()[0] for line in lines[3:5]] == ["warehouses", "items"]
    assert lines[-1].startswith("TOTAL")
    with pytest.raises(CommandError, match="unknown entity 'gadgets'; valid: warehouses"):
        run("tds_sync", "--entities", "gadgets")
    with pytest.raises(CommandError, match="--since must be"):
        run("tds_sync", "--since", "yesterday")


def test_tds_sync_dry_run_and_failure_exit(sb, zclient, monkeypatch):
    output = run("tds_sync", "--entities", "items", "--dry-run")
    assert "DRY RUN" in output and not Product.objects.exists() and not SyncRun.objects.exists()
    sb.store.delete("items", sb.store.ids_of("items")[0])
    from sync import entities

    spec = entities.REGISTRY["warehouses"]
    monkeypatch.setitem(entities.REGISTRY, "warehouses", type(spec)(**{**spec.__dict__, "path": "/nowhere"}))
    with pytest.raises(CommandError, match="1 entity pull\\(s\\) failed: warehouses"):
        run("tds_sync", "--entities", "warehouses", "items")
    assert Product.objects.count() == 119  # items still ran


def test_events_signals_and_batched_metrics(sb, zclient):
    seen = []

    def receiver(sender, name, payload, **kwargs):
        seen.append(name)

    events.tds_event.connect(receiver)
    try:
        stock_sync(client=zclient, active_only=False, db_batch_size=50)
    finally:
        events.tds_event.disconnect(receiver)
    assert seen[0] == events.SYNC_STARTED and seen[-1] == events.SYNC_COMPLETED
    assert seen.count(events.ENTITY_SYNCED) == 3  # one per DB batch of 50, not per record
    counted = {m.labels["event"]: m.value for m in Metric.objects.filter(name="tds_events_total")}
    assert counted[events.ENTITY_SYNCED] >= 3 and events.pending_counts() == {}


@pytest.mark.redis
def test_events_reach_the_redis_channel(settings):
    import uuid

    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    pubsub = client.pubsub()
    pubsub.subscribe(events.CHANNEL)
    pubsub.get_message(timeout=2)  # the subscribe confirmation
    run_id = uuid.uuid4().hex  # the channel is shared by every process on this Redis: find ours
    events.publish(events.SyncFailed(run_id=run_id, run_type="stock", entity="stock", status="failed",
                                     error="ZohoAuthError: no", duration_seconds=1.5, correlation_id="c1"))
    ours, deadline = None, time.monotonic() + 10
    while ours is None and time.monotonic() < deadline:
        message = pubsub.get_message(timeout=0.5)
        if message and message["type"] == "message" and json.loads(message["data"]).get("run_id") == run_id:
            ours = json.loads(message["data"])
    pubsub.close()
    assert ours == {
        "event": "tds.sync.failed", "run_id": run_id, "run_type": "stock", "entity": "stock", "status": "failed",
        "error": "ZohoAuthError: no", "duration_seconds": 1.5, "correlation_id": "c1"}


def test_stock_and_images_run_as_entities_of_tds_sync(sb, zclient):
    from sync.pull.run import pull_all

    summary = pull_all(entities=["items", "stock", "images"], client=zclient, full=True)
    by = {r.entity: r for r in summary.results}
    assert list(by) == ["items", "stock", "images"] and summary.ok
    assert by["stock"].unchanged == by["stock"].extra["total_items_from_zoho"]  # items just pulled them
    assert by["images"].created > 0 and by["images"].run_id
