"""The webhook vocabulary agrees with the one entity registry."""
from __future__ import annotations

from sync.entities import REGISTRY
from sync.pipeline.queue import DEFAULT_PRIORITIES
from zoho.webhooks import BODY_KEYS, ROUTE_ENTITIES


def test_every_webhook_entity_is_a_registry_entity_with_a_queue_priority():
    entities = {entity for entity, _id in BODY_KEYS.values()}
    assert entities <= set(REGISTRY)
    routed = {entity for group in ROUTE_ENTITIES.values() for entity in group}
    assert (entities | routed) <= set(DEFAULT_PRIORITIES)


def test_webhook_id_fields_are_the_registry_id_fields():
    for key, (entity, id_field) in BODY_KEYS.items():
        if key in ("warehouse",):  # Zoho's legacy warehouses carry warehouse_id; locations carry location_id
            continue
        assert id_field == REGISTRY[entity].id_field, key


def test_orders_and_invoices_come_before_products_before_stock_before_images():
    p = DEFAULT_PRIORITIES
    assert max(p["sales_orders"], p["invoices"]) < p["items"] < p["stock"] < p["images"]
