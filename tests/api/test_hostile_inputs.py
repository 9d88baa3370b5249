"""Inputs that used to reach an unhandled exception: a crafted pagination cursor, a deeply nested body,
a bad Host header; and the last line of defence for whatever else: a JSON 500 with a reference."""
from __future__ import annotations

import base64

import pytest

from tests.api.conftest import ADMIN_POST
from tests.fuzzing import tracebacks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_throttle")]


def _cursor(token: str) -> str:
    return base64.b64encode(token.encode()).decode()


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2025-13-01T00:00:00Z",
                                  "\x00", "yesterday"])
@pytest.mark.parametrize("name", ["created_after", "created_before"])
def test_a_time_filter_that_is_no_time_in_utc_is_a_400_naming_it(staff_api, name, when, crash_log) -> None:
    reply = staff_api.get("/api/tds/sync-runs", {name: when})
    assert reply.status_code == 400, reply.content
    assert reply.json()["message"].startswith(f"{name}: ")
    assert tracebacks(crash_log) == []


@pytest.mark.parametrize("token", [
    "p=notadate", "o=1&p=\x00", "p=" + "9" * 40, "p=2025-01-01", "p=2025-01-01 00:00:00",  # no time zone
    "r=1&p=9999-12-31 23:59:59-14:00", "p=0001-01-01 00:00:00+14:00", "p=2025-02-30 00:00:00+00:00", "r=x",
])
def test_a_crafted_cursor_is_a_404_naming_the_parameter(staff_api, token, crash_log) -> None:
    # Opaque: a cursor the API did not hand out names no page (a string the schema allows, so not a 400).
    reply = staff_api.get("/api/tds/sync-runs", {"cursor": _cursor(token)})
    assert reply.status_code == 404, reply.content
    assert reply.json()["message"] == "cursor: no page at this cursor; use the next/previous links"
    assert tracebacks(crash_log) == []


def test_the_cursors_the_api_hands_out_still_page(staff_api) -> None:
    from sync.models import SyncRun

    for n in range(5):
        SyncRun.objects.create(run_type="incremental", entity="items", status="completed", processed=n)
    first = staff_api.get("/api/tds/sync-runs", {"page_size": 2}).json()
    second = staff_api.get(first["next"]).json()
    back = staff_api.get(second["previous"]).json()
    assert len(first["results"]) == len(second["results"]) == 2
    assert [r["id"] for r in back["results"]] == [r["id"] for r in first["results"]]


DEEP = {"100k_arrays": b"[" * 100_000, "50k_objects": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        "41_levels": b'{"ids": ' + b"[" * 40 + b"1" + b"]" * 40 + b"}"}


@pytest.mark.parametrize("path", [p for p in ADMIN_POST if not p.endswith("retry-all")])  # that one reads no body
@pytest.mark.parametrize("body", DEEP.values(), ids=DEEP.keys())
def test_a_deeply_nested_body_is_a_400(staff_api, path, body, crash_log) -> None:
    reply = staff_api.generic("POST", path, body, content_type="application/json")
    assert reply.status_code == 400, reply.content
    assert reply.json() == {"error": "parse_error", "status": "error",
                            "message": "JSON parse error - arrays and objects nest more than 32 levels deep."}
    assert tracebacks(crash_log) == []


def test_a_body_nested_within_the_limit_is_read(staff_api) -> None:
    reply = staff_api.post("/api/tds/deadletter/retry", {"ids": [1, 2]}, format="json")
    assert reply.status_code == 404 and reply.json()["not_found"] == [1, 2]


def test_a_bad_host_header_under_api_is_json(client, crash_log) -> None:
    reply = client.get("/api/tds/health", HTTP_HOST="evil.example")
    assert reply.status_code == 400 and reply["Content-Type"] == "application/json"
    assert reply.json()["error"] == "bad_request" and "evil.example" in reply.json()["message"]
    assert tracebacks(crash_log) == []
    assert client.get("/tds-admin/", HTTP_HOST="evil.example")["Content-Type"].startswith("text/html")


@pytest.mark.urls("tests.api.crash_urls")
@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_exception_under_api_is_a_json_500_with_a_reference(client, settings, debug, crash_log) -> None:
    settings.DEBUG = debug  # Django's debug page would show the traceback
    client.raise_request_exception = False
    reply = client.get("/api/test/crash")
    assert reply.status_code == 500 and reply["Content-Type"] == "application/json"
    body = reply.json()
    assert body["error"] == "server_error" and len(body["reference"]) == 12
    assert b"secret detail" not in reply.content and b"Traceback" not in reply.content
    [logged] = [r for r in crash_log if r.exc_info]  # one traceback, under the same reference
    assert body["reference"] in logged.getMessage() and "secret detail" in str(logged.exc_info[1])


@pytest.mark.urls("tests.api.crash_urls")
@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path,status,code", [("/api/test/forbidden", 403, "forbidden"),
                                              ("/api/test/suspicious", 400, "bad_request"),
                                              ("/api/test/html-error", 400, "bad_request")])
def test_expected_refusals_under_api_are_json_and_logged_without_traceback(client, settings, debug, path, status,
                                                                          code, crash_log) -> None:
    settings.DEBUG = debug
    reply = client.get(path)
    assert reply.status_code == status and reply["Content-Type"] == "application/json"
    assert reply.json()["error"] == code
    assert tracebacks(crash_log) == []


@pytest.mark.urls("tests.api.crash_urls")
def test_outside_api_a_crash_keeps_djangos_page(client) -> None:
    client.raise_request_exception = False
    reply = client.get("/elsewhere/crash")
    assert reply.status_code == 500 and reply["Content-Type"].startswith("text/html")
