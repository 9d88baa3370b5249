"""/api/schema/ describes the webhook endpoints, and real answers match what it says."""
from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from openapi_schema_validator import OAS30Validator

from tests.webhooks.helpers import deliver, item_doc, post, signed

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def schema(client):
    staff = get_user_model().objects.create_user("ops", password="x", is_staff=True)
    client.force_login(staff)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def declared(schema, path: str, status: int) -> dict:
    return schema["paths"][path]["post"]["responses"][str(status)]["content"]["application/json"]["schema"]


def test_every_webhook_endpoint_is_in_the_schema(schema):
    routes = {"products", "customers", "invoices", "stock", "orders"}
    for path in ("/api/webhooks/zoho", "/api/tds/webhooks/test", *(f"/api/tds/webhooks/{r}" for r in routes)):
        operation = schema["paths"][path]["post"]
        assert {"200", "400", "401", "413", "422"} <= set(operation["responses"]), path
        # JSON only: one body under two content types breaks generated clients (form posts are still taken).
        assert list(operation["requestBody"]["content"]) == ["application/json"], path
        assert "X-Zoho-Webhook-Signature" in {p["name"] for p in operation["parameters"]}


def test_the_body_schemas_say_which_records_each_route_takes(schema):
    def body(path: str) -> dict:
        return schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]

    OAS30Validator(body("/api/webhooks/zoho")).validate(item_doc("4242"))
    OAS30Validator(body("/api/tds/webhooks/products")).validate(item_doc("4242"))
    assert not OAS30Validator(body("/api/tds/webhooks/customers")).is_valid(item_doc("4242"))
    for wrong in ({}, {"item": {"item_id": "12ab"}}, {"item": {"item_id": "1"}, "contact": {"contact_id": "2"}},
                  {"event_type": "x"}):
        assert not OAS30Validator(body("/api/webhooks/zoho")).is_valid(wrong), wrong


def test_real_answers_match_the_declared_shapes(schema, live_server, settings):
    settings.TDS_WEBHOOK_KICK_SECONDS = 0
    accepted = deliver(live_server.url, item_doc("4242"))
    duplicate = deliver(live_server.url, item_doc("4242"))
    body = b'{"item": '
    broken = post(live_server.url, "/api/webhooks/zoho", body, headers=signed(body))
    unsigned = post(live_server.url, "/api/webhooks/zoho", json.dumps(item_doc("1")).encode())
    for reply, status in ((accepted, 200), (duplicate, 200), (broken, 400), (unsigned, 401)):
        assert reply.status == status
        OAS30Validator(declared(schema, "/api/webhooks/zoho", status)).validate(reply.data)
    assert (accepted.data["status"], duplicate.data["status"]) == ("accepted", "duplicate")
