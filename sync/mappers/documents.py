"""Books/Inventory transactions: invoices, bills, orders, credit notes, payments, adjustments, transfers."""
from __future__ import annotations

from typing import Any

from sync.mappers.common import day, first, integer, mirror_fields, money, text, zid


def _document(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "date": day(record.get("date")),
        "status": text(record.get("status")),
        "currency_code": text(record.get("currency_code")),
        "reference_number": text(record.get("reference_number")),
        "total": money(record.get("total")),
        **mirror_fields(record),
    }


def _customer(record: dict[str, Any]) -> dict[str, Any]:
    return {"zoho_customer_id": zid(record.get("customer_id")),
            "customer_name": text(record.get("customer_name"))}


def _vendor(record: dict[str, Any]) -> dict[str, Any]:
    return {"zoho_vendor_id": zid(record.get("vendor_id")), "vendor_name": text(record.get("vendor_name"))}


def map_invoice(record: dict[str, Any]) -> dict[str, Any]:
    return {"zoho_invoice_id": zid(record.get("invoice_id")),
            "invoice_number": text(record.get("invoice_number")),
            "due_date": day(record.get("due_date")), "balance": money(record.get("balance")),
            **_customer(record), **_document(record)}


def map_bill(record: dict[str, Any]) -> dict[str, Any]:
    return {"zoho_bill_id": zid(record.get("bill_id")), "bill_number": text(record.get("bill_number")),
            "due_date": day(record.get("due_date")), "balance": money(record.get("balance")),
            **_vendor(record), **_document(record)}


def map_sales_order(record: dict[str, Any]) -> dict[str, Any]:
    return {"zoho_salesorder_id": zid(record.get("salesorder_id")),
            "salesorder_number": text(record.get("salesorder_number")),
            "shipment_date": day(record.get("shipment_date")), **_customer(record), **_document(record)}


def map_purchase_order(record: dict[str, Any]) -> dict[str, Any]:
    return {"zoho_purchaseorder_id": zid(record.get("purchaseorder_id")),
            "purchaseorder_number": text(record.get("purchaseorder_number")),
            "delivery_date": day(record.get("delivery_date")), **_vendor(record), **_document(record)}


def map_credit_note(record: dict[str, Any]) -> dict[str, Any]:
    return {"zoho_creditnote_id": zid(record.get("creditnote_id")),
            "creditnote_number": text(record.get("creditnote_number")),
            "balance": money(record.get("balance")), **_customer(record), **_document(record)}


def _payment(record: dict[str, Any]) -> dict[str, Any]:
    return {"zoho_payment_id": zid(record.get("payment_id")),
            "payment_number": text(record.get("payment_number")), "date": day(record.get("date")),
            "amount": money(record.get("amount")), "payment_mode": text(record.get("payment_mode")),
            "reference_number": text(record.get("reference_number")), **mirror_fields(record)}


def map_customer_payment(record: dict[str, Any]) -> dict[str, Any]:
    return {**_payment(record), **_customer(record), "unused_amount": money(record.get("unused_amount"))}


def map_vendor_payment(record: dict[str, Any]) -> dict[str, Any]:
    return {**_payment(record), **_vendor(record)}


def map_stock_adjustment(record: dict[str, Any]) -> dict[str, Any]:
    return {"zoho_inventory_adjustment_id": zid(record.get("inventory_adjustment_id")),
            "reference_number": text(record.get("reference_number")), "date": day(record.get("date")),
            "reason": text(record.get("reason")), "adjustment_type": text(record.get("adjustment_type")),
            "description": text(record.get("description")), "total": money(record.get("total")),
            **mirror_fields(record)}


def map_transfer_order(record: dict[str, Any]) -> dict[str, Any]:
    return {"zoho_transfer_order_id": zid(record.get("transfer_order_id")),
            "transfer_order_number": text(record.get("transfer_order_number")),
            "date": day(record.get("date")), "status": text(record.get("status")),
            "zoho_from_location_id": zid(first(record, "from_location_id", "from_warehouse_id")),
            "zoho_to_location_id": zid(first(record, "to_location_id", "to_warehouse_id")),
            "description": text(record.get("description")), **mirror_fields(record)}


def _lines(record: dict[str, Any], key: str = "line_items") -> list[dict[str, Any]] | None:
    """The record's line dicts that carry a line id, or None when it carries no such list (a list rendering)."""
    lines = record.get(key)
    if not isinstance(lines, list):
        return None
    return [line for line in lines if isinstance(line, dict) and zid(line.get("line_item_id"))]


def line_items(record: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Line rows of a document, or None when the record carries no line_items (a list record)."""
    lines = _lines(record)
    if lines is None:
        return None
    rows = []
    for line in lines:
        rows.append({
            "zoho_line_item_id": zid(line.get("line_item_id")), "zoho_item_id": zid(line.get("item_id")),
            "name": text(line.get("name")), "sku": text(line.get("sku")),
            "quantity": money(line.get("quantity")), "rate": money(line.get("rate")),
            "item_total": money(line.get("item_total")), "raw": line,
        })
    return rows


def credit_note_lines(record: dict[str, Any]) -> list[dict[str, Any]] | None:
    """A credit note's lines: Zoho documents rate and quantity per line, and the line's location."""
    rows = line_items(record)
    if rows is None:
        return None
    return [{**row, "zoho_location_id": zid(row["raw"].get("location_id"))} for row in rows]


def stock_adjustment_lines(record: dict[str, Any]) -> list[dict[str, Any]] | None:
    lines = _lines(record)
    if lines is None:
        return None
    return [{"zoho_line_item_id": zid(line.get("line_item_id")), "zoho_item_id": zid(line.get("item_id")),
             "name": text(line.get("name")), "description": text(line.get("description")),
             "quantity_adjusted": money(line.get("quantity_adjusted")), "item_total": money(line.get("item_total")),
             "unit": text(line.get("unit")), "zoho_location_id": zid(line.get("location_id")), "raw": line}
            for line in lines]


def transfer_order_lines(record: dict[str, Any]) -> list[dict[str, Any]] | None:
    lines = _lines(record)
    if lines is None:
        return None
    return [{"zoho_line_item_id": zid(line.get("line_item_id")), "zoho_item_id": zid(line.get("item_id")),
             "name": text(line.get("name")), "description": text(line.get("description")),
             "quantity_transfer": money(line.get("quantity_transfer")), "unit": text(line.get("unit")), "raw": line}
            for line in lines]


def composite_components(record: dict[str, Any]) -> list[dict[str, Any]] | None:
    """A composite item's mapped_items: the items it is made of and how many of each."""
    lines = _lines(record, "mapped_items")
    if lines is None:
        return None
    return [{"zoho_line_item_id": zid(line.get("line_item_id")), "zoho_item_id": zid(line.get("item_id")),
             "item_order": integer(line.get("item_order")), "name": text(line.get("name")),
             "sku": text(line.get("sku")), "quantity": money(line.get("quantity")), "rate": money(line.get("rate")),
             "purchase_rate": money(line.get("purchase_rate")), "unit": text(line.get("unit")), "raw": line}
            for line in lines]
