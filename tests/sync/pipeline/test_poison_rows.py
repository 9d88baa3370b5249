"""Rows no ingest should let through, written straight into the inbox and the queue: the drain mends an
unreadable time (the event goes on, undated), dead-letters each payload it cannot apply with its reason,
and applies the good events around them; the reaper and every page that reads those tables keep working."""
from __future__ import annotations

import json

import pytest
from django.db import connection
from django.utils import timezone

from sync.models import DeadLetter, InboxEvent, Product, SyncQueueItem
from sync.pipeline.queue import queue_health
from sync.pipeline.workers import drain_queue, reap_leases
from tests.sync.pipeline.corpus import json_loads_strictly

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
def poisoned():
    _queue_row("9001", json.dumps(GOOD[0]))
    _queue_row("9002", json.dumps({"item_id": "9002", "name": "Edge"}), modified=BEYOND_PYTHON)
    _queue_row("9003", '"not a record"')
    _queue_row("9004", '{"item_id": "9004", "stock_on_hand": ' + "9" * 5000 + "}")
    _queue_row("9007", '{"item_id": "9007", "rate": 1e400}')
    if connection.vendor == "postgresql":  # SQLite refuses JSON nested more than 1,000 deep
        _queue_row("9008", "[" * 3000 + "]" * 3000)
    _queue_row("9101", json.dumps(GOOD[1]))
    _inbox_row("9005", json.dumps({"item": {"item_id": "9005"}}), modified=BEYOND_PYTHON)
    _inbox_row("9006", json.dumps({"item": {"item_id": "9006"}}), entity="no_such_entity")
    _inbox_row("9102", json.dumps({"item": GOOD[2]}))


UNDATED = {"9002", "9005"}  # a last-modified time past year 9999: cleared, the event applied undated
# Payloads Python cannot hold: a 5,000-digit number, nesting 3,000 deep. (jsonb keeps 1e400 as a 401-digit
# integer, which Python reads and the mapper refuses; SQLite keeps the text, which no float can hold.)
UNREADABLE = {"9004", "9008"} if connection.vendor == "postgresql" else {"9004", "9007"}


def test_the_drain_applies_the_good_and_dead_letters_each_bad_row_with_its_reason(poisoned):
    result = drain_queue(batch_size=50, max_batches=20)
    products = set(Product.objects.values_list("zoho_item_id", flat=True))
    assert {"9100", "9101", "9102"} | UNDATED <= products
    assert not products & ({"9003", "9007"} | UNREADABLE)
    letters = {d.zoho_id: d for d in DeadLetter.objects.all()}
    assert set(letters) == {"9003", "9007"} | UNREADABLE
    assert letters["9003"].error_message
    for zoho_id in UNREADABLE:
        assert "unreadable row" in letters[zoho_id].error_message
        assert set(letters[zoho_id].payload) == {"unreadable_payload"}
    assert "9" * 5000 in letters["9004"].payload["unreadable_payload"]  # nothing is lost
    assert not SyncQueueItem.objects.filter(status__in=["pending", "processing"]).exists()
    assert result.dead == len(letters)
    assert InboxEvent.objects.get(zoho_id="9006").status == "received"  # an unknown entity waits for the reaper
    # The mended rows hold nothing unreadable any more: Zoho's time cleared, the payload kept as text.
    assert not SyncQueueItem.objects.filter(zoho_id__in=UNDATED, zoho_last_modified__isnull=False).exists()
    assert InboxEvent.objects.get(zoho_id="9005").zoho_last_modified is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT zoho_id, CAST(payload AS TEXT) FROM tds_sync_queue")
        stored = dict(cursor.fetchall())
    for zoho_id in UNREADABLE:
        assert set(json_loads_strictly(stored[zoho_id])) == {"unreadable_payload"}


def test_the_reaper_and_the_queue_reads_survive_poison_rows(poisoned, admin_client):
    reaped = reap_leases()  # must not raise: it mends what it can and isolates what can never be applied
    assert reaped["dead"] == len(UNREADABLE)
    assert reaped["rejected"] == 1
    mended = InboxEvent.objects.get(zoho_id="9005")  # its unreadable time cleared, the event kept
    assert "unreadable values rewritten: zoho_last_modified='20000-01-01" in mended.error
    assert mended.status == "received" and mended.zoho_last_modified is None
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
    assert UNDATED <= set(Product.objects.values_list("zoho_item_id", flat=True))
    assert set(DeadLetter.objects.values_list("zoho_id", flat=True)) == {"9003", "9007"} | UNREADABLE
    assert not SyncQueueItem.objects.filter(status__in=["pending", "processing"]).exists()
