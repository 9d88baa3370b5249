"""Mirror records written through the one upsert, as pulls and workers write them."""
from __future__ import annotations

from typing import Any

from sync.upsert.records import upsert_records


def item(zoho_id: str, *, name: str, sku: str, rate: float, modified: str, **extra: Any) -> dict[str, Any]:
    return {"item_id": zoho_id, "name": name, "sku": sku, "rate": rate, "purchase_rate": 2, "status": "active",
            "unit": "pcs", "last_modified_time": modified, **extra}


def write_item(zoho_id: str, **fields: Any) -> None:
    result = upsert_records(entity="items", records=[item(zoho_id, **fields)])
    assert not result.failed, result.errors


def write_invoice(zoho_id: str, *, number: str, customer: str, modified: str) -> None:
    record = {"invoice_id": zoho_id, "invoice_number": number, "customer_id": "5001", "customer_name": customer,
              "date": "2026-11-01", "status": "sent", "total": 30, "balance": 30, "last_modified_time": modified,
              "line_items": [{"line_item_id": f"{zoho_id}1", "item_id": "1001", "name": "Widget", "sku": "W-1",
                              "quantity": 3, "rate": 10, "item_total": 30}]}
    result = upsert_records(entity="invoices", records=[record])
    assert not result.failed, result.errors
