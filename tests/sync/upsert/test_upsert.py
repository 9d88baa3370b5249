"""The one upsert with Zoho-shaped dicts: hash skip, stale guard, batch dedupe, FKs, lines, audit."""
from __future__ import annotations

from decimal import Decimal

import pytest

from sync.entities import UnknownEntity, resolve_entities, topological_order
from sync.models import AuditEntry, Customer, Invoice, InvoiceLine, Product
from sync.upsert.records import upsert_records

pytestmark = pytest.mark.django_db


def item(item_id="1", modified="2025-11-18T02:02:51+0300", **extra):
    return {"item_id": item_id, "name": f"Item {item_id}", "status": "active", "rate": 10, "purchase_rate": "",
            "sku": f"SKU-{item_id}", "last_modified_time": modified, **extra}


def invoice(lines, modified="2025-11-18T02:02:51+0300", **extra):
    return {"invoice_id": "900", "invoice_number": "INV-1", "customer_id": "77", "date": "2025-11-01",
            "total": 30, "balance": "", "status": "sent", "last_modified_time": modified,
            "line_items": [{"line_item_id": n, "item_id": "1", "name": "x", "quantity": 1, "rate": 10}
                           for n in lines], **extra}


def test_create_then_unchanged_then_update():
    first = upsert_records(entity="items", records=[item("1"), item("2")])
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert sorted(first.changed_ids) == ["1", "2"]
    again = upsert_records(entity="items", records=[item("1"), item("2")])
    assert (again.created, again.updated, again.unchanged, again.changed_ids) == (0, 0, 2, [])
    newer = upsert_records(entity="items", records=[item("1", "2025-11-19T10:00:00+0300", rate=12.5)])
    assert (newer.updated, newer.changed_ids) == (1, ["1"])
    assert Product.objects.get(zoho_item_id="1").unit_price == Decimal("12.5")
    audit = AuditEntry.objects.filter(zoho_id="1", action="update").values_list("field", "old_value", "new_value")
    assert ("unit_price", "10", "12.5") in list(audit)
    assert AuditEntry.objects.filter(action="create").count() == 2  # a create is one entry


def test_an_older_version_never_wins():
    upsert_records(entity="items", records=[item("1", "2025-11-19T10:00:00+0300", name="new")])
    stale = upsert_records(entity="items", records=[item("1", "2025-11-18T10:00:00+0300", name="old")])
    assert (stale.skipped, stale.updated) == (1, 0)
    assert Product.objects.get(zoho_item_id="1").name == "new"


def test_newest_record_per_key_within_a_batch_wins():
    result = upsert_records(entity="items", records=[
        item("1", "2025-11-19T10:00:00+0300", name="newest"), item("1", "2025-11-18T10:00:00+0300", name="older")])
    assert (result.created, result.skipped) == (1, 1)
    assert Product.objects.get(zoho_item_id="1").name == "newest"


def test_force_rewrites_a_row_edited_outside_tds_but_never_a_newer_one():
    upsert_records(entity="items", records=[item("1", rate=10)])
    Product.objects.filter(zoho_item_id="1").update(unit_price=99)  # another app wrote the mirror
    assert upsert_records(entity="items", records=[item("1", rate=10)]).unchanged == 1
    repaired = upsert_records(entity="items", records=[item("1", rate=10)], force=True)
    assert (repaired.updated, repaired.changed_ids) == (1, ["1"])
    assert Product.objects.get(zoho_item_id="1").unit_price == Decimal("10")
    stale = upsert_records(entity="items", records=[item("1", "2025-11-01T00:00:00+0300")], force=True)
    assert (stale.skipped, stale.updated) == (1, 0)


def test_a_bad_record_fails_alone():
    result = upsert_records(entity="items", records=[item("1"), {"name": "no id"}, item("2", rate="abc"), item("3")])
    assert (result.created, result.failed) == (2, 2)  # "abc" is not a rate: refused, not stored as NULL
    assert sorted(Product.objects.values_list("zoho_item_id", flat=True)) == ["1", "3"]
    assert [r.message for r in result.refusals] == ["items (no id) refused: no item_id",
                                                     "items 2 refused: unit_price: 'abc' is not a number"]


def test_dry_run_counts_and_writes_nothing():
    result = upsert_records(entity="items", records=[item("1")], dry_run=True)
    assert result.created == 1 and not Product.objects.exists() and not AuditEntry.objects.exists()


def test_document_fk_and_lines_replaced_when_header_changes():
    Customer.objects.create(zoho_contact_id="77", name="Bowman")
    upsert_records(entity="items", records=[item("1")])
    upsert_records(entity="invoices", records=[invoice(["101", "102"])])
    inv = Invoice.objects.get(zoho_invoice_id="900")
    assert inv.customer.name == "Bowman" and inv.balance is None
    assert sorted(inv.lines.values_list("zoho_line_item_id", flat=True)) == ["101", "102"]
    assert inv.lines.first().product.zoho_item_id == "1"
    upsert_records(entity="invoices", records=[invoice(["103"], "2025-11-20T00:00:00+0300", total=10)])
    assert list(InvoiceLine.objects.values_list("zoho_line_item_id", flat=True)) == ["103"]


def test_a_document_that_came_before_its_customer_and_products_is_linked_when_they_arrive():
    upsert_records(entity="invoices", records=[invoice(["101", "102"])])
    inv = Invoice.objects.get(zoho_invoice_id="900")
    assert inv.customer is None and inv.zoho_customer_id == "77"
    assert list(inv.lines.values_list("product", flat=True)) == [None, None]
    upsert_records(entity="customers", records=[
        {"contact_id": "77", "contact_name": "Bowman", "contact_type": "customer",
         "last_modified_time": "2025-11-18T02:02:51+0300"}])
    upsert_records(entity="items", records=[item("1")])
    inv.refresh_from_db()
    assert inv.customer.name == "Bowman"
    assert {line.product.zoho_item_id for line in inv.lines.all()} == {"1"}
    assert Invoice.objects.filter(customer__isnull=True).count() == 0


def test_webhook_source_is_recorded_in_the_audit_trail():
    upsert_records(entity="items", records=[item("5")], source="webhook")
    assert AuditEntry.objects.get(zoho_id="5").source == "webhook"


@pytest.mark.postgres
def test_hash_is_stored_whole_on_postgresql():
    upsert_records(entity="items", records=[item("1")])
    product = Product.objects.get(zoho_item_id="1")
    assert len(product.content_hash) == 64
    assert upsert_records(entity="items", records=[item("1")]).unchanged == 1


def test_entity_names_aliases_and_order():
    assert resolve_entities(["products"]) == ["items"]
    order = topological_order()
    assert order.index("warehouses") < order.index("items") < order.index("price_lists")
    assert order.index("customers") < order.index("invoices") and order.index("vendors") < order.index("bills")
    # Planned: every list-only entity before the ones that cost a Zoho call per record (detail lines, images).
    assert resolve_entities(None)[-8:] == ["composite_items", "bills", "invoices", "purchase_orders", "sales_orders",
                                           "credit_notes", "stock_adjustments", "transfer_orders"]
    assert resolve_entities(["invoices", "customers", "stock", "images", "customer_payments"]) == [
        "customers", "customer_payments", "stock", "invoices", "images"]
    with pytest.raises(UnknownEntity, match="valid: warehouses, items"):
        resolve_entities(["gadgets"])
    assert "images" in resolve_entities(["images"])
