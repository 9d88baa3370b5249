"""Webhook ingest over real HTTP: authentication, bad input, storage, duplicates."""
from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from sync.metrics.rejections import rejected_count
from sync.models import InboxEvent, SyncQueueItem
from tests.webhooks.helpers import SECRET, deliver, item_doc, post, signed

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_kick(settings):
    settings.TDS_WEBHOOK_KICK_SECONDS = 0  # these tests look at the inbox, not at the cluster


def test_signed_delivery_is_stored_raw_and_answered_at_once(live_server):
    doc = item_doc("9001", rate=12.5)
    reply = deliver(live_server.url, doc)
    assert reply.status == 200
    assert reply.data["status"] == "accepted"
    event = InboxEvent.objects.get(id=reply.data["event_id"])
    assert (event.source, event.entity, event.zoho_id, event.status) == ("webhook", "items", "9001", "received")
    assert event.payload == doc
    assert event.signature_valid is True and event.signature_method == "hmac"
    assert event.zoho_last_modified.isoformat() == "2025-11-17T23:02:51+00:00"
    assert not SyncQueueItem.objects.exists()  # processing happens later, in the workers


@pytest.mark.parametrize("headers,reason", [
    ({"X-Zoho-Webhook-Signature": "0" * 64}, "signature_bad"),
    ({}, "signature_missing"),
])
def test_bad_or_missing_signature_is_401_and_stores_nothing(live_server, headers, reason):
    before = rejected_count(reason)
    body = json.dumps(item_doc("1")).encode()
    reply = post(live_server.url, "/api/webhooks/zoho", body, headers=headers)
    assert reply.status == 401
    assert reply.content_type.startswith("application/json")
    assert reply.data["status"] == "error" and "signature" in reply.data["message"].lower()
    assert InboxEvent.objects.count() == 0
    assert rejected_count(reason) == before + 1


def test_signature_with_another_secret_is_refused(live_server):
    reply = deliver(live_server.url, item_doc("1"), secret="not-the-secret-at-all")
    assert reply.status == 401
    assert InboxEvent.objects.count() == 0


def test_token_mode_accepts_header_or_query_parameter(live_server, settings):
    settings.ZOHO_WEBHOOK_AUTH = "token"
    settings.ZOHO_WEBHOOK_TOKEN_IN_QUERY = True
    body = json.dumps(item_doc("5")).encode()
    by_header = post(live_server.url, "/api/webhooks/zoho", body, headers={"X-TDS-Webhook-Token": SECRET})
    body2 = json.dumps(item_doc("6")).encode()
    by_query = post(live_server.url, f"/api/webhooks/zoho?token={quote(SECRET)}", body2)
    wrong = post(live_server.url, "/api/webhooks/zoho?token=wrong", json.dumps(item_doc("7")).encode())
    hmac_only = post(live_server.url, "/api/webhooks/zoho", body, headers=signed(body))
    assert (by_header.status, by_query.status, wrong.status, hmac_only.status) == (200, 200, 401, 401)
    assert set(InboxEvent.objects.values_list("zoho_id", flat=True)) == {"5", "6"}
    assert InboxEvent.objects.get(zoho_id="5").signature_method == "token"


@pytest.mark.parametrize("body,status,needle", [
    (b"{not json", 400, "not valid JSON"),
    (b"[1, 2, 3]", 400, "JSON object"),
    (b"\xff\xfe", 400, "UTF-8"),
    (b'{"item": {"item_id": "1", "name": "a\\u0000b"}}', 400, "NUL"),
    (b'{"spaceship": {"id": "1"}}', 422, "Unknown entity"),
    (b'{"item": "not an object"}', 422, "JSON object"),
    (b'{"item": {"name": "no id"}}', 422, "item_id"),
    (b'{"item": {"item_id": ["1"]}}', 422, "item_id"),
    (b'{"item": {"item_id": "1", "last_modified_time": 5}}', 422, "last_modified_time"),
])
def test_bad_input_gets_its_status_and_a_message_and_stores_nothing(live_server, body, status, needle):
    reply = post(live_server.url, "/api/webhooks/zoho", body, headers=signed(body))
    assert reply.status == status
    assert needle in reply.data["message"]
    assert InboxEvent.objects.count() == 0


def test_body_over_one_megabyte_is_413(live_server):
    doc = item_doc("1", description="x" * (1024 * 1024))
    reply = deliver(live_server.url, doc)
    assert reply.status == 413
    assert reply.data["status"] == "error"
    assert InboxEvent.objects.count() == 0


def test_only_post_is_allowed(live_server):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", int(live_server.url.rsplit(":", 1)[1]), timeout=5)
    conn.request("GET", "/api/webhooks/zoho")
    response = conn.getresponse()
    assert response.status == 405
    assert json.loads(response.read())["status"] == "error"


def test_redelivery_is_acknowledged_and_changes_nothing(live_server):
    doc = item_doc("42")
    first = deliver(live_server.url, doc)
    again = [deliver(live_server.url, doc) for _ in range(3)]
    assert first.data["status"] == "accepted"
    assert [r.status for r in again] == [200, 200, 200]
    assert {r.data["status"] for r in again} == {"duplicate"}
    assert InboxEvent.objects.count() == 1


def test_zoho_event_id_is_the_dedupe_key_when_present(live_server):
    first = deliver(live_server.url, {**item_doc("1"), "event_id": "evt-77"})
    same_event_new_body = deliver(live_server.url, {**item_doc("1", rate=99), "event_id": "evt-77"})
    assert (first.data["status"], same_event_new_body.data["status"]) == ("accepted", "duplicate")
    assert InboxEvent.objects.get().dedupe_key == "event:evt-77"


def test_form_encoded_json_string_body(live_server):
    doc = {"invoice": {"invoice_id": "460000000000101", "invoice_number": "INV-00001", "total": 10,
                       "last_modified_time": "2025-11-18T02:02:51+0300"}}
    body = ("JSONString=" + quote(json.dumps(doc))).encode()
    reply = post(live_server.url, "/api/webhooks/zoho", body,
                 headers={**signed(body), "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"})
    assert reply.status == 200
    event = InboxEvent.objects.get()
    assert (event.entity, event.zoho_id, event.payload) == ("invoices", "460000000000101", doc)


def test_form_body_without_json_string_is_400(live_server):
    body = b"foo=bar"
    reply = post(live_server.url, "/api/webhooks/zoho", body,
                 headers={**signed(body), "Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 400 and "JSONString" in reply.data["message"]


@pytest.mark.parametrize("route,document,entity,zoho_id", [
    ("products", {"item_id": "11", "name": "bare record"}, "items", "11"),
    ("products", {"item": {"item_id": "12"}}, "items", "12"),
    ("customers", {"contact": {"contact_id": "7001", "contact_type": "customer"}}, "customers", "7001"),
    ("customers", {"contact": {"contact_id": "7002", "contact_type": "vendor"}}, "vendors", "7002"),
    ("invoices", {"invoice": {"invoice_id": "7003"}}, "invoices", "7003"),
    ("stock", {"item": {"item_id": "7004", "warehouses": []}}, "stock", "7004"),
    ("orders", {"salesorder": {"salesorder_id": "7005"}}, "sales_orders", "7005"),
    ("orders", {"purchaseorder": {"purchaseorder_id": "7006"}}, "purchase_orders", "7006"),
])
def test_entity_routes(live_server, route, document, entity, zoho_id):
    reply = deliver(live_server.url, document, path=f"/api/tds/webhooks/{route}")
    assert reply.status == 200, reply.data
    event = InboxEvent.objects.get()
    assert (event.entity, event.zoho_id) == (entity, zoho_id)


def test_unknown_route_or_mismatched_record_is_422(live_server):
    unknown = deliver(live_server.url, item_doc("1"), path="/api/tds/webhooks/spaceships")
    mismatch = deliver(live_server.url, item_doc("1"), path="/api/tds/webhooks/invoices")
    assert (unknown.status, mismatch.status) == (422, 422)
    assert "valid:" in unknown.data["message"]
    assert InboxEvent.objects.count() == 0


def test_contact_body_is_split_by_contact_type(live_server):
    deliver(live_server.url, {"contact": {"contact_id": "8001", "contact_type": "vendor"}})
    deliver(live_server.url, {"contact": {"contact_id": "8002", "contact_type": "customer"}})
    assert dict(InboxEvent.objects.values_list("zoho_id", "entity")) == {"8001": "vendors", "8002": "customers"}


def test_test_endpoint_checks_everything_and_stores_nothing(live_server):
    ok = deliver(live_server.url, item_doc("77"), path="/api/tds/webhooks/test")
    bad = post(live_server.url, "/api/tds/webhooks/test", b'{"item": {"item_id": "1"}}')
    assert ok.status == 200
    assert ok.data["entity"] == "items" and ok.data["zoho_id"] == "77" and ok.data["stored"] is False
    assert ok.data["priority"] is not None
    assert bad.status == 401
    assert InboxEvent.objects.count() == 0
