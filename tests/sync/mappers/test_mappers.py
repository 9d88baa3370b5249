"""Mappers: Zoho-shaped dicts (the OAS examples and sandbox-like records) to mirror rows."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from sync.mappers import common, contacts, documents, items

FIXTURES = Path(__file__).with_name("fixtures") / "inv_examples.json"  # Zoho's documented example bodies
BAGHDAD = timezone(timedelta(hours=3))


def _example(key: str, entity: str) -> dict:
    if not FIXTURES.exists():
        pytest.skip("reference fixtures not available")
    body = json.loads(FIXTURES.read_text())[key]
    return body[entity][0] if isinstance(body[entity], list) else body[entity]


ITEM = {
    "item_id": "4611000000000001", "name": "Speaker", "status": "active", "rate": 23.48, "purchase_rate": "",
    "sku": "TSH-1", "unit": "pcs", "brand": "Baseus", "stock_on_hand": 503, "available_stock": 442,
    "last_modified_time": "2025-11-18T02:02:51+0300", "image_document_id": "4626000000000001",
    "custom_fields": [{"customfield_id": "1", "label": "Arabic Name", "api_name": "cf_name_ar", "value": "سماعة"},
                      {"customfield_id": "2", "label": "Arabic Description", "api_name": "cf_description_ar",
                       "value": "وصف"}],
}


def test_item_ids_money_timestamps_and_arabic():
    row = items.map_item(ITEM)
    assert row["zoho_item_id"] == "4611000000000001"
    assert row["unit_price"] == Decimal("23.48") and isinstance(row["unit_price"], Decimal)
    assert row["cost_price"] is None  # "" is NULL, never 0
    assert row["zoho_last_modified"] == datetime(2025, 11, 18, 2, 2, 51, tzinfo=BAGHDAD)
    assert row["zoho_last_modified"].astimezone(UTC).hour == 23
    assert (row["name_ar"], row["description_ar"]) == ("سماعة", "وصف")
    assert row["stock_quantity"] == Decimal(503) and row["is_active"] is True
    assert row["raw"] is ITEM


def test_numeric_ids_from_old_examples_become_strings():
    row = items.map_item(_example("items.yml GET /items", "items"))
    assert row["zoho_item_id"] == "4815000000044208" and row["unit_price"] == Decimal(6)


def test_is_active_follows_status():
    assert items.map_item({**ITEM, "status": "inactive"})["is_active"] is False
    assert contacts.map_customer({"contact_id": "1", "contact_name": "A", "status": "active"})["is_active"]


def test_arabic_field_names_are_configurable(settings):
    settings.TDS_ARABIC_NAME_FIELDS = ["Nom arabe"]
    record = {**ITEM, "custom_fields": [{"label": "Nom arabe", "value": "اسم"}]}
    assert items.map_item(record)["name_ar"] == "اسم"
    assert items.map_item({**ITEM, "custom_fields": []})["name_ar"] == ""


def test_name_ar_style_field_wins():
    assert items.map_item({**ITEM, "name_ar": "مباشر"})["name_ar"] == "مباشر"


@pytest.mark.parametrize("prefix", ["warehouse", "location"])
def test_stock_levels_in_both_shapes(prefix):
    detail = {"item_id": "1", f"{prefix}s": [
        {f"{prefix}_id": "W1", f"{prefix}_name": "Main", f"{prefix}_stock_on_hand": 10,
         f"{prefix}_committed_stock": 2, f"{prefix}_available_for_sale_stock": 8},
        {f"{prefix}_id": "W2", f"{prefix}_name": "Erbil", f"{prefix}_stock_on_hand": "",
         f"{prefix}_available_stock": ""}]}
    levels = items.stock_levels(detail)
    assert [(lv["zoho_warehouse_id"], lv["stock_on_hand"], lv["available_for_sale"]) for lv in levels] == [
        ("W1", Decimal(10), Decimal(8)), ("W2", None, None)]
    assert items.map_item({**detail, "item_id": "1", "name": "x"})["stock_quantity"] == Decimal(10)


def test_oas_location_example_stock_strings_are_null():
    levels = items.stock_levels(_example("items.yml GET /items/{item_id}", "item"))
    assert levels[0]["zoho_warehouse_id"] == "460000000038080" and levels[0]["stock_on_hand"] is None


def test_warehouse_and_location_shapes():
    legacy = items.map_warehouse({"warehouse_id": "5", "warehouse_name": "Main", "is_primary": True})
    location = items.map_warehouse(_example("locations.yml GET /locations", "locations"))
    assert (legacy["zoho_warehouse_id"], legacy["kind"], legacy["is_primary"]) == ("5", "warehouse", True)
    assert (location["zoho_warehouse_id"], location["name"], location["kind"]) == (
        "460000000038080", "Head Office", "location")


def test_contacts_split_money():
    customer = contacts.map_customer(_example("contacts.yml GET /contacts", "contacts"))
    assert customer["zoho_contact_id"] == "460000000026049"
    assert customer["outstanding_receivable"] == Decimal(250) and customer["payment_terms"] == 15
    assert contacts.map_vendor({"contact_id": "9", "contact_name": "V", "outstanding_payable_amount": ""})[
        "outstanding_payable"] is None


def test_documents_and_lines():
    invoice = documents.map_invoice(_example("invoices.yml GET /invoices", "invoices"))
    assert invoice["zoho_invoice_id"] == "982000000567114" and invoice["zoho_customer_id"] == "982000000567001"
    assert invoice["total"] == Decimal("40.6") and str(invoice["date"]) == "2013-11-17"
    bill = _example("bills.yml GET /bills", "bills")
    lines = documents.line_items(bill)
    assert lines and lines[0]["zoho_line_item_id"] == "4815000000044897"
    assert documents.line_items({"invoice_id": "1"}) is None  # a list record: lines untouched


def test_price_list_items():
    rows = items.price_list_items(_example("pricelists.yml GET /pricebooks", "pricebooks"))
    assert rows[0]["zoho_item_id"] == "17775000000227648" and rows[0]["rate"] == Decimal(22)


@pytest.mark.parametrize("value, expected", [
    ("2025-11-18T02:02:51+0300", datetime(2025, 11, 18, 2, 2, 51, tzinfo=BAGHDAD)),
    ("2016-06-05T02:30:08-0700", datetime(2016, 6, 5, 9, 30, 8, tzinfo=UTC)),
    ("2015-05-28 00:00:00+00:00", datetime(2015, 5, 28, tzinfo=UTC)),
    ("2013-01-24", datetime(2013, 1, 24, tzinfo=UTC)),
    ("2015-05-28T00:00:00.000Z", datetime(2015, 5, 28, tzinfo=UTC)),
    ("2025-11-18T02:02:51+03:00", datetime(2025, 11, 18, 2, 2, 51, tzinfo=BAGHDAD)),
    ("", None), (None, None),
])
def test_timestamps(value, expected):
    assert common.timestamp(value) == expected


@pytest.mark.parametrize("value, reason", [
    ("2025-11-18T02:02:51", "has no time zone"), ("2025-11-18 02:02:51", "has no time zone"),
    ("garbage", "is not a Zoho timestamp"), ("2025-13-45", "is not a date"), (1763420571, "JSON number"),
    ({"a": 1}, "JSON object"), ("9999-12-31T23:59:59-1400", "cannot be stored"),
])
def test_a_timestamp_without_a_zone_or_unreadable_is_unreadable_never_guessed(value, reason):
    result = common.timestamp(value)
    assert isinstance(result, common.Unreadable) and reason in result.reason


def test_money_never_goes_through_float():
    assert common.money(0.1) == Decimal("0.1") and common.money("1,250.75") == Decimal("1250.75")
    assert common.money("") is None and common.money(None) is None


@pytest.mark.parametrize("convert, value, reason", [
    (common.money, True, "true/false is not a number"), (common.money, "abc", "'abc' is not a number"),
    (common.money, {"a": 1}, "object is not a number"), (common.integer, "15.5", "not a whole number"),
    (common.text, {"a": 1}, "object is not text"), (common.text, ["x"], "array is not text"),
    (common.text, True, "true/false is not text"), (common.day, "someday", "is not a date"),
])
def test_values_of_the_wrong_type_are_unreadable_never_a_repr_or_null(convert, value, reason):
    result = convert(value)
    assert isinstance(result, common.Unreadable) and reason in result.reason


def test_text_keeps_numbers_as_their_digits_and_never_cuts():
    assert (common.text(42), common.text(1.5), common.text(" x ")) == ("42", "1.5", "x")
    assert common.text("x" * 5000) == "x" * 5000
