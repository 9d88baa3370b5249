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
    for path in ("/api/webhooks/zoho", "/api/tds/webhooks/{entity}", "/api/tds/webhooks/test"):
        operation = schema["paths"][path]["post"]
        assert {"200", "400", "401", "413", "422"} <= set(operation["responses"]), path
        assert {"application/json", "application/x-www-form-urlencoded"} <= set(operation["requestBody"]["content"])
        assert "X-Zoho-Webhook-Signature" in {p["name"] for p in operation["parameters"]}
    entity = schema["paths"]["/api/tds/webhooks/{entity}"]["post"]["parameters"][0]
    assert {"products", "customers", "invoices", "stock", "orders"} <= set(entity["schema"]["enum"])


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
