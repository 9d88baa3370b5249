"""Rows no ingest should let through, written straight into the inbox and the queue: the drain
isolates each into the dead-letter queue with its reason and applies the good events around them;
the reaper and every page that reads those tables keep working."""
from __future__ import annotations

import json

import pytest
from django.db import connection
from django.utils import timezone

from sync.models import DeadLetter, InboxEvent, Product, SyncQueueItem
from sync.pipeline.queue import queue_health
from sync.pipeline.workers import drain_queue, reap_leases

pytestmark = pytest.mark.django_db(transaction=True)

BEYOND_PYTHON = "20000-01-01 00:00:00+00:00"  # PostgreSQL stores it; Python's datetime cannot hold it
GOOD = [{"item_id": str(9100 + n), "name": f"Good {n}", "sku": f"G-{n}", "rate": "5.00", "status": "active",
         "last_modified_time": "2025-11-18T02:02:51+0300"} for n in range(3)]


def _queue_row(zoho_id: str, payload: str, *, modified: str | None = None) -> None:
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tds_sync_queue (entity, zoho_id, operation, payload, priority, status, attempts, "
            "next_attempt_at, locked_by, last_error, zoho_last_modified, correlation_id, created_at, updated_at) "
            "VALUES ('items', %s, 'upsert', %s, 4, 'pending', 0, %s, '', '', %s, 'poison', %s, %s)",
            [zoho_id, payload, now, modified, now, now])


def _inbox_row(zoho_id: str, payload: str, *, entity: str = "items", modified: str | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tds_inbox_events (source, entity, zoho_id, event_type, payload, signature_valid, "
            "signature_method, dedupe_key, zoho_last_modified, status, error, correlation_id, received_at) "
            "VALUES ('webhook', %s, %s, '', %s, true, 'hmac', %s, %s, 'received', '', 'poison', %s)",
            [entity, zoho_id, payload, f"poison:{zoho_id}", modified, timezone.now()])


@pytest.fixture
def poisoned():  # noqa: ANN201
    _queue_row("9001", json.dumps(GOOD[0]))
    _queue_row("9002", json.dumps({"item_id": "9002", "name": "Edge"}), modified=BEYOND_PYTHON)
    _queue_row("9003", '"not a record"')
    _queue_row("9004", '{"item_id": "9004", "stock_on_hand": ' + "9" * 5000 + "}")
    _queue_row("9101", json.dumps(GOOD[1]))
    _inbox_row("9005", json.dumps({"item": {"item_id": "9005"}}), modified=BEYOND_PYTHON)
    _inbox_row("9006", json.dumps({"item": {"item_id": "9006"}}), entity="no_such_entity")
    _inbox_row("9102", json.dumps({"item": GOOD[2]}))


def _unreadable_on_this_database() -> set[str]:
    # SQLite hands a year-20000 timestamp back as NULL; PostgreSQL's driver cannot load it at all.
    return {"9002", "9005"} if connection.vendor == "postgresql" else set()


def test_the_drain_applies_the_good_and_dead_letters_each_bad_row_with_its_reason(poisoned):
    result = drain_queue(batch_size=50, max_batches=20)
    products = set(Product.objects.values_list("zoho_item_id", flat=True))
    assert {"9100", "9101", "9102"} <= products
    assert not products & ({"9003", "9004"} | _unreadable_on_this_database())
    letters = {d.zoho_id: d for d in DeadLetter.objects.all()}
    assert set(letters) == {"9003", "9004"} | _unreadable_on_this_database()
    assert "not a record" in letters["9003"].error_message or letters["9003"].error_message
    assert "unreadable row" in letters["9004"].error_message
    assert "9" * 5000 in letters["9004"].payload["unreadable_payload"]  # nothing is lost
    assert not SyncQueueItem.objects.filter(status__in=["pending", "processing"]).exists()
    assert result.dead == len(letters)
    assert InboxEvent.objects.get(zoho_id="9006").status == "received"  # an unknown entity waits for the reaper


def test_the_reaper_and_the_queue_reads_survive_poison_rows(poisoned, admin_client):
    reaped = reap_leases()  # must not raise, and it isolates what no read could load
    assert reaped["dead"] == len({"9004"} | ({"9002"} & _unreadable_on_this_database()))
    assert reaped["rejected"] == 1
    if connection.vendor == "postgresql":  # the inbox event's unreadable timestamp was cleared, the event kept
        assert "unreadable values cleared" in InboxEvent.objects.get(zoho_id="9005").error
    assert queue_health()["by_status"]
    for url in ("/api/tds/queue", "/api/tds/deadletter", "/admin/sync/syncqueueitem/", "/admin/sync/inboxevent/",
                "/admin/sync/deadletter/"):
        assert admin_client.get(url).status_code == 200, url
    drain_queue(batch_size=50, max_batches=20)
    for url in ("/api/tds/queue", "/api/tds/deadletter", "/admin/sync/syncqueueitem/", "/admin/sync/inboxevent/",
                "/admin/sync/deadletter/"):
        assert admin_client.get(url).status_code == 200, url
    assert {"9100", "9101", "9102"} <= set(Product.objects.values_list("zoho_item_id", flat=True))


@pytest.mark.postgres
@pytest.mark.slow
def test_a_real_worker_process_applies_the_good_and_exits_despite_poison_rows(poisoned):
    from tests.webhooks.test_workers_processes import _worker

    worker = _worker("--once")
    output = worker.communicate(timeout=60)[0]
    assert worker.returncode == 0, output
    assert {"9100", "9101", "9102"} <= set(Product.objects.values_list("zoho_item_id", flat=True))
    letters = set(DeadLetter.objects.values_list("zoho_id", flat=True))
    assert {"9002", "9003", "9004"} <= letters
    # The inbox event's unreadable timestamp is either mended first (then applied, undated) or dead-lettered.
    assert "9005" in letters or Product.objects.filter(zoho_item_id="9005").exists()
    assert not SyncQueueItem.objects.filter(status__in=["pending", "processing"]).exists()
