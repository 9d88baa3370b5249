"""Build the whole seeded data set: master data, transactions, composite items, balances."""
from __future__ import annotations

import random
from typing import Any

from zoho.sandbox.config import SandboxConfig
from zoho.sandbox.data import (
    Ids,
    Record,
    make_contact,
    make_item,
    make_organization,
    make_pricebooks,
    make_warehouses,
    random_times,
    set_stock_totals,
    stamp,
)
from zoho.sandbox.data_docs import make_documents


def generate(cfg: SandboxConfig) -> tuple[dict[str, list[Record]], Record, Ids]:
    """(records per entity, organization, id sequences) — identical for identical configs."""
    rng = random.Random(cfg.seed)
    ids = Ids()
    warehouses = make_warehouses(cfg, ids, rng)
    items = [make_item(ids, rng, seq + 1, warehouses) for seq in range(cfg.items)]
    for item in items:
        set_stock_totals(item)
    contacts = [make_contact(ids, rng, "customer", n + 1) for n in range(cfg.count("customers"))]
    contacts += [make_contact(ids, rng, "vendor", n + 1) for n in range(cfg.count("vendors"))]
    data: dict[str, list[Any]] = {"warehouses": warehouses, "items": items, "contacts": contacts}
    data["pricebooks"] = make_pricebooks(cfg, ids, rng, items)
    data.update(make_documents(cfg, ids, rng, data))
    data["composite_items"] = make_composites(cfg, ids, rng, items)
    apply_balances(data)
    return data, make_organization(cfg), ids


def make_composites(cfg: SandboxConfig, ids: Ids, rng: random.Random, items: list[Record]) -> list[Record]:
    out = []
    for seq in range(min(cfg.count("composite_items"), len(items) // 3)):
        parts = rng.sample(items, 3)
        rate = round(sum(part["rate"] for part in parts) * 0.9, 2)
        mapped = [{"line_item_id": ids.new("lines"), "item_id": part["item_id"], "item_order": order + 1,
                   "name": part["name"], "sku": part["sku"], "rate": part["rate"], "purchase_rate":
                   part["purchase_rate"], "unit": part["unit"], "description": "", "is_combo_product": False,
                   "quantity": 1, "stock_on_hand": part["stock_on_hand"], "available_stock":
                   part["available_stock"], "actual_available_stock": part["actual_available_stock"],
                   "image_id": part["image_id"], "image_name": part["image_name"], "image_type": part["image_type"]}
                  for order, part in enumerate(parts)]
        kit_stock = min(part["stock_on_hand"] for part in parts)
        record = {
            "composite_item_id": ids.new("composite_items"), "name": f"Bundle {seq + 1}: " + " + ".join(
                part["name"].split(" #")[0] for part in parts[:2]), "sku": f"KIT-{seq + 1:04d}", "status": "active",
            "source": "user", "description": "Accessory bundle", "rate": rate, "purchase_rate": "",
            "purchase_description": "", "tax_id": "", "tax_name": "", "tax_percentage": 0, "is_taxable": False,
            "is_combo_product": True, "combo_type": "kit", "item_type": "inventory", "product_type": "goods",
            "stock_on_hand": kit_stock, "available_stock": kit_stock, "actual_available_stock": kit_stock,
            "upc": "", "ean": "", "isbn": "", "part_number": "", "reorder_level": "", "image_id": "",
            "image_name": "", "image_type": "", "unit": "pcs", "category_id": parts[0]["category_id"],
            "category_name": parts[0]["category_name"], "brand": parts[0]["brand"], "manufacturer":
            parts[0]["manufacturer"], "account_id": parts[0]["account_id"], "account_name": "Sales",
            "purchase_account_id": parts[0]["purchase_account_id"], "purchase_account_name": "Cost of Goods Sold",
            "can_be_sold": True, "can_be_purchased": False, "track_inventory": True, "mapped_items": mapped,
            "custom_fields": [],
        }
        out.append(stamp(record, *random_times(rng)))
    return out


def apply_balances(data: dict[str, list[Record]]) -> None:
    """Contacts' outstanding amounts follow their invoices and bills."""
    contacts = {contact["contact_id"]: contact for contact in data["contacts"]}
    for key, field in (("invoices", "outstanding_receivable_amount"), ("bills", "outstanding_payable_amount")):
        for doc in data.get(key, []):
            contact = contacts[doc["customer_id" if key == "invoices" else "vendor_id"]]
            contact[field] = round(contact[field] + doc["balance"], 2)
            contact["has_transaction"] = True
