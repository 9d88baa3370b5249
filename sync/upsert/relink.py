"""Attach rows that arrived before the record they point at.

An invoice pulled or delivered by webhook before its customer exists keeps a
NULL customer (the FK is resolved when the row is written); so does a
document line whose product is not local yet. When that customer or product
is created, the rows waiting for it are linked at once: one UPDATE per
referencing table, limited to the newly created Zoho ids, so nothing waits
for the document to change again in Zoho.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.db.models import OuterRef, Subquery

from sync.entities import REGISTRY

# Child tables that carry `zoho_item_id` and a nullable `product` FK.
PRODUCT_LINKED = ("InvoiceLine", "BillLine", "SalesOrderLine", "PurchaseOrderLine", "PriceListItem")


def adopt_orphans(model_name: str, zoho_ids: Iterable[str]) -> int:
    """Link rows with a NULL FK to the `model_name` records just created; returns rows linked."""
    ids = sorted(set(zoho_ids) - {""})
    if not ids:
        return 0
    target = apps.get_model("sync", model_name)
    linked = 0
    for spec in REGISTRY.values():
        for fk in spec.fks:
            if fk.model == model_name:
                linked += _link(spec.model, fk.field, fk.source, target, fk.key, ids)
    if model_name == "Product":
        for child in PRODUCT_LINKED:
            linked += _link(apps.get_model("sync", child), "product", "zoho_item_id", target, "zoho_item_id", ids)
    return linked


def _link(model, field: str, source: str, target, key: str, ids: list[str]) -> int:
    match = target.objects.filter(**{key: OuterRef(source)}).values("id")[:1]
    return model.objects.filter(**{f"{field}__isnull": True, f"{source}__in": ids}).update(
        **{field: Subquery(match)})
