"""gunicorn's own refusals (before Django sees the request) are JSON under /api/, with their status."""
from __future__ import annotations

import json
import secrets

import pytest

from tds_site.gunicorn_worker import json_answer, request_path, wants_json
from tests.tds_site.gunicorn_process import free_port, gunicorn, gunicorn_env, raw_request, wait_listening

HOST = b"Host: 127.0.0.1\r\n"
# (request, status, error code): an over-long request line, a malformed header, a bad version, too many
# headers, a malformed request line, an unreadable Content-Length.
REFUSED = [
    (b"GET /api/tds/health?x=" + b"a" * 5000 + b" HTTP/1.1\r\n" + HOST + b"\r\n", 414, "uri_too_long"),
    (b"GET /api/tds/sync-runs HTTP/1.1\r\n" + HOST + b"Bad Header\r\n\r\n", 400, "bad_request"),
    (b"GET /api/tds/health HTTP/9.9\r\n" + HOST + b"\r\n", 400, "bad_request"),
    (b"GET /api/tds/health HTTP/1.1\r\n" + HOST + b"".join(b"X-%d: 1\r\n" % i for i in range(150)) + b"\r\n",
     431, "headers_too_large"),
    (b"GET /api/tds/ health HTTP/1.1\r\n" + HOST + b"\r\n", 400, "bad_request"),
    (b"POST /api/webhooks/zoho HTTP/1.1\r\n" + HOST + b"Content-Length: 12abc\r\n\r\n{}", 400, "bad_request"),
]


def _split(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


@pytest.fixture(scope="module")
def server():
    port = free_port()
    process = gunicorn(port, gunicorn_env(SECRET_KEY=secrets.token_urlsafe(50)))
    try:
        wait_listening(port, process)
        yield port, process
    finally:
        process.terminate()
        process.communicate(timeout=30)


@pytest.mark.parametrize("request_bytes,status,code", REFUSED, ids=[str(i) for i in range(len(REFUSED))])
def test_gunicorn_refusals_under_api_are_json(server, request_bytes, status, code) -> None:
    answered, headers, body = _split(raw_request(server[0], request_bytes))
    assert answered == status
    assert headers["content-type"] == "application/json"
    assert int(headers["content-length"]) == len(body)
    data = json.loads(body)
    assert data["error"] == code and data["status"] == "error" and data["message"]
    assert "<html>" not in data["message"]


def test_a_refused_content_length_outside_api_keeps_gunicorns_page(server) -> None:
    """gunicorn names the path of this refusal: the dashboard keeps its HTML answer."""
    answer = raw_request(server[0], b"POST /tds-admin/ HTTP/1.1\r\n" + HOST + b"Content-Length: 12abc\r\n\r\n{}")
    status, headers, body = _split(answer)
    assert status == 400 and headers["content-type"] == "text/html" and b"Bad Request" in body


def test_a_well_formed_request_still_reaches_django(server) -> None:
    status, headers, body = _split(raw_request(server[0], b"GET /api/tds/health HTTP/1.1\r\n" + HOST
                                               + b"Connection: close\r\n\r\n"))
    assert status in (200, 503) and headers["content-type"] == "application/json" and b"status" in body


def test_json_answer_keeps_status_and_message_of_gunicorns_page() -> None:
    page = (b"HTTP/1.1 414 URI Too Long\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: 9\r\n\r\n"
            b"<html>\n  <head>\n    <title>URI Too Long</title>\n  </head>\n  <body>\n"
            b"    <h1><p>URI Too Long</p></h1>\n"
            b"    Request Line is too large (5000 &gt; 4094)\n  </body>\n</html>\n")
    status, headers, body = _split(json_answer(page) or b"")
    assert status == 414 and headers["content-type"] == "application/json"
    assert json.loads(body) == {"error": "uri_too_long", "message": "Request Line is too large (5000 > 4094)",
                                "status": "error"}
    assert json_answer(b"not an HTTP answer") is None


def test_which_paths_get_json() -> None:
    class Req:
        path = "/tds-admin/"

    class Exc(Exception):
        req = Req()

    assert request_path(None, Exc()) == "/tds-admin/" and request_path(Req(), ValueError()) == "/tds-admin/"
    assert request_path(None, ValueError()) is None
    assert wants_json(None) and wants_json("/api/tds/health") and wants_json("/api")
    assert not wants_json("/tds-admin/") and not wants_json("/apix")
