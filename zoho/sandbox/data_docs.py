"""Deterministic generation of transactions that reference the master data."""
from __future__ import annotations

import random
from typing import Any

from zoho.sandbox import vocab
from zoho.sandbox.clock import DAY, HISTORY_END, HISTORY_START, make_id, zoho_date
from zoho.sandbox.config import SandboxConfig
from zoho.sandbox.data import Ids, Record, stamp

USD = {"currency_code": "USD", "currency_symbol": "$", "exchange_rate": 1.0, "price_precision": 2}


CREDIT_NOTE_LINE_UNDOCUMENTED = ("sku", "bcy_rate", "tax_name", "tax_type", "tax_percentage", "item_total")


class Docs:
    """Generates the transaction entities from items, contacts and warehouses."""

    def __init__(self, cfg: SandboxConfig, ids: Ids, rng: random.Random, master: dict[str, list[Record]]) -> None:
        self.cfg, self.ids, self.rng = cfg, ids, rng
        self.items = [item for item in master["items"] if item["status"] == "active"] or master["items"]
        self.customers = [c for c in master["contacts"] if c["contact_type"] == "customer"]
        self.vendors = [c for c in master["contacts"] if c["contact_type"] == "vendor"]
        self.warehouses = master["warehouses"]
        self.currency_id = master["contacts"][0]["currency_id"] if master["contacts"] else ""

    def when(self) -> tuple[int, int, int]:
        """(document date, created, modified) epochs."""
        date = self.rng.randint(HISTORY_START, HISTORY_END - 2 * DAY)
        created = date + self.rng.randint(0, 8 * 3600)
        return date, created, min(HISTORY_END, created + self.rng.choice([0, 0, 60, 3600, 5 * DAY, 40 * DAY]))

    def where(self) -> Record:
        warehouse = self.rng.choice(self.warehouses)
        return {"location_id": warehouse["warehouse_id"], "location_name": warehouse["warehouse_name"]}

    def lines(self, *, purchase: bool = False, max_lines: int = 6) -> list[Record]:
        out = []
        for order, item in enumerate(self.rng.sample(self.items, min(len(self.items), self.rng.randint(1, max_lines)))):
            base = item["purchase_rate"] if purchase and item["purchase_rate"] != "" else item["rate"]
            rate = round(base * self.rng.choice([1.0, 1.0, 0.95, 0.9]), 2)
            quantity = self.rng.choice([1, 2, 3, 5, 10, 12, 20, 24, 50])
            out.append({
                "line_item_id": self.ids.new("lines"), "item_id": item["item_id"], "name": item["name"],
                "sku": item["sku"], "description": "", "item_order": order + 1, "bcy_rate": rate, "rate": rate,
                "quantity": quantity, "unit": item["unit"], "discount": 0, "tax_id": "", "tax_name": "",
                "tax_type": "tax", "tax_percentage": 0, "item_total": round(rate * quantity, 2),
                **self.where(), "item_custom_fields": [],
            })
        return out

    def money(self, lines: list[Record]) -> Record:
        sub_total = round(sum(line["item_total"] for line in lines), 2)
        return {"sub_total": sub_total, "tax_total": 0, "total": sub_total, "taxes": []}

    def invoice(self, seq: int) -> Record:
        customer = self.rng.choice(self.customers)
        date, created, modified = self.when()
        lines = self.lines()
        money = self.money(lines)
        status = self.rng.choices(["paid", "sent", "overdue", "partially_paid", "draft", "void"],
                                  [60, 12, 10, 8, 6, 4])[0]
        balance = {"paid": 0.0, "void": 0.0, "partially_paid": round(money["total"] / 2, 2)}.get(status,
                                                                                               money["total"])
        terms = customer["payment_terms"]
        record = {
            "invoice_id": self.ids.new("invoices"), "invoice_number": f"INV-{seq:06d}", "reference_number": "",
            "customer_id": customer["contact_id"], "customer_name": customer["contact_name"], "status": status,
            "date": zoho_date(date), "due_date": zoho_date(date + terms * DAY), "due_days": "",
            "payment_terms": terms, "payment_terms_label": customer["payment_terms_label"],
            "currency_id": self.currency_id, **USD, "discount": 0, "is_discount_before_tax": True,
            "discount_type": "entity_level", "is_inclusive_tax": False, "line_items": lines, **money,
            "balance": balance, "payment_made": round(money["total"] - balance, 2) if status != "void" else 0,
            "credits_applied": 0, "write_off_amount": 0, "shipping_charge": 0, "adjustment": 0,
            "adjustment_description": "", "is_emailed": status != "draft", "is_viewed_by_client": False,
            "has_attachment": False, "reminders_sent": 0, "salesperson_id": "", "salesperson_name": "",
            "billing_address": customer["billing_address"], "shipping_address": customer["shipping_address"],
            "notes": "Thank you for your business.", "terms": "", "custom_fields": [], **self.where(),
        }
        return stamp(record, created, modified)

    def bill(self, seq: int) -> Record:
        vendor = self.rng.choice(self.vendors)
        date, created, modified = self.when()
        lines = self.lines(purchase=True)
        for line in lines:
            line.update(account_id=self.items[0]["purchase_account_id"], account_name="Cost of Goods Sold")
        money = self.money(lines)
        status = self.rng.choices(["paid", "open", "overdue", "partially_paid"], [65, 15, 12, 8])[0]
        balance = {"paid": 0.0, "partially_paid": round(money["total"] / 2, 2)}.get(status, money["total"])
        record = {
            "bill_id": self.ids.new("bills"), "bill_number": f"BILL-{seq:05d}", "purchaseorder_id": "",
            "vendor_id": vendor["contact_id"], "vendor_name": vendor["contact_name"], "status": status,
            "date": zoho_date(date), "due_date": zoho_date(date + 30 * DAY), "due_by_days": "",
            "reference_number": f"PI-{self.rng.randint(10000, 99999)}", "currency_id": self.currency_id, **USD,
            "is_item_level_tax_calc": False, "line_items": lines, **money, "balance": balance,
            "vendor_credits_applied": 0, "unused_credits_payable_amount": 0, "billing_address":
            vendor["billing_address"], "payments": [], "vendor_credits": [], "custom_fields": [], "notes": "",
            "terms": "", "attachment_name": "", "open_purchaseorders_count": 0, **self.where(),
        }
        return stamp(record, created, modified)

    def sales_order(self, seq: int) -> Record:
        customer = self.rng.choice(self.customers)
        date, created, modified = self.when()
        lines = self.lines()
        for line in lines:
            line.update(quantity_invoiced=0, quantity_packed=0, quantity_shipped=0, is_invoiced=False)
        money = self.money(lines)
        record = {
            "salesorder_id": self.ids.new("salesorders"), "salesorder_number": f"SO-{seq:05d}",
            "reference_number": "", "customer_id": customer["contact_id"], "customer_name":
            customer["contact_name"], "status": self.rng.choice(["draft", "confirmed", "closed", "void"]),
            "date": zoho_date(date), "shipment_date": zoho_date(date + 3 * DAY), "currency_id": self.currency_id,
            **USD, "discount": 0, "discount_amount": 0, "is_discount_before_tax": True, "discount_type":
            "entity_level", "is_inclusive_tax": False, "line_items": lines, **money,
            "bcy_total": money["total"], "shipping_charge": 0, "adjustment": 0, "adjustment_description": "",
            "is_emailed": False, "sales_channel": "direct_sales", "pricebook_id": "", "invoices": [],
            "packages": [], "billing_address": customer["billing_address"], "shipping_address":
            customer["shipping_address"], "notes": "", "terms": "", "custom_fields": [],
            "salesperson_id": "", "salesperson_name": "", **self.where(),
        }
        return stamp(record, created, modified)

    def purchase_order(self, seq: int) -> Record:
        vendor = self.rng.choice(self.vendors)
        date, created, modified = self.when()
        lines = self.lines(purchase=True)
        for line in lines:
            line.update(purchase_rate=line["rate"], quantity_received=0)
        money = self.money(lines)
        record = {
            "purchaseorder_id": self.ids.new("purchaseorders"), "purchaseorder_number": f"PO-{seq:05d}",
            "reference_number": "", "vendor_id": vendor["contact_id"], "vendor_name": vendor["contact_name"],
            "status": self.rng.choice(["draft", "issued", "billed", "closed", "cancelled"]),
            "date": zoho_date(date), "delivery_date": zoho_date(date + 20 * DAY),
            "expected_delivery_date": zoho_date(date + 20 * DAY), "currency_id": self.currency_id, **USD,
            "line_items": lines, **money, "billing_address": vendor["billing_address"], "notes": "",
            "terms": "", "is_drop_shipment": False, "is_backorder": False, "custom_fields": [],
            "receives": [], "purchasereceives": [], "bills": [], **self.where(),
        }
        return stamp(record, created, modified)

    def credit_note(self, seq: int) -> Record:
        customer = self.rng.choice(self.customers)
        date, created, modified = self.when()
        lines = self.lines(max_lines=2)
        money = self.money(lines)
        for line in lines:  # Zoho documents no sku, base-currency rate, tax name or total on a credit note's line
            for key in CREDIT_NOTE_LINE_UNDOCUMENTED:
                del line[key]
        status = self.rng.choice(["open", "closed", "closed", "void"])
        record = {
            "creditnote_id": self.ids.new("creditnotes"), "creditnote_number": f"CN-{seq:05d}",
            "reference_number": "", "customer_id": customer["contact_id"], "customer_name":
            customer["contact_name"], "status": status, "date": zoho_date(date), **USD,
            "currency_id": self.currency_id, "line_items": lines, **money,
            "balance": money["total"] if status == "open" else 0.0, "is_emailed": False, "invoices": [],
            "billing_address": customer["billing_address"], "shipping_address": customer["shipping_address"],
            "notes": "", "terms": "", "custom_fields": [], **self.where(),
        }
        return stamp(record, created, modified)

    def customer_payment(self, seq: int, invoice: Record) -> Record:
        date, created, modified = self.when()
        amount = invoice["payment_made"]
        record = {
            "payment_id": self.ids.new("customerpayments"), "payment_number": str(seq),
            "invoice_number": invoice["invoice_number"], "customer_id": invoice["customer_id"],
            "customer_name": invoice["customer_name"], "payment_mode": self.rng.choice(vocab.PAYMENT_MODES),
            "date": invoice["date"], "amount": amount, "bcy_amount": amount, "unused_amount": 0,
            "amount_refunded": 0, "bank_charges": 0, "reference_number": "", "description": "",
            "account_id": make_id("custom_fields", 900004), "account_name": "Petty Cash",
            "currency_id": self.currency_id, "currency_code": "USD", "currency_symbol": "$",
            "exchange_rate": 1.0, "invoices": [{
                "invoice_id": invoice["invoice_id"], "invoice_number": invoice["invoice_number"],
                "date": invoice["date"], "invoice_amount": invoice["total"], "amount_applied": amount,
                "balance_amount": invoice["balance"]}],
            "custom_fields": [], "location_id": invoice["location_id"], "location_name": invoice["location_name"],
        }
        return stamp(record, max(created, invoice["_ctime"]), max(modified, invoice["_ctime"]))

    def vendor_payment(self, seq: int, bill: Record) -> Record:
        date, created, modified = self.when()
        amount = round(bill["total"] - bill["balance"], 2)
        record = {
            "payment_id": self.ids.new("vendorpayments"), "payment_number": str(seq),
            "vendor_id": bill["vendor_id"], "vendor_name": bill["vendor_name"],
            "payment_mode": self.rng.choice(vocab.PAYMENT_MODES), "description": "", "date": bill["date"],
            "reference_number": "", "amount": amount, "balance": 0, "currency_id": self.currency_id,
            "currency_code": "USD", "exchange_rate": 1.0, "paid_through_account_name": "Petty Cash",
            "bills": [{"bill_id": bill["bill_id"], "bill_number": bill["bill_number"], "date": bill["date"],
                       "total": bill["total"], "balance": bill["balance"], "amount_applied": amount}],
            "custom_fields": [],
        }
        return stamp(record, max(created, bill["_ctime"]), max(modified, bill["_ctime"]))

    def adjustment(self, seq: int) -> Record:
        date, created, modified = self.when()
        where = self.where()
        lines = []
        for line in self.lines(max_lines=3):
            quantity = self.rng.choice([-5, -2, -1, 1, 3, 10])
            lines.append({"line_item_id": line["line_item_id"], "item_id": line["item_id"], "name": line["name"],
                          "description": "", "quantity_adjusted": quantity, "item_total": round(
                              line["rate"] * quantity, 2), "unit": line["unit"], **where})
        reason = self.rng.choice(vocab.ADJUSTMENT_REASONS)
        record = {
            "inventory_adjustment_id": self.ids.new("inventory_adjustments"), "date": zoho_date(date),
            "reason": reason, "reason_id": str(vocab.ADJUSTMENT_REASONS.index(reason) + 1), "description": "",
            "reference_number": f"ADJ-{seq:05d}", "adjustment_type": "quantity", "line_items": lines,
            "total": round(sum(line["item_total"] for line in lines), 2), "custom_fields": [], **where,
        }
        return unstamped(record, created, modified)

    def transfer(self, seq: int) -> Record | None:
        if len(self.warehouses) < 2:
            return None
        source, target = self.rng.sample(self.warehouses, 2)
        date, created, modified = self.when()
        lines = [{"line_item_id": line["line_item_id"], "item_id": line["item_id"], "name": line["name"],
                  "description": "", "quantity_transfer": line["quantity"], "unit": line["unit"]}
                 for line in self.lines(max_lines=4)]
        record = {
            "transfer_order_id": self.ids.new("transfer_orders"), "transfer_order_number": f"TO-{seq:05d}",
            "date": zoho_date(date), "description": "", "status": self.rng.choice(["transferred", "in_transit"]),
            "from_location_id": source["warehouse_id"], "from_location_name": source["warehouse_name"],
            "to_location_id": target["warehouse_id"], "to_location_name": target["warehouse_name"],
            "is_intransit_order": False, "line_items": lines, "custom_fields": [],
        }
        return unstamped(record, created, modified)


def unstamped(record: Record, created: int, modified: int) -> Record:
    """Zoho documents no created/modified times for adjustments and transfers: only the private clock is set."""
    record["_ctime"], record["_mtime"] = created, modified
    return record


def make_documents(cfg: SandboxConfig, ids: Ids, rng: random.Random,
                   master: dict[str, list[Record]]) -> dict[str, list[Any]]:
    docs = Docs(cfg, ids, rng, master)
    if not docs.customers or not docs.vendors or not docs.items:
        return {}
    out: dict[str, list[Any]] = {
        "invoices": [docs.invoice(n + 1) for n in range(cfg.count("invoices"))],
        "bills": [docs.bill(n + 1) for n in range(cfg.count("bills"))],
        "salesorders": [docs.sales_order(n + 1) for n in range(cfg.count("salesorders"))],
        "purchaseorders": [docs.purchase_order(n + 1) for n in range(cfg.count("purchaseorders"))],
        "creditnotes": [docs.credit_note(n + 1) for n in range(cfg.count("creditnotes"))],
        "inventory_adjustments": [docs.adjustment(n + 1) for n in range(cfg.count("inventory_adjustments"))],
    }
    out["transfer_orders"] = [t for t in (docs.transfer(n + 1) for n in range(cfg.count("transfer_orders"))) if t]
    paid = [invoice for invoice in out["invoices"] if invoice["payment_made"]]
    out["customerpayments"] = [docs.customer_payment(n + 1, invoice)
                               for n, invoice in enumerate(paid[:cfg.count("customerpayments")])]
    paid_bills = [bill for bill in out["bills"] if bill["balance"] < bill["total"]]
    out["vendorpayments"] = [docs.vendor_payment(n + 1, bill)
                             for n, bill in enumerate(paid_bills[:cfg.count("vendorpayments")])]
    return out
