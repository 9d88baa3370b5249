"""Deliveries that can never be stored faithfully are refused at the door with a 4xx and a reason,
the same on every webhook route; a delete is never taken for a duplicate of an update."""
from __future__ import annotations

import json

import pytest

from sync.models import InboxEvent
from tests.webhooks.helpers import deliver, item_doc, post, signed

pytestmark = pytest.mark.django_db(transaction=True)

ROUTES = ("/api/webhooks/zoho", "/api/tds/webhooks/products", "/api/tds/webhooks/test")


@pytest.fixture(autouse=True)
def _no_kick(settings):
    settings.TDS_WEBHOOK_KICK_SECONDS = 0


def _raw(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


NEVER_STORABLE = {
    "nan": _raw('{"item": {"item_id": "10", "rate": NaN}}'),
    "infinity": _raw('{"item": {"item_id": "10", "rate": Infinity}}'),
    "minus_infinity": _raw('{"item": {"item_id": "10", "rate": -Infinity}}'),
    "float_overflow": _raw('{"item": {"item_id": "10", "rate": 1e400}}'),
    "huge_integer": _raw('{"item": {"item_id": "10", "stock_on_hand": ' + "9" * 400 + "}}"),
    "lone_surrogate_escape": _raw('{"item": {"item_id": "10", "name": "\\ud800"}}'),
    "two_entity_keys": _raw('{"item": {"item_id": "10"}, "invoice": {"invoice_id": "11"}}'),
    "time_at_the_edge": _raw('{"item": {"item_id": "10", "last_modified_time": "9999-12-31T23:59:59-1400"}}'),
    "time_before_year_one": _raw('{"item": {"item_id": "10", "last_modified_time": "0001-01-01T00:00:00+1400"}}'),
    "time_far_future": _raw('{"item": {"item_id": "10", "last_modified_time": "2999-01-01T00:00:00+0000"}}'),
    "amount_overflow": _raw('{"item": {"item_id": "10", "rate": 123456789012345678901}}'),
    "amount_as_nan_text": _raw('{"item": {"item_id": "10", "rate": "NaN"}}'),
    "id_with_path": _raw('{"item": {"item_id": "../../organizations"}}'),
    "id_with_query": _raw('{"item": {"item_id": "10?organization_id=1"}}'),
}


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("case", sorted(NEVER_STORABLE))
def test_a_body_that_can_never_be_stored_gets_a_4xx_with_its_reason(live_server, route, case):
    body = NEVER_STORABLE[case]
    reply = post(live_server.url, route, body, headers=signed(body))
    assert 400 <= reply.status < 500, (case, reply.status, reply.data)
    assert reply.data["status"] == "error" and reply.data["message"]
    assert InboxEvent.objects.count() == 0


def test_the_same_body_gets_the_same_answer_on_every_route(live_server):
    body = NEVER_STORABLE["nan"]
    answers = {post(live_server.url, route, body, headers=signed(body)).status for route in ROUTES}
    assert len(answers) == 1


def test_a_delete_with_the_body_of_an_earlier_update_is_not_a_duplicate(live_server):
    doc = item_doc("4242")
    first = deliver(live_server.url, doc, **{"X-Zoho-Event": "item.updated"})
    second = deliver(live_server.url, doc, **{"X-Zoho-Event": "item.deleted"})
    assert first.data["status"] == "accepted"
    assert second.data["status"] == "accepted", second.data
    assert sorted(InboxEvent.objects.values_list("event_type", flat=True)) == ["item.deleted", "item.updated"]


def test_a_redelivery_of_the_delete_is_still_a_duplicate(live_server):
    doc = item_doc("4243")
    deliver(live_server.url, doc, **{"X-Zoho-Event": "item.deleted"})
    again = deliver(live_server.url, doc, **{"X-Zoho-Event": "item.deleted"})
    assert again.data["status"] == "duplicate"


def test_a_usual_delivery_is_still_accepted(live_server):
    reply = deliver(live_server.url, {"item": {"item_id": "460000000026049", "name": "Cable", "rate": 1.5,
                                               "last_modified_time": "2025-11-18T02:02:51+0300"}})
    assert reply.status == 200 and reply.data["status"] == "accepted"
    assert json.loads(json.dumps(InboxEvent.objects.get().payload))["item"]["rate"] == 1.5
