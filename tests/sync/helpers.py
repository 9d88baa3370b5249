"""Helpers for the sync tests: what the sandbox holds, as our mappers see it."""
from __future__ import annotations

from typing import Any

from sync.entities import REGISTRY, EntitySpec

STORE_NAMES = {
    "warehouses": "locations", "items": "items", "composite_items": "composite_items", "price_lists": "pricebooks",
    "customers": "contacts", "vendors": "contacts", "invoices": "invoices", "bills": "bills",
    "sales_orders": "salesorders", "purchase_orders": "purchaseorders", "credit_notes": "creditnotes",
    "customer_payments": "customerpayments", "vendor_payments": "vendorpayments",
    "stock_adjustments": "inventory_adjustments", "transfer_orders": "transfer_orders",
}
NOT_COMPARED = {"raw", "content_hash"}


def sandbox_records(sb: Any, entity: str) -> list[dict[str, Any]]:
    spec = REGISTRY[entity]
    records = sb.store.list(STORE_NAMES[entity], detail=spec.detail_lines)
    if spec.keep:
        records = [r for r in records if r.get(spec.keep[0]) == spec.keep[1]]
    return records


def mismatches(sb: Any, entity: str) -> list[str]:
    """Every mapped field of every sandbox record that differs from the local row (empty = equal)."""
    spec: EntitySpec = REGISTRY[entity]
    local = {getattr(o, spec.model_id_field): o for o in spec.model.objects.all()}
    problems = []
    for record in sandbox_records(sb, entity):
        row = spec.mapper(record)
        obj = local.get(row[spec.model_id_field])
        if obj is None:
            problems.append(f"{entity} {row[spec.model_id_field]} missing locally")
            continue
        for name, value in row.items():
            if name not in NOT_COMPARED and getattr(obj, name) != value:
                problems.append(f"{entity} {row[spec.model_id_field]} {name}: {getattr(obj, name)!r} != {value!r}")
    return problems


def first_id(sb: Any, entity: str) -> str:
    spec = REGISTRY[entity]
    return str(sandbox_records(sb, entity)[0][spec.id_field])
