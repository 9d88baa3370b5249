"""deploy/nginx/tds.conf under Debian's nginx: it loads, makes its own errors JSON under /api/, serves
/static/ and /media/ from disk with their cache headers, redirects http to https and keeps query
strings out of its access log. No gunicorn runs here: every proxied request meets nginx's own 502."""
from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.deploy import stack
from tests.deploy.stack import Layout

WEBHOOK_LIMIT = 1024 * 1024  # TDS_WEBHOOK_MAX_BYTES' default
JSON_ERROR_KEYS = {"error", "message", "status"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Layout]:
    layout = stack.layout_create(tmp_path_factory.mktemp("site"))
    nginx = stack.nginx_start(layout)
    try:
        yield layout
    finally:
        stack.stop(nginx)


def _status_and_body(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def _json_error(answer: bytes, status: int, code: str) -> dict:
    got_status, headers, body = _status_and_body(answer)
    assert got_status == status, answer[:300]
    assert headers["content-type"] == "application/json", headers
    data = json.loads(body)
    assert set(data) == JSON_ERROR_KEYS and data["error"] == code and data["status"] == "error"
    return data


def test_nginx_accepts_the_site_inside_debians_nginx_conf(site: Layout) -> None:
    result = stack.nginx_test(site)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    assert not re.search(r"\[(warn|emerg|alert|crit)\]", result.stderr), result.stderr


def test_the_tested_site_is_the_shipped_file_with_only_its_paths_moved(site: Layout) -> None:
    shipped = stack.SITE.read_text()
    rendered = (site.base / "tds.conf").read_text()
    shipped_values = ("/srv/tds", "/run/tds", "/etc/ssl/tds", "/var/log/nginx", "erp.example.com", "listen ")
    changed = [line for line in shipped.splitlines() if line not in rendered.splitlines()]
    assert changed, "the rendering moved nothing"
    assert all(any(value in line for value in shipped_values) for line in changed), changed
    assert len(rendered.splitlines()) == len(shipped.splitlines()) - 2  # the two IPv6 listen lines


@pytest.mark.parametrize("path,length", [
    ("/api/webhooks/zoho", WEBHOOK_LIMIT + 1),
    ("/api/tds/webhooks/items", WEBHOOK_LIMIT + 1),
    ("/api/tds/webhooks/salesorders", 50 * 1024 * 1024),
    ("/api/tds/sync", 2 * 1024 * 1024 + 1),
    ("/api/bff/tds/sync/stock", 3 * 1024 * 1024),
])
def test_a_body_over_the_limit_under_api_gets_a_json_413(site: Layout, path: str, length: int) -> None:
    # nginx answers from the Content-Length alone, before any of the body is sent.
    answer = stack.raw_request(site, f"POST {path} HTTP/1.1\r\nHost: localhost\r\n"
                                     f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n".encode())
    assert "over the limit" in _json_error(answer, 413, "too_large")["message"]


def test_a_webhook_body_at_the_limit_passes_nginx(site: Layout) -> None:
    body = b"x" * WEBHOOK_LIMIT
    answer = stack.raw_request(site, b"POST /api/webhooks/zoho HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                                     b"Content-Length: %d\r\n\r\n" % len(body) + body)
    _json_error(answer, 502, "bad_gateway")  # it went on to the (absent) gunicorn


@pytest.mark.parametrize("target", [
    "/api/tds/health?" + "q" * 5000,
    "/api/webhooks/zoho/" + "x" * 4100,
    "/api/tds/sync-runs?cursor=" + "%41" * 2000,
    "/tds-admin/" + "a" * 8000,   # before the path is known: JSON everywhere
], ids=["query", "path", "escapes", "outside-api"])
def test_a_uri_over_4k_gets_a_json_414(site: Layout, target: str) -> None:
    answer = stack.raw_request(site, f"GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    _json_error(answer, 414, "uri_too_long")


@pytest.mark.parametrize("request_bytes", [
    b"GET /api/tds/health HTTP/1.1\r\nHost: localhost\r\nNo colon here\r\n\r\n",
    b"GET /api/tds/health HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"h" * 9000 + b"\r\n\r\n",
    b"GET /api/tds/health HTTP/1.1\r\nHost: localhost\r\nHost: other\r\n\r\n",
    b"GET /api/tds/health HTTP/1.1\r\n\r\n",   # HTTP/1.1 without Host
    b"GET /api/../../etc/passwd HTTP/1.1\r\nHost: localhost\r\n\r\n",
], ids=["no-colon", "header-over-4k", "two-hosts", "no-host", "dot-dot"])
def test_a_malformed_request_gets_a_json_400(site: Layout, request_bytes: bytes) -> None:
    _json_error(stack.raw_request(site, request_bytes), 400, "bad_request")


@pytest.mark.parametrize("method,path", [
    ("GET", "/api/tds/health"), ("POST", "/api/webhooks/zoho"), ("POST", "/api/tds/webhooks/items"),
    ("GET", "/api/bff/tds/status"), ("POST", "/api/bff/tds/sync/stock"), ("GET", "/api/unknown"),
])
def test_gunicorn_down_is_a_json_502_under_api(site: Layout, method: str, path: str) -> None:
    answer = requests.request(method, site.url(path), data=b"{}", verify=str(site.cert), timeout=10)
    assert answer.status_code == 502
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json()["error"] == "bad_gateway" and set(answer.json()) == JSON_ERROR_KEYS


@pytest.mark.parametrize("path", ["/tds-admin/", "/admin/login/", "/metrics"])
def test_outside_api_nginx_keeps_its_html_error_pages(site: Layout, path: str) -> None:
    answer = requests.get(site.url(path), verify=str(site.cert), timeout=10)
    assert answer.status_code == 502 and answer.headers["Content-Type"].startswith("text/html")
    big = stack.raw_request(site, f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {30 * 1024 * 1024}"
                                  "\r\n\r\n".encode())
    status, headers, _ = _status_and_body(big)
    assert status == 413 and headers["content-type"].startswith("text/html")


def _static_files(site: Layout) -> dict[str, Path]:
    static = site.root / "staticfiles"
    files = {"hashed": static / "admin" / "css" / "base.4c1ef6a2b8d3.css",
             "plain": static / "admin" / "css" / "base.css",
             "image": site.root / "media" / "products" / "item_1_chair-0123456789.png"}
    for path in files.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"body { color: red }\n" * 50)
    (static / "admin" / "css" / "base.4c1ef6a2b8d3.css.gz").write_bytes(gzip.compress(files["hashed"].read_bytes()))
    return files


def test_static_and_media_come_from_disk_with_cache_headers(site: Layout) -> None:
    files = _static_files(site)
    hashed = requests.get(site.url("/static/admin/css/base.4c1ef6a2b8d3.css"), verify=str(site.cert), timeout=10,
                          headers={"Accept-Encoding": "gzip"})
    assert hashed.status_code == 200 and hashed.content == files["hashed"].read_bytes()
    assert hashed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert hashed.headers["Content-Encoding"] == "gzip"  # the .gz collectstatic wrote, not compressed again
    plain = requests.get(site.url("/static/admin/css/base.css"), verify=str(site.cert), timeout=10)
    assert plain.status_code == 200 and plain.headers["Cache-Control"] == "public, max-age=3600"
    assert plain.headers["Content-Type"] == "text/css"
    image = requests.get(site.url("/media/products/item_1_chair-0123456789.png"), verify=str(site.cert), timeout=10)
    assert image.status_code == 200 and image.content == files["image"].read_bytes()
    assert image.headers["Cache-Control"] == "public, max-age=2592000"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    for missing in ("/static/nope.css", "/media/products/nope.png", "/static/"):
        assert requests.get(site.url(missing), verify=str(site.cert), timeout=10).status_code in (403, 404)


def test_plain_http_is_redirected_to_https(site: Layout) -> None:
    answer = requests.get(f"http://127.0.0.1:{site.http_port}/tds-admin/?page=2", headers={"Host": "erp.example.com"},
                          allow_redirects=False, timeout=10)
    assert answer.status_code == 301
    assert answer.headers["Location"] == "https://erp.example.com/tds-admin/?page=2"


def test_the_access_log_has_no_query_strings(site: Layout) -> None:
    secret = "query-secret-4b1d9e"
    requests.post(site.url(f"/api/webhooks/zoho?token={secret}&page=2"), data=b"{}", verify=str(site.cert), timeout=10)
    log = (site.log_dir / "tds.access.log").read_text()
    assert '"POST /api/webhooks/zoho HTTP/1.1" 502' in log
    assert secret not in log and "token=" not in log


def test_the_longest_list_the_api_takes_passes_nginx_and_fits_gunicorns_request_line(site: Layout) -> None:
    """100 item ids of 30 characters, the most /sync/stock/specific accepts, reach the upstream (nginx's
    502 here, no 414) in a request line gunicorn also reads whole."""
    import runpy

    query = "&".join(f"item_ids={n:030d}" for n in range(100))
    line = f"POST /api/bff/tds/sync/stock/specific?{query}&wait=0 HTTP/1.1"
    limit = runpy.run_path(str(Path(__file__).resolve().parents[2] / "tds_site" / "gunicorn.conf.py"))
    assert len(line) <= limit["limit_request_line"], len(line)
    answer = stack.raw_request(site, f"{line}\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n".encode())
    _json_error(answer, 502, "bad_gateway")
