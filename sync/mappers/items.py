"""Items, composite items, warehouses and per-warehouse stock."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sync.mappers.common import Unreadable, arabic, first, mirror_fields, money, text, zid

# Field names of the two per-warehouse stock shapes (legacy warehouses[], newer locations[]).
_SHAPES = tuple(
    (f"{p}s", f"{p}_id", f"{p}_name", f"{p}_stock_on_hand", f"{p}_committed_stock",
     f"{p}_available_for_sale_stock", f"{p}_available_stock")
    for p in ("warehouse", "location"))


def _stock_entries(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Per-warehouse stock in either shape: legacy warehouses[] or newer locations[]."""
    out: list[dict[str, Any]] = []
    for list_key, id_key, name_key, on_hand, committed, for_sale, available in _SHAPES:
        entries = record.get(list_key)
        for entry in entries if isinstance(entries, list) else ():
            if not isinstance(entry, dict) or not zid(entry.get(id_key)):
                continue
            out.append({
                "zoho_warehouse_id": zid(entry.get(id_key)),
                "name": text(entry.get(name_key)),
                "stock_on_hand": money(entry.get(on_hand)),
                "committed_stock": money(entry.get(committed)),
                "available_for_sale": money(entry[for_sale] if for_sale in entry else entry.get(available)),
            })
    return out


def carries_levels(record: Any) -> bool:
    """Whether the record holds its per-warehouse stock (a detail or a webhook record; a list
    record does not), in either shape, even an empty one."""
    return isinstance(record, dict) and any(isinstance(record.get(shape[0]), list) for shape in _SHAPES)


def stock_levels(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows for stock_levels (keyed by Zoho ids) from an item detail record."""
    return _stock_entries(record)


def _total(record: dict[str, Any], key: str, entry_key: str) -> Decimal | Unreadable | None:
    value = money(record.get(key))
    if value is not None:
        return value
    values = [e[entry_key] for e in _stock_entries(record) if e[entry_key] is not None]
    unreadable = next((v for v in values if isinstance(v, Unreadable)), None)
    if unreadable is not None:
        return unreadable
    return sum(values, Decimal(0)) if values else None


def map_item(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "zoho_item_id": zid(record.get("item_id")),
        "sku": text(record.get("sku")),
        "name": text(first(record, "name", "item_name")),
        "name_ar": arabic(record, "name"),
        "description": text(record.get("description")),
        "description_ar": arabic(record, "description"),
        "unit_price": money(record.get("rate")),
        "cost_price": money(record.get("purchase_rate")),
        "stock_quantity": _total(record, "stock_on_hand", "stock_on_hand"),
        "available_stock": _total(record, "available_stock", "available_for_sale"),
        "unit": text(record.get("unit")),
        "brand": text(record.get("brand")),
        "manufacturer": text(record.get("manufacturer")),
        "category_name": text(record.get("category_name")),
        "item_type": text(record.get("item_type")),
        "product_type": text(record.get("product_type")),
        "status": text(record.get("status")),
        "image_name": text(record.get("image_name")),
        "image_type": text(record.get("image_type")),
        "image_document_id": zid(record.get("image_document_id")),
        **mirror_fields(record),
    }


def map_composite_item(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "zoho_composite_item_id": zid(first(record, "composite_item_id", "item_id")),
        "name": text(first(record, "name", "composite_item_name")),
        "sku": text(record.get("sku")),
        "unit_price": money(record.get("rate")),
        "cost_price": money(record.get("purchase_rate")),
        "stock_quantity": money(record.get("stock_on_hand")),
        "unit": text(record.get("unit")),
        "status": text(record.get("status")),
        **mirror_fields(record),
    }


def map_warehouse(record: dict[str, Any]) -> dict[str, Any]:
    """A legacy warehouse (/settings/warehouses) or a location (/locations)."""
    kind = "location" if record.get("location_id") not in (None, "") else "warehouse"
    return {
        "zoho_warehouse_id": zid(record.get(f"{kind}_id")),
        "name": text(record.get(f"{kind}_name")),
        "is_primary": bool(record.get("is_primary")),
        "status": text(record.get("status")),
        "kind": kind,
        **mirror_fields(record),
    }


def map_price_list(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "zoho_pricebook_id": zid(record.get("pricebook_id")),
        "name": text(record.get("name")),
        "currency_code": text(record.get("currency_code")),
        "pricebook_type": text(record.get("pricebook_type")),
        "sales_or_purchase_type": text(record.get("sales_or_purchase_type")),
        "percentage": money(record.get("percentage")),
        "description": text(record.get("description")),
        **mirror_fields(record),
    }


def price_list_items(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Line rows of a price list (keyed by Zoho ids; the upsert resolves the product)."""
    rows = []
    for entry in record.get("pricebook_items") or []:
        if not isinstance(entry, dict) or not zid(entry.get("pricebook_item_id")):
            continue
        rows.append({
            "zoho_pricebook_item_id": zid(entry.get("pricebook_item_id")),
            "zoho_item_id": zid(entry.get("item_id")),
            "rate": money(entry.get("pricebook_rate")),
            "discount": text(entry.get("pricebook_discount")),
            "raw": entry,
        })
    return rows
