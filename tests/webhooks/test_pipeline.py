"""Webhook to mirror table, end to end over real HTTP with the sync engine's upsert."""
from __future__ import annotations

from decimal import Decimal

import pytest

from sync.events import tds_event
from sync.models import AuditEntry, InboxEvent, Product, StockLevel, SyncQueueItem
from sync.pipeline.workers import drain_queue
from tests.webhooks.helpers import deliver, item_doc

pytestmark = pytest.mark.django_db(transaction=True)

V1, V2, V3 = "2025-11-18T03:00:00+0300", "2025-11-18T04:00:00+0300", "2025-11-18T05:00:00+0300"


@pytest.fixture(autouse=True)
def _no_kick(settings):
    settings.TDS_WEBHOOK_KICK_SECONDS = 0


@pytest.fixture
def events():
    seen: list[tuple[str, dict]] = []

    def receiver(sender, name, payload, **kwargs):
        seen.append((name, payload))

    tds_event.connect(receiver, dispatch_uid="webhook-tests")
    yield seen
    tds_event.disconnect(dispatch_uid="webhook-tests")


def _versions() -> list[dict]:
    return [item_doc("700", V2, name="second", rate=2), item_doc("700", V3, name="third", rate=3),
            item_doc("700", V1, name="first", rate=1)]


def test_three_deliveries_out_of_order_end_at_the_newest_version_across_batches(live_server, events):
    for document in _versions():
        assert deliver(live_server.url, document).status == 200
        drain_queue()  # each delivery in its own batch: the stale guard decides
    product = Product.objects.get(zoho_item_id="700")
    assert (product.name, product.unit_price) == ("third", Decimal("3"))
    assert product.zoho_last_modified.isoformat() == "2025-11-18T02:00:00+00:00"
    assert set(SyncQueueItem.objects.values_list("status", flat=True)) == {"completed"}
    assert AuditEntry.objects.filter(zoho_id="700", action="create").count() == 1
    assert AuditEntry.objects.filter(zoho_id="700", action="update", field="name").count() == 1  # second -> third
    assert AuditEntry.objects.filter(source="webhook").count() == AuditEntry.objects.count()
    assert [p["entity"] for n, p in events if n == "tds.entity.synced"] == ["items"] * 3


def test_three_deliveries_out_of_order_in_one_batch(live_server):
    for document in _versions():
        deliver(live_server.url, document)
    result = drain_queue()
    assert (result.applied, result.superseded) == (1, 2)
    assert Product.objects.get(zoho_item_id="700").name == "third"
    assert AuditEntry.objects.filter(zoho_id="700").count() == 1  # created once, at the newest version


def test_redelivery_after_processing_changes_nothing(live_server):
    document = item_doc("701", V1)
    deliver(live_server.url, document)
    drain_queue()
    assert deliver(live_server.url, document).data["status"] == "duplicate"
    assert drain_queue().claimed == 0
    assert AuditEntry.objects.filter(zoho_id="701").count() == 1


def test_stock_webhook_writes_the_product_and_its_warehouse_levels(live_server):
    record = {"item_id": "702", "name": "Cable", "last_modified_time": V1, "warehouses": [
        {"warehouse_id": "4601", "warehouse_name": "Baghdad", "warehouse_stock_on_hand": 7,
         "warehouse_available_for_sale_stock": 5, "warehouse_committed_stock": 2},
        {"warehouse_id": "4602", "warehouse_name": "Basra", "warehouse_stock_on_hand": 3,
         "warehouse_available_for_sale_stock": 3, "warehouse_committed_stock": 0}]}
    assert deliver(live_server.url, record, path="/api/tds/webhooks/stock").status == 200
    drain_queue()
    product = Product.objects.get(zoho_item_id="702")
    assert product.stock_quantity == Decimal("10")
    levels = dict(StockLevel.objects.values_list("warehouse__zoho_warehouse_id", "stock_on_hand"))
    assert levels == {"4601": Decimal("7"), "4602": Decimal("3")}


def test_delete_event_marks_the_record_and_keeps_it(live_server):
    deliver(live_server.url, item_doc("703", V1))
    drain_queue()
    deliver(live_server.url, item_doc("703", V2), **{"X-Zoho-Event": "item.deleted"})
    drain_queue()
    product = Product.objects.get(zoho_item_id="703")
    assert product.is_active is False and product.deleted_in_zoho_at is not None
    assert AuditEntry.objects.filter(zoho_id="703", action="delete").count() == 1
    assert InboxEvent.objects.filter(status="processed").count() == 2


def test_contact_and_invoice_deliveries_reach_their_tables(live_server):
    from sync.models import Customer, Invoice, Vendor

    deliver(live_server.url, {"contact": {"contact_id": "7109", "contact_name": "Ali", "contact_type": "customer",
                                          "last_modified_time": V1}})
    deliver(live_server.url, {"contact": {"contact_id": "7209", "contact_name": "Supplier", "contact_type": "vendor",
                                          "last_modified_time": V1}})
    deliver(live_server.url, {"invoice": {"invoice_id": "7309", "invoice_number": "INV-9", "customer_id": "7109",
                                          "total": "15.50", "last_modified_time": V1}})
    result = drain_queue()
    assert result.applied == 3 and result.dead == 0
    assert Customer.objects.filter(zoho_contact_id="7109").exists()
    assert Vendor.objects.filter(zoho_contact_id="7209").exists()
    assert Invoice.objects.get(zoho_invoice_id="7309").total == Decimal("15.50")


class Flaky:
    """The real apply behind a switch: fails with `error` until fixed."""

    def __init__(self, error: BaseException) -> None:
        self.error, self.fixed, self.failures = error, False, 0

    def __call__(self, **kwargs):
        from sync.pipeline.workers import apply_items

        if not self.fixed:
            self.failures += 1
            raise self.error
        return apply_items(**kwargs)


def _due_now() -> None:
    from django.utils import timezone

    SyncQueueItem.objects.filter(status="pending").update(next_attempt_at=timezone.now())


def test_transient_failure_backs_off_then_dead_letters_then_retry_from_the_api_succeeds(
        live_server, settings, monkeypatch, django_user_model):
    from sync.api.tokens import token_create
    from sync.pipeline import retry as retry_service
    from tests.webhooks.helpers import post
    from zoho.errors import ZohoTransientError

    settings.TDS_RETRY_BACKOFF_SECONDS, settings.TDS_RETRY_BACKOFF_MAX_SECONDS = 5, 1000
    settings.TDS_RETRY_MAX_ATTEMPTS = 4
    monkeypatch.setattr(retry_service.random, "uniform", lambda low, high: high)
    assert deliver(live_server.url, item_doc("800", V1, name="late")).status == 200
    flaky, delays = Flaky(ZohoTransientError("Zoho 503", http_status=503)), []
    for _ in range(4):
        drain_queue(apply=flaky)
        item = SyncQueueItem.objects.get()
        if item.status == "pending":
            delays.append(round((item.next_attempt_at - item.updated_at).total_seconds()))
            _due_now()
    assert delays == [5, 10, 20] and flaky.failures == 4
    assert SyncQueueItem.objects.get().status == "dead"
    flaky.fixed = True
    staff = django_user_model.objects.create_user("ops", "o@example.com", "pw", is_staff=True)
    token = token_create(user=staff)[1]
    from sync.models import DeadLetter

    letter = DeadLetter.objects.get()
    assert (letter.error_class, letter.attempts) == ("transient", 4)
    reply = post(live_server.url, "/api/tds/deadletter/retry", f'{{"ids": [{letter.id}]}}'.encode(),
                 headers={"Authorization": f"Token {token}"})
    assert reply.status == 200 and reply.data["requeued"] == 1
    drain_queue(apply=flaky)
    assert Product.objects.get(zoho_item_id="800").name == "late"
    letter.refresh_from_db()
    assert letter.resolved and letter.resolution == "retried"


def test_permanent_failure_is_dead_lettered_at_once(live_server):
    from zoho.errors import ZohoPermanentError

    deliver(live_server.url, item_doc("801", V1))
    flaky = Flaky(ZohoPermanentError("rejected", code=4, http_status=400))
    result = drain_queue(apply=flaky)
    assert (result.dead, result.retried, flaky.failures) == (1, 0, 1)
    assert not Product.objects.exists()
    assert InboxEvent.objects.get().status == "failed"


def test_a_stale_delivery_is_seen_and_not_synced(live_server):
    from sync.metrics import points_flush
    from sync.models import Metric

    for document in _versions():  # second creates, third updates, first is older than the mirror
        deliver(live_server.url, document)
        drain_queue()
    points_flush()
    totals = {name: sum(m.value for m in Metric.objects.filter(name=name)
                        if m.labels == {"entity": "items", "source": "webhook"})
              for name in ("tds_items_synced_total", "tds_items_seen_total")}
    assert totals == {"tds_items_synced_total": 2, "tds_items_seen_total": 3}
