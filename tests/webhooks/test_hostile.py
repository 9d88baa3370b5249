"""A mix of hostile deliveries over HTTP gets no 5xx and stores nothing unsigned."""
from __future__ import annotations

import json
import random

import pytest

from sync.models import InboxEvent
from tests.webhooks.helpers import post, signed

pytestmark = pytest.mark.django_db(transaction=True)


def _hostile_bodies(rng: random.Random) -> list[bytes]:
    return [
        b"", b"null", b"true", b'"item"', b"{", b"}" * 10, b"[" * 50_000 + b"]" * 50_000,
        b'{"item": {"item_id": "1", "rate": ' + b"9" * 10_000 + b"}}",
        b'{"item": {"item_id": {"$ne": null}}}', b'{"item": {"item_id": ""}}', b'{"item": {"item_id": "' + b"1" * 200
        + b'"}}', b'{"item": []}', b'{"item": null}', b'{"contact": "x"}', "{\"item\": {\"item_id\": \"é\"}}".encode(),
        b'{"item": {"item_id": "1", "last_modified_time": {"a": 1}}}', b"\x00\x01\x02", b"\xef\xbb\xbf{}",
        b'{"item": {"item_id": "1", "last_modified_time": "not a date"}}',
        json.dumps({"invoice": {"invoice_id": "9", "line_items": [{"x": "y" * 100}] * 50}}).encode(),
        bytes(rng.getrandbits(8) for _ in range(300)),
    ]


def test_hostile_deliveries_never_get_a_5xx(live_server, settings):
    settings.TDS_WEBHOOK_KICK_SECONDS = 0
    rng = random.Random(5)
    statuses, signed_ok = [], 0
    for body in _hostile_bodies(rng):
        for headers in ({}, {"X-Zoho-Webhook-Signature": "zz\u00e9\u00ff"}, signed(body),
                        {**signed(body), "Content-Type": "application/x-www-form-urlencoded"}):
            reply = post(live_server.url, "/api/webhooks/zoho", body, headers=headers)
            statuses.append(reply.status)
            assert reply.content_type.startswith("application/json"), reply.data
            signed_ok += reply.status == 200
    assert max(statuses) < 500
    # Only correctly signed, well-formed deliveries were stored (unicode id, long id refused, odd date kept raw).
    assert InboxEvent.objects.count() == signed_ok
    assert all(e.signature_valid for e in InboxEvent.objects.all())
