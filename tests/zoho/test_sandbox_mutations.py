"""Sandbox mutation API (Python and HTTP), counters and the webhook sender."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import requests

from tests.zoho.sandboxkit import Api


def test_edit_bumps_last_modified_time_and_shows_in_the_incremental_list(sandbox) -> None:
    api = Api(sandbox)
    item = api.json("/items", sort_column="last_modified_time", sort_order="D")["items"][0]
    watermark = item["last_modified_time"]
    target = api.json("/items", sort_column="last_modified_time", sort_order="A")["items"][0]
    sandbox.store.edit("items", target["item_id"], {"rate": 12.5})
    changed = api.all_pages("/items", "items", last_modified_time=watermark)
    edited = next(i for i in changed if i["item_id"] == target["item_id"])
    assert edited["rate"] == 12.5 and edited["last_modified_time"] > target["last_modified_time"]
    first = sandbox.store.get("items", target["item_id"])["_mtime"]
    sandbox.store.bump("items", target["item_id"])
    assert sandbox.store.get("items", target["item_id"])["_mtime"] > first  # strictly increasing


def test_deleted_records_vanish_and_their_detail_is_1002(sandbox) -> None:
    api = Api(sandbox)
    invoice_id = api.json("/invoices")["invoices"][0]["invoice_id"]
    sandbox.store.delete("invoices", invoice_id)
    assert invoice_id not in {i["invoice_id"] for i in api.all_pages("/invoices", "invoices")}
    response = api.get(f"/invoices/{invoice_id}")
    assert (response.status_code, response.json()["code"]) == (404, 1002)


def test_created_records_are_served(sandbox) -> None:
    api = Api(sandbox)
    item_id = sandbox.store.create("items", {"name": "Brand New Cable", "rate": 3.25})
    assert api.json(f"/items/{item_id}")["item"]["name"] == "Brand New Cable"
    contact_id = sandbox.store.create("contacts", {"contact_name": "New Shop", "contact_type": "customer"})
    assert api.json(f"/contacts/{contact_id}")["contact"]["contact_name"] == "New Shop"


def test_change_image_gives_new_bytes_and_document_id(sandbox) -> None:
    api = Api(sandbox)
    item = next(i for i in sandbox.store.list("items") if i["image_name"])
    before = api.get(f"/items/{item['item_id']}/image").content
    sandbox.store.change_image(item["item_id"])
    after = api.get(f"/items/{item['item_id']}/image").content
    assert before != after
    assert sandbox.store.get("items", item["item_id"])["image_document_id"] != item["image_document_id"]


def test_set_stock_keeps_totals_equal_to_the_warehouse_sum(sandbox) -> None:
    item_id = sandbox.store.ids_of("items")[0]
    warehouse_id = sandbox.store.ids_of("warehouses")[1]
    sandbox.store.set_stock(item_id, warehouse_id, 777, committed=7)
    detail = Api(sandbox).json(f"/items/{item_id}")["item"]
    row = next(w for w in detail["warehouses"] if w["warehouse_id"] == warehouse_id)
    assert row["warehouse_stock_on_hand"] == 777 and row["warehouse_available_stock"] == 770
    assert detail["stock_on_hand"] == sum(w["warehouse_stock_on_hand"] or 0 for w in detail["warehouses"])


def test_counters_per_endpoint_template(sandbox) -> None:
    api = Api(sandbox)
    sandbox.calls.reset()
    item_id = api.json("/items")["items"][0]["item_id"]
    api.get(f"/items/{item_id}")
    api.get(f"/items/{item_id}")
    assert sandbox.calls.by_endpoint() == {"GET /inventory/v1/items": 1, "GET /inventory/v1/items/{id}": 2}
    assert sandbox.calls.total() == 3 and sandbox.calls.by_status() == {200: 3}


def test_the_private_http_api_drives_a_sandbox_from_another_process(sandbox) -> None:
    control = f"{sandbox.url}/_sandbox"
    item_id = sandbox.store.ids_of("items")[0]
    assert requests.post(f"{control}/edit", json={"entity": "items", "id": item_id, "changes": {"rate": 9.99}},
                         timeout=5).json() == {"ok": True}
    assert sandbox.store.get("items", item_id)["rate"] == 9.99
    new_id = requests.post(f"{control}/create", json={"entity": "items", "fields": {"name": "Via HTTP"}},
                           timeout=5).json()["id"]
    requests.post(f"{control}/delete", json={"entity": "items", "id": new_id}, timeout=5)
    assert sandbox.store.get("items", new_id) is None
    requests.post(f"{control}/faults", json={"faults": "5xx=1.0"}, timeout=5)
    assert Api(sandbox).get("/items").status_code == 500
    counters = requests.get(f"{control}/counters", timeout=5).json()
    assert counters["by_endpoint"]["GET /inventory/v1/items"] == 1 and counters["faults"]["5xx"] == 1
    refused = requests.post(f"{control}/edit", json={"entity": "items", "id": "nope"}, timeout=5)
    assert refused.status_code == 400
    records = requests.get(f"{control}/records/items", timeout=5).json()["records"]
    assert len(records) == len(sandbox.store.ids_of("items"))


class _Receiver(BaseHTTPRequestHandler):
    deliveries: list[tuple[dict[str, str], bytes, str]] = []

    def do_POST(self) -> None:  # stdlib name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.deliveries.append((dict(self.headers), body, self.path))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


def _receiver() -> tuple[HTTPServer, str]:
    _Receiver.deliveries = []
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/hook"


def test_webhooks_are_zoho_shaped_and_signed(sandbox) -> None:
    server, url = _receiver()
    try:
        item_id = sandbox.store.ids_of("items")[0]
        assert sandbox.send_webhook(url, entity="item", record_id=item_id, secret="sandboxsecret123") == 200
        invoice_id = sandbox.store.ids_of("invoices")[0]
        sandbox.send_webhook(url, entity="invoice", record_id=invoice_id, secret="sandboxsecret123", fmt="form",
                             token="tok")
    finally:
        server.shutdown()
    (headers, body, _), (form_headers, form_body, path) = _Receiver.deliveries
    expected = hmac.new(b"sandboxsecret123", body, hashlib.sha256).hexdigest()
    assert headers["X-Zoho-Webhook-Signature"] == expected
    assert json.loads(body)["item"]["item_id"] == item_id
    assert form_headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert form_headers["X-Zoho-Webhook-Signature"] == hmac.new(b"sandboxsecret123", form_body,
                                                               hashlib.sha256).hexdigest()
    assert json.loads(parse_qs(form_body.decode())["JSONString"][0])["invoice"]["invoice_id"] == invoice_id
    assert path.endswith("?token=tok")
