"""Sandbox lists and details: envelope, pagination, sorting, filters, stock shapes, errors."""
from __future__ import annotations

import pytest
import requests

from tests.zoho.sandboxkit import Api
from zoho.sandbox import SandboxConfig
from zoho.sandbox.generate import generate


def test_list_envelope_and_page_context(sandbox) -> None:
    body = Api(sandbox).json("/items", per_page=50)
    assert list(body) == ["code", "message", "items", "page_context"]
    assert body["page_context"] == {"page": 1, "per_page": 50, "has_more_page": True, "report_name": "Items",
                                    "applied_filter": "Status.All", "custom_fields": [], "sort_column": "name",
                                    "sort_order": "A"}
    assert all(isinstance(item["item_id"], str) for item in body["items"])


def test_pages_cover_every_record_once_and_the_last_has_no_more(sandbox) -> None:
    api = Api(sandbox)
    items = api.all_pages("/items", "items", per_page=70)
    assert len(items) == 200 and len({i["item_id"] for i in items}) == 200
    assert api.json("/items", page=3, per_page=70)["page_context"]["has_more_page"] is False
    assert api.json("/items", page=9, per_page=70)["items"] == []


def test_per_page_above_200_is_clamped(sandbox_factory) -> None:
    sb = sandbox_factory(items=250)
    body = Api(sb).json("/items", per_page=500)
    assert len(body["items"]) == 200 and body["page_context"]["per_page"] == 200


def test_lists_carry_no_per_warehouse_stock_or_lines(sandbox) -> None:
    api = Api(sandbox)
    item = api.json("/items")["items"][0]
    assert {"stock_on_hand", "available_stock", "actual_available_stock"} <= set(item)
    assert "warehouses" not in item and "locations" not in item
    assert "line_items" not in api.json("/invoices")["invoices"][0]
    assert "line_items" not in api.json("/salesorders")["salesorders"][0]


def test_sorting_by_last_modified_time_both_ways(sandbox) -> None:
    api = Api(sandbox)
    up = api.all_pages("/items", "items", sort_column="last_modified_time", sort_order="A")
    down = api.all_pages("/items", "items", sort_column="last_modified_time", sort_order="D")
    times = [i["last_modified_time"] for i in up]
    assert times == sorted(times) and len(set(times)) > 100
    assert [i["last_modified_time"] for i in down] == sorted(times, reverse=True)


def test_last_modified_time_filters_items_and_the_books_documents_that_document_it(sandbox) -> None:
    api = Api(sandbox)
    items = api.all_pages("/items", "items")
    cut = sorted(i["last_modified_time"] for i in items)[150]
    newer = api.all_pages("/items", "items", last_modified_time=cut)
    assert newer and all(i["last_modified_time"] >= cut for i in newer) and len(newer) < len(items)
    for path, key in (("/bills", "bills"), ("/salesorders", "salesorders"), ("/purchaseorders", "purchaseorders"),
                      ("/vendorpayments", "vendorpayments")):
        every = api.all_pages(path, key, api="books/v3")
        middle = sorted(r["last_modified_time"] for r in every)[len(every) // 2]
        recent = api.all_pages(path, key, api="books/v3", last_modified_time=middle)
        assert recent and len(recent) < len(every) and all(r["last_modified_time"] >= middle for r in recent), path


def test_last_modified_time_is_ignored_where_zoho_does_not_document_it(sandbox) -> None:
    api = Api(sandbox)
    for path, key in (("/contacts", "contacts"), ("/invoices", "invoices"), ("/customerpayments",
                                                                             "customerpayments")):
        everything = api.all_pages(path, key)
        assert api.all_pages(path, key, last_modified_time="2099-01-01T00:00:00+0300") == everything
    for path, key in (("/invoices", "invoices"), ("/creditnotes", "creditnotes")):
        everything = api.all_pages(path, key, api="books/v3")
        assert api.all_pages(path, key, api="books/v3", last_modified_time="2099-01-01T00:00:00+0300") == everything


def test_filter_by_status_and_an_undocumented_contact_type(sandbox) -> None:
    api = Api(sandbox)
    inactive = api.all_pages("/items", "items", filter_by="Status.Inactive")
    assert all(i["status"] == "inactive" for i in inactive)
    assert api.json("/items", filter_by="Status.Inactive")["page_context"]["applied_filter"] == "Status.Inactive"
    # Zoho documents no contact_type filter: the parameter is ignored and the list holds both kinds.
    contacts = api.all_pages("/contacts", "contacts", api="books/v3", contact_type="vendor")
    assert {c["contact_type"] for c in contacts} == {"customer", "vendor"}


@pytest.mark.parametrize("shape", ["warehouses", "locations"])
def test_item_detail_and_itemdetails_carry_the_configured_stock_shape(sandbox_factory, shape: str) -> None:
    sb = sandbox_factory(items=30, stock_shape=shape)
    api = Api(sb)
    ids = [i["item_id"] for i in api.json("/items")["items"]]
    detail = api.json(f"/items/{ids[0]}")["item"]
    other = "locations" if shape == "warehouses" else "warehouses"
    assert shape in detail and other not in detail
    prefix = shape[:-1]
    total = sum(float(row[f"{prefix}_stock_on_hand"] or 0) for row in detail[shape])
    assert total == detail["stock_on_hand"]
    bulk = api.json("/itemdetails", item_ids=",".join(ids[:5]))["items"]
    assert [i["item_id"] for i in bulk] == ids[:5] and all(shape in i for i in bulk)


def test_itemdetails_refuses_more_than_200_ids(sandbox) -> None:
    response = Api(sandbox).get("/itemdetails", item_ids=",".join(str(n) for n in range(201)))
    assert response.status_code == 400 and response.json()["code"] != 0


def test_unknown_paths_404_and_other_methods_405(sandbox) -> None:
    api = Api(sandbox)
    assert api.get("/nothing").status_code == 404 and api.get("/nothing").json()["code"] == 5
    assert api.get("/items/1/whatever").status_code == 404
    posted = api.session.post(f"{sandbox.url}/inventory/v1/items?organization_id=10234695", timeout=5)
    assert posted.status_code == 405
    assert requests.get(f"{sandbox.url}/elsewhere", timeout=5).status_code == 404


def test_a_missing_record_is_1002_with_the_entity_name(sandbox) -> None:
    api = Api(sandbox)
    for path, label in (("/items/123", "Item"), ("/invoices/123", "Invoice"), ("/contacts/1", "Contact")):
        response = api.get(path)
        assert (response.status_code, response.json()) == (404, {"code": 1002, "message": f"{label} does not exist."})


def test_details_and_books_endpoints(sandbox) -> None:
    api = Api(sandbox)
    invoice = api.json("/invoices", api="books/v3")["invoices"][0]
    detail = api.json(f"/invoices/{invoice['invoice_id']}", api="books/v3")["invoice"]
    assert detail["line_items"] and {"line_item_id", "item_id", "name", "sku", "quantity", "rate",
                                     "item_total"} <= set(detail["line_items"][0])
    for path, key in (("/vendorpayments", "vendorpayments"), ("/bills", "bills"), ("/items", "items")):
        assert api.json(path, api="books/v3")[key]
    for path, key in (("/settings/warehouses", "warehouses"), ("/locations", "locations"),
                      ("/pricebooks", "pricebooks"), ("/compositeitems", "composite_items"),
                      ("/inventoryadjustments", "inventory_adjustments"), ("/transferorders", "transfer_orders")):
        assert api.json(path)[key], path


def test_data_is_deterministic_and_consistent() -> None:
    config = SandboxConfig(items=150, seed=11)
    data, _, _ = generate(config)
    again, _, _ = generate(SandboxConfig(items=150, seed=11))
    assert [i["name"] for i in data["items"]] == [i["name"] for i in again["items"]]
    items = {i["item_id"]: i for i in data["items"]}
    contacts = {c["contact_id"]: c for c in data["contacts"]}
    warehouses = {w["warehouse_id"] for w in data["warehouses"]}
    assert 3 <= len(warehouses) <= 5 and 3 <= len(data["pricebooks"]) <= 5
    for invoice in data["invoices"]:
        assert contacts[invoice["customer_id"]]["contact_type"] == "customer"
        assert all(line["item_id"] in items for line in invoice["line_items"])
    for transfer in data["transfer_orders"]:
        assert {transfer["from_location_id"], transfer["to_location_id"]} <= warehouses
    for item in data["items"]:
        assert item["stock_on_hand"] == sum(row[1] or 0 for row in item["_stock"])
    with_images = sum(1 for i in data["items"] if i["image_name"]) / len(items)
    arabic = sum(1 for i in data["items"] if any(f["api_name"] == "cf_name_ar" for f in i["custom_fields"]))
    assert 0.6 <= with_images <= 0.9 and arabic > len(items) / 2


def test_price_lists_carry_no_timestamps_zoho_does_not_document(sandbox) -> None:
    api = Api(sandbox)
    books = api.json("/pricebooks")["pricebooks"]
    book_id = books[0]["pricebook_id"]
    sandbox.store.edit("pricebooks", book_id, {"description": "Edited"})
    new_id = sandbox.store.create("pricebooks", {"name": "Export"})
    after = api.json("/pricebooks")["pricebooks"]
    assert {b["pricebook_id"] for b in after} == {b["pricebook_id"] for b in books} | {new_id}
    assert next(b for b in after if b["pricebook_id"] == book_id)["description"] == "Edited"
    for book in after + [api.json(f"/pricebooks/{book_id}")["pricebook"]]:
        assert "created_time" not in book and "last_modified_time" not in book, book["pricebook_id"]
