"""Deterministic generation of the master data (org, warehouses, items, contacts, price lists).

Records are plain dicts holding every field the list and detail renderings need; keys starting
with "_" are internal (epoch times, per-warehouse stock) and never rendered as such.
Transactions (invoices, bills, ...) come from data_docs.py.
"""
from __future__ import annotations

import random
from typing import Any

from zoho.sandbox import vocab
from zoho.sandbox.clock import DAY, HISTORY_END, HISTORY_START, make_id, zoho_time
from zoho.sandbox.config import SandboxConfig

Record = dict[str, Any]
CATEGORY_IDS = {category: make_id("custom_fields", 500000 + index)
                for index, category in enumerate(sorted({product[2] for product in vocab.PRODUCTS}))}


class Ids:
    """Sequential Zoho-looking ids per entity (continued by the store for new records)."""

    def __init__(self) -> None:
        self.next_seq: dict[str, int] = {}

    def new(self, entity: str) -> str:
        seq = self.next_seq.get(entity, 1)
        self.next_seq[entity] = seq + 1
        return make_id(entity, seq)


def stamp(record: Record, created: int, modified: int) -> Record:
    record["_ctime"], record["_mtime"] = created, modified
    record["created_time"], record["last_modified_time"] = zoho_time(created), zoho_time(modified)
    return record


def random_times(rng: random.Random) -> tuple[int, int]:
    created = rng.randint(HISTORY_START, HISTORY_END - DAY)
    return created, rng.randint(created, HISTORY_END)


def custom_field(ids: Ids, index: int, label: str, api_name: str, value: str) -> Record:
    return {"customfield_id": ids.new("custom_fields"), "index": index, "label": label, "api_name": api_name,
            "data_type": "string", "value": value}


def make_organization(cfg: SandboxConfig) -> Record:
    return {
        "organization_id": cfg.organization_id, "name": cfg.organization_name, "contact_name": "Sandbox Admin",
        "email": "admin@sandbox.example", "is_default_org": True, "plan_type": 0, "plan_name": "PREMIUM",
        "plan_period": "yearly", "language_code": "en", "fiscal_year_start_month": 0,
        "account_created_date": "2023-01-01", "account_created_date_formatted": "01/01/2023",
        "time_zone": "Asia/Baghdad", "is_org_active": True, "currency_id": make_id("custom_fields", 999999),
        "currency_code": "USD", "currency_symbol": "$", "currency_format": "###,##0.00", "price_precision": 2,
    }


def make_warehouses(cfg: SandboxConfig, ids: Ids, rng: random.Random) -> list[Record]:
    count = max(1, min(cfg.count("warehouses"), len(vocab.WAREHOUSES)))
    out = []
    for index, (name, city) in enumerate(vocab.WAREHOUSES[:count]):
        out.append(stamp({
            "warehouse_id": ids.new("warehouses"), "warehouse_name": name, "attention": "",
            "address": f"{rng.randint(1, 90)} Industrial St.", "city": city, "state": city, "country": "Iraq",
            "zip": f"{10000 + rng.randint(0, 8999)}", "phone": f"+964 770 {rng.randint(1000000, 9999999)}",
            "email": f"{city.lower()}@sandbox.example", "is_primary": index == 0, "status": "active",
            "is_storage_location_enabled": False,
        }, HISTORY_START, HISTORY_START))
    return out


def _item_names(rng: random.Random, seq: int) -> tuple[str, str, str, tuple[float, float], str]:
    product, product_ar, category, prices = vocab.PRODUCTS[rng.randrange(len(vocab.PRODUCTS))]
    brand = vocab.BRANDS[rng.randrange(len(vocab.BRANDS))]
    colour, colour_ar = vocab.COLOURS[rng.randrange(len(vocab.COLOURS))]
    name = f"{brand} {product} {colour} #{seq}"
    return name, f"{product_ar} {brand} {colour_ar}", category, prices, brand


def make_item(ids: Ids, rng: random.Random, seq: int, warehouses: list[Record]) -> Record:
    item_id = ids.new("items")
    name, name_ar, category, (low, high), brand = _item_names(rng, seq)
    rate = round(rng.uniform(low, high), 2)
    created, modified = random_times(rng)
    item: Record = {
        "item_id": item_id, "name": name, "sku": f"TSH-{seq:06d}", "status": "active" if rng.random() > 0.06
        else "inactive", "source": "user", "is_linked_with_zohocrm": False, "item_type": "inventory",
        "product_type": "goods", "description": f"{name} - original {brand} accessory", "rate": rate,
        "purchase_rate": round(rate * rng.uniform(0.55, 0.85), 2) if rng.random() > 0.05 else "",
        "purchase_description": "", "is_taxable": False, "tax_id": "", "tax_name": "", "tax_percentage": 0,
        "tax_type": "", "is_combo_product": False, "reorder_level": rng.choice([5, 10, 20, ""]),
        "upc": "", "ean": f"69{rng.randint(10**10, 10**11 - 1)}" if rng.random() > 0.3 else "", "isbn": "",
        "part_number": f"{brand[:3].upper()}-{rng.randint(1000, 9999)}", "hsn_or_sac": "", "brand": brand,
        "manufacturer": vocab.MANUFACTURERS.get(brand, f"{brand} Technology"), "category_id": CATEGORY_IDS[category],
        "category_name": category, "unit": rng.choice(vocab.UNITS), "has_attachment": False,
        "account_id": make_id("custom_fields", 900001), "account_name": "Sales",
        "purchase_account_id": make_id("custom_fields", 900002), "purchase_account_name": "Cost of Goods Sold",
        "inventory_account_id": make_id("custom_fields", 900003), "can_be_sold": True, "can_be_purchased": True,
        "track_inventory": True, "vendor_id": "", "vendor_name": "", "item_tax_preferences": [],
        "custom_fields": _item_custom_fields(ids, rng, name_ar, category),
    }
    _assign_image(item, ids, rng)
    item["_stock"] = _stock_rows(rng, warehouses)
    return stamp(item, created, modified)


def _item_custom_fields(ids: Ids, rng: random.Random, name_ar: str, category: str) -> list[Record]:
    fields = []
    if rng.random() < 0.68:
        fields.append(custom_field(ids, 1, "Arabic Name", "cf_name_ar", name_ar))
        if rng.random() < 0.6:
            fields.append(custom_field(ids, 2, "Arabic Description", "cf_description_ar",
                                       f"{name_ar} - منتج أصلي، ضمان سنة"))
    return fields


def _assign_image(item: Record, ids: Ids, rng: random.Random) -> None:
    item["_image_version"] = 0
    if rng.random() < 0.75:
        ext = rng.choice(["jpg", "jpg", "jpeg", "png", "webp"])
        document_id = ids.new("images")
        item.update(image_name=f"{item['sku'].lower()}.{ext}", image_type=ext,
                    image_document_id=document_id, image_id=document_id)
    else:
        item.update(image_name="", image_type="", image_document_id="", image_id="")


def _stock_rows(rng: random.Random, warehouses: list[Record]) -> list[list[Any]]:
    """[[warehouse_id, stock_on_hand or None (never stocked there), committed], ...]."""
    rows = []
    for index, warehouse in enumerate(warehouses):
        if index and rng.random() < 0.08:
            rows.append([warehouse["warehouse_id"], None, 0])
            continue
        on_hand = 0 if rng.random() < 0.15 else rng.randint(1, 600)
        rows.append([warehouse["warehouse_id"], on_hand, rng.randint(0, on_hand // 5)])
    return rows


def set_stock_totals(item: Record) -> None:
    """Totals = sums over warehouses (a never-stocked warehouse counts as 0)."""
    on_hand = sum(row[1] or 0 for row in item["_stock"])
    committed = sum(row[2] for row in item["_stock"])
    available = on_hand - committed
    item.update(stock_on_hand=on_hand, available_stock=available, actual_available_stock=available,
                committed_stock=committed, actual_committed_stock=committed,
                available_for_sale_stock=available, actual_available_for_sale_stock=available)


def make_contact(ids: Ids, rng: random.Random, contact_type: str, seq: int) -> Record:
    first, first_ar = rng.choice(vocab.FIRST_NAMES)
    last, last_ar = rng.choice(vocab.LAST_NAMES)
    city = rng.choice(vocab.CITIES)
    if contact_type == "customer":
        word, word_ar = rng.choice(vocab.SHOP_WORDS)
        company, company_ar = f"{first} {word} {city} {seq}", f"{word_ar} {first_ar} {seq}"
    else:
        company, company_ar = rng.choice(vocab.VENDOR_NAMES).format(rng.choice(vocab.BRANDS)) + f" {seq}", ""
    terms = rng.choice([0, 15, 30, 45])
    contact: Record = {
        "contact_id": ids.new("contacts"), "contact_name": company, "company_name": company,
        "contact_type": contact_type, "status": "active" if rng.random() > 0.05 else "inactive",
        "payment_terms": terms, "payment_terms_label": f"Net {terms}" if terms else "Due on Receipt",
        "currency_id": make_id("custom_fields", 999999), "currency_code": "USD", "currency_symbol": "$",
        "outstanding_receivable_amount": 0.0, "outstanding_payable_amount": 0.0,
        "unused_credits_receivable_amount": 0.0, "unused_credits_payable_amount": 0.0,
        "first_name": first, "last_name": last, "email": f"{first.lower()}.{seq}@{contact_type}.example",
        "phone": f"+964 780 {rng.randint(1000000, 9999999)}", "mobile": f"+964 750 {rng.randint(1000000, 9999999)}",
        "website": "", "notes": "", "payment_reminder_enabled": True, "has_transaction": False,
        "billing_address": _address(rng, city), "shipping_address": _address(rng, city),
        "contact_persons": [], "custom_fields": [],
    }
    if company_ar and rng.random() < 0.4:
        contact["custom_fields"].append(custom_field(ids, 1, "Arabic Name", "cf_name_ar", company_ar))
    return stamp(contact, *random_times(rng))


def _address(rng: random.Random, city: str) -> Record:
    return {"attention": "", "address": f"Street {rng.randint(1, 80)}, District {rng.randint(100, 999)}",
            "street2": "", "city": city, "state": city, "zip": "", "country": "Iraq", "fax": "", "phone": ""}


def make_pricebooks(cfg: SandboxConfig, ids: Ids, rng: random.Random, items: list[Record]) -> list[Record]:
    count = max(1, min(cfg.count("pricebooks"), len(vocab.PRICEBOOKS)))
    factors = {"Consumer": (1.0, 1.12), "Wholesale": (0.82, 0.9), "Partner": (0.75, 0.85)}
    books = []
    for index, (name, kind) in enumerate(vocab.PRICEBOOKS[:count]):
        book: Record = {
            "pricebook_id": ids.new("pricebooks"), "name": name, "description": f"{name} prices (USD)",
            "currency_id": make_id("custom_fields", 999999), "currency_code": "USD", "decimal_place": 2,
            "is_default": index == 0, "is_increase": kind != "fixed_percentage", "pricebook_type": kind,
            "percentage": rng.choice([5, 8, 10]) if kind == "fixed_percentage" else "",
            "pricing_scheme": "unit", "rounding_type": "no_rounding", "sales_or_purchase_type": "sales",
            "status": "active", "pricebook_items": [],
        }
        if kind == "per_item":
            low, high = factors.get(name, (0.8, 0.95))
            for item in items:
                if rng.random() < 0.85:
                    book["pricebook_items"].append({
                        "pricebook_item_id": ids.new("pricebook_items"), "item_id": item["item_id"],
                        "pricebook_rate": round(item["rate"] * rng.uniform(low, high), 2),
                        "pricebook_discount": "", "pricing_scheme": "unit", "price_brackets": []})
        # Zoho documents no created/modified times for price lists: only the private clock is set.
        book["_ctime"] = book["_mtime"] = HISTORY_START
        books.append(book)
    return books
