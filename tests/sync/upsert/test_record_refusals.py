"""One validation for every way a record arrives: a record that cannot be stored faithfully (an id
that is not a Zoho id, text of the wrong type or too long, a time without a zone, a number too big
for its column) is refused with the same reason whether it comes by a pull, a webhook or a
re-fetch, and the good records around it are stored.

The sandbox serves only what Zoho documents, so the bad records are put into its store by the
test: a record the sandbox created, then changed in place."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest

from sync.entities import REGISTRY, webhook_vocabulary
from sync.models import DeadLetter, InboxEvent, SyncLog
from sync.pipeline.refetch import records_refetch
from sync.pipeline.workers import drain_queue
from sync.pull.run import pull_entity
from tests.webhooks.helpers import deliver

pytestmark = pytest.mark.django_db(transaction=True)
Change = Callable[[dict[str, Any]], None]


def _set(**fields: Any) -> Change:
    return lambda record: record.update(fields)


def _first_line(**fields: Any) -> Change:
    return lambda record: record["line_items"][0].update(fields)


# (entity, change to a well-formed record, the reason every path gives)
CORPUS: dict[str, tuple[str, Change, str]] = {
    "id_with_path": ("items", _set(item_id="../../admin"), "item_id '../../admin' is not a Zoho id"),
    "id_with_query": ("items", _set(item_id="123?x=1"), "item_id '123?x=1' is not a Zoho id"),
    "id_empty": ("items", _set(item_id=""), "no item_id"),
    "id_object": ("items", _set(item_id={"a": 1}), "item_id a JSON object is not a Zoho id"),
    "id_too_long": ("items", _set(item_id="1" * 40), "is not a Zoho id (1 to 25 decimal digits)"),
    "name_object": ("items", _set(name={"a": 1}), "name: a JSON object is not text"),
    "name_array": ("items", _set(name=["x"]), "name: a JSON array is not text"),
    "name_true": ("items", _set(name=True), "name: a JSON true/false is not text"),
    "name_false": ("items", _set(name=False), "name: a JSON true/false is not text"),
    "name_too_long": ("items", _set(name="n" * 501), "name: 501 characters, its column holds 500"),
    "sku_too_long": ("items", _set(sku="s" * 256), "sku: 256 characters, its column holds 255"),
    "unit_too_long": ("items", _set(unit="u" * 65), "unit: 65 characters, its column holds 64"),
    "time_without_zone": ("items", _set(last_modified_time="2025-11-18T02:02:51"), "has no time zone"),
    "time_garbage": ("items", _set(last_modified_time="yesterday"), "'yesterday' is not a Zoho timestamp"),
    "time_number": ("items", _set(last_modified_time=1763420571),
                    "last_modified_time: a JSON number is not a timestamp"),
    "time_far_future": ("items", _set(last_modified_time="2999-01-01T00:00:00+0000"),
                        "is outside 2000-01-01 .. now + 5 minutes"),
    "rate_huge": ("items", _set(rate=1e20),
                  "does not fit: 21 digits before the decimal point once rounded to 4 places"),
    "stock_huge": ("items", _set(stock_on_hand=123456789012345678901234567890),
                   "30 digits before the decimal point once rounded to 4 places, its column holds 14"),
    "rate_not_a_number": ("items", _set(rate="abc"), "unit_price: 'abc' is not a number"),
    "rate_nan": ("items", _set(rate="NaN"), "unit_price (rate): NaN is not a number"),
    "invoice_id_with_path": ("invoices", _set(invoice_id="../../admin"), "invoice_id '../../admin' is not a Zoho id"),
    "invoice_customer_not_an_id": ("invoices", _set(customer_id="abc"), "customer_id 'abc' is not a Zoho id"),
    "invoice_line_item_not_an_id": ("invoices", _first_line(item_id="1 OR 1=1"), "item_id '1 OR 1=1' is not a Zoho id"),
    "invoice_line_name_object": ("invoices", _first_line(name={"x": 1}), "name: a JSON object is not text"),
    "invoice_total_huge": ("invoices", _set(total=1e15),
                           "16 digits before the decimal point once rounded to 4 places, its column holds 14"),
}


def serve(sb: Any, entity: str, change: Change) -> str:
    """A record Zoho would not send, served by the sandbox under a fresh key; returns the key."""
    store, name = sb.store, sb.store.entity(_store_name(entity))
    key = store.create(name)
    with store.lock:
        record = store.records[name][key]
        record.pop("_cache", None)
        change(record)
        store.versions[name] += 1  # the sandbox's list cache keys on it
    return key


def _store_name(entity: str) -> str:
    return {"items": "items", "invoices": "invoices"}[entity]


@pytest.fixture(autouse=True)
def _quiet_queue(settings: Any) -> None:
    settings.TDS_WEBHOOK_KICK_SECONDS = 0


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_a_record_that_cannot_be_stored_is_refused_alike_by_a_webhook_a_refetch_and_a_pull(
        case: str, sb: Any, zclient: Any, live_server: Any) -> None:
    entity, change, reason = CORPUS[case]
    spec = REGISTRY[entity]
    bad_key = serve(sb, entity, change)
    good_key = next(k for k in sb.store.ids_of(_store_name(entity)) if k != bad_key)
    detail = sb.store.detail(_store_name(entity), bad_key)

    # A webhook: refused at the door with the reason; nothing stored.
    body_key = webhook_vocabulary().body_key_for(entity)
    reply = deliver(live_server.url, {body_key: detail}, **{"X-Zoho-Event": f"{body_key}.updated"})
    assert reply.status in (400, 422), (case, reply.status, reply.data)
    assert reason in reply.data["message"], reply.data
    assert not InboxEvent.objects.exists()

    # A re-fetch: the bad record goes to the dead-letter queue with the reason, the good one is applied.
    assert records_refetch(entity=entity, zoho_ids=[bad_key, good_key], client=zclient) == 2
    drained = drain_queue(batch_size=50)
    assert (drained.applied, drained.dead) == (1, 1), drained.as_dict()
    letter = DeadLetter.objects.get()
    assert letter.zoho_id == bad_key and reason in letter.error_message, letter.error_message
    assert spec.model.objects.filter(**{spec.model_id_field: good_key}).exists()

    # A pull: the record is skipped, counted failed and logged in the run; every good one is stored.
    result = pull_entity(entity=entity, full=True, client=zclient)
    assert (result.status, result.failed) == ("partial", 1), result.as_dict()
    logged = list(SyncLog.objects.filter(run_id=result.run_id, level="WARNING").values_list("message", flat=True))
    assert len(logged) == 1 and reason in logged[0], logged
    served = len(sb.store.ids_of(_store_name(entity)))
    assert spec.model.objects.count() == served - 1
    assert not spec.model.objects.filter(**{spec.model_id_field: bad_key}).exists()
    assert reason in json.dumps(result.extra["errors"])


@pytest.mark.parametrize("entry, reason", [
    ({"warehouse_id": "../W1"}, "warehouse_id '../W1' is not a Zoho id"),
    ({"warehouse_stock_on_hand": 10**20}, "21 digits before the decimal point once rounded to 4 places"),
    ({"warehouse_name": {"n": 1}}, "name: a JSON object is not text"),
    ({"warehouse_committed_stock": "lots"}, "committed_stock: 'lots' is not a number"),
])
def test_stock_an_item_detail_cannot_store_faithfully_keeps_the_levels_it_had(entry: dict[str, Any], reason: str,
                                                                              caplog: Any) -> None:
    from sync.models import Product, StockLevel
    from sync.stock.levels import stock_levels_write
    from sync.upsert.records import upsert_records

    def detail(item_id: str, **changes: Any) -> dict[str, Any]:
        level = {"warehouse_id": "4601", "warehouse_name": "Main", "warehouse_stock_on_hand": 5,
                 "warehouse_committed_stock": 1, "warehouse_available_for_sale_stock": 4, **changes}
        return {"item_id": item_id, "name": f"Item {item_id}", "last_modified_time": "2025-11-18T02:02:51+0300",
                "warehouses": [level]}

    # A detail carries its stock: the upsert writes its levels.
    assert upsert_records(entity="items", records=[detail("5001"), detail("5002")]).stock_rows == 2
    logger = logging.getLogger("tds.sync")  # does not propagate to the root logger caplog listens on
    logger.addHandler(caplog.handler)
    try:
        written = stock_levels_write(details=[detail("5001", **entry), detail("5002", warehouse_stock_on_hand=9)])
    finally:
        logger.removeHandler(caplog.handler)
    assert written == 1 and reason in caplog.text
    levels = dict(StockLevel.objects.values_list("product__zoho_item_id", "stock_on_hand"))
    assert levels == {"5001": 5, "5002": 9}
    assert Product.objects.count() == 2
