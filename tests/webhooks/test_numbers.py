"""Numbers in webhook bodies: whatever their size or spelling, a record that does not fit its columns is
a 422 naming the column and the Zoho field, on every route, with one log line and no traceback."""
from __future__ import annotations

import json
import time

import pytest

from sync.models import InboxEvent
from tests.fuzzing import tracebacks
from zoho.webhooks import sign

pytestmark = pytest.mark.django_db
ROUTES = ("/api/webhooks/zoho", "/api/tds/webhooks/products", "/api/tds/webhooks/test")
SECRET = "sandbox-webhook-secret"

# A rate (NUMERIC(18,4)) that cannot be stored, as text and as JSON numbers, in every spelling.
TOO_BIG = ['"1e50"', "1e50", '"1E+29"', "1e29", '"-1e50"', '"99999999999999.99999"', '"1e999999999"',
           '"123456789012345678901234567890"', "123456789012345678901234567890", '"1e14"', "1e14"]
NOT_A_NUMBER = ['"NaN"', '"sNaN"', '"Infinity"', '"-Infinity"']


def _deliver(client, route: str, record: str):
    body = ('{"item": {"item_id": "4600000000000001", "name": "x", ' + record + "}}").encode()
    return client.post(route, body, content_type="application/json",
                       HTTP_X_ZOHO_WEBHOOK_SIGNATURE=sign(body, SECRET))


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("number", TOO_BIG + NOT_A_NUMBER)
def test_a_rate_that_cannot_be_stored_is_a_422_naming_the_field(client, route, number, crash_log) -> None:
    answer = _deliver(client, route, f'"rate": {number}')
    assert answer.status_code == 422, answer.content
    message = answer.json()["message"]
    assert message.startswith("The record cannot be stored: unit_price (rate): ")
    fits_not = "does not fit: " in message and "once rounded to 4 places, its column holds 14" in message
    assert fits_not != (number in NOT_A_NUMBER)
    assert InboxEvent.objects.count() == 0
    assert tracebacks(crash_log) == []


@pytest.mark.parametrize("route", ROUTES)
def test_a_rate_that_fits_is_accepted(client, settings, route) -> None:
    settings.TDS_WEBHOOK_KICK_SECONDS = 0
    for number in ('"1e13"', '"99999999999999.9999"', "12.5", '"-0.00001"', '"1E-999999999"', '"0e999999999"',
                   "1e-300"):
        answer = _deliver(client, route, f'"rate": {number}, "sku": {json.dumps(number)}')
        assert answer.status_code == 200, (number, answer.content)


def test_line_values_name_their_line_and_field(client) -> None:
    body = json.dumps({"invoice": {"invoice_id": "9", "total": "1e50", "line_items": [
        {"line_item_id": "77", "item_id": "1", "quantity": "1e40", "rate": "sNaN"}]}}).encode()
    answer = client.post("/api/tds/webhooks/test", body, content_type="application/json",
                         HTTP_X_ZOHO_WEBHOOK_SIGNATURE=sign(body, SECRET))
    assert answer.status_code == 422
    message = answer.json()["message"]
    assert "total: 1E+50 does not fit" in message
    assert "line 77: quantity: 1E+40 does not fit" in message and "line 77: rate: sNaN is not a number" in message


@pytest.mark.parametrize("terms,problem", [
    ('"1e12"', "payment_terms: 1000000000000 is outside -2147483648 .. 2147483647"),
    ("-3000000000", "payment_terms: -3000000000 is outside -2147483648 .. 2147483647"),
    ('"1e999999999"', "'1e999999999' is not a whole number of at most 30 digits"),
])
def test_a_whole_number_out_of_its_columns_range_is_refused_at_once(client, terms, problem, crash_log) -> None:
    body = ('{"contact": {"contact_id": "5", "contact_name": "x", "payment_terms": ' + terms + "}}").encode()
    started = time.monotonic()
    answer = client.post("/api/webhooks/zoho", body, content_type="application/json",
                         HTTP_X_ZOHO_WEBHOOK_SIGNATURE=sign(body, SECRET))
    assert time.monotonic() - started < 5  # int() of 1e999999999 would run for minutes
    assert answer.status_code == 422 and problem in answer.json()["message"]
    assert tracebacks(crash_log) == []
