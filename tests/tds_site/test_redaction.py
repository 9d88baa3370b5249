"""Secret query values never reach a log, however the parameter name is spelt: a corpus over the redaction,
gunicorn's access log (a real server, raw request lines) and runserver's request log."""
from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tds_site.redaction import REDACTED, redact_query, secret_name

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
S = "s3cr3t-value-0123456789"

# (what a client sends, what the log may show)
CORPUS = [
    (f"/x?token={S}&page=2", f"/x?token={REDACTED}&page=2"),
    (f"/x?%74oken={S}", f"/x?%74oken={REDACTED}"),
    (f"/x?TOKEN={S}", f"/x?TOKEN={REDACTED}"),
    (f"/x?ToKeN={S}", f"/x?ToKeN={REDACTED}"),
    (f"/x?to%6Ben={S}", f"/x?to%6Ben={REDACTED}"),
    (f"/x?to%6ben={S}", f"/x?to%6ben={REDACTED}"),
    (f"/x?%54%4F%4B%45%4E={S}", f"/x?%54%4F%4B%45%4E={REDACTED}"),
    (f"/x?%2574oken={S}", f"/x?%2574oken={REDACTED}"),  # encoded twice
    (f"/x?token+={S}", f"/x?token+={REDACTED}"),
    (f"/x?+token={S}", f"/x?+token={REDACTED}"),
    (f"/x?token%20={S}", f"/x?token%20={REDACTED}"),
    (f"/x?%20token%20={S}", f"/x?%20token%20={REDACTED}"),
    (f"/x?token%00={S}", f"/x?token%00={REDACTED}"),
    (f"/x?token[]={S}", f"/x?token[]={REDACTED}"),
    (f"/x?token={S}&token={S}x", f"/x?token={REDACTED}&token={REDACTED}"),
    (f"/x?page=1&token={S}&page=2", f"/x?page=1&token={REDACTED}&page=2"),
    (f"/x?a=1;token={S};b=2", f"/x?a=1;token={REDACTED};b=2"),
    (f"/x?a=1&amp;token={S}", f"/x?a=1&amp;token={REDACTED}"),
    (f"/x#access_token={S}", f"/x#access_token={REDACTED}"),
    (f"/x?page=2#token={S}&state=1", f"/x?page=2#token={REDACTED}&state=1"),
    (f"/x?next=/y?token={S}", f"/x?next={REDACTED}"),
    (f"/x?next=%2Fy%3Ftoken%3D{S}&page=3", f"/x?next={REDACTED}&page=3"),
    (f"/x?next=%252Fy%253Ftoken%253D{S}", f"/x?next={REDACTED}"),
    (f"/x?token={S}?more", f"/x?token={REDACTED}"),
    (f"/x?token={S}==", f"/x?token={REDACTED}"),
    (f"/x?access_token={S}", f"/x?access_token={REDACTED}"),
    (f"/x?refresh_token={S}", f"/x?refresh_token={REDACTED}"),
    (f"/x?client_secret={S}", f"/x?client_secret={REDACTED}"),
    (f"/x?password={S}", f"/x?password={REDACTED}"),
    (f"/x?passwd={S}", f"/x?passwd={REDACTED}"),
    (f"/x?signature={S}", f"/x?signature={REDACTED}"),
    (f"/x?sig={S}", f"/x?sig={REDACTED}"),
    (f"/x?key={S}", f"/x?key={REDACTED}"),
    (f"/x?api_key={S}", f"/x?api_key={REDACTED}"),
    (f"/x?apikey={S}", f"/x?apikey={REDACTED}"),
    (f"/x?x-api-key={S}", f"/x?x-api-key={REDACTED}"),
    (f"/x?Api%2DKey={S}", f"/x?Api%2DKey={REDACTED}"),
    (f"/x?api.key={S}", f"/x?api.key={REDACTED}"),
    (f"/x?private_key={S}", f"/x?private_key={REDACTED}"),
    (f"/x?sessionid={S}", f"/x?sessionid={REDACTED}"),
    (f"/x?auth={S}", f"/x?auth={REDACTED}"),
    (f"/x?code={S}", f"/x?code={REDACTED}"),
    (f"/x?csrfmiddlewaretoken={S}", f"/x?csrfmiddlewaretoken={REDACTED}"),
    (f"token={S}&page=2", f"token={REDACTED}&page=2"),  # a bare query string (gunicorn's %(q)s)
    (f"GET /api/webhooks/zoho?%74oken={S}&page=2 HTTP/1.1",
     f"GET /api/webhooks/zoho?%74oken={REDACTED}&page=2 HTTP/1.1"),
    ("/x?page=2&sort=name", "/x?page=2&sort=name"),
    ("/x?keyword=shoes&monkey=1&entity_type=items", "/x?keyword=shoes&monkey=1&entity_type=items"),
    ("/x?next=/y?page=2", "/x?next=/y?page=2"),
    ("/x?q=a%3Db", "/x?q=a%3Db"),
    ("/x?" + "a=" * 2000, None),  # deep nesting: answers, stays quick, whatever it redacts
]


@pytest.mark.parametrize("sent,logged", CORPUS)
def test_secret_values_are_redacted_however_the_name_is_spelt(sent, logged):
    started = time.monotonic()
    shown = redact_query(sent)
    assert time.monotonic() - started < 1
    if logged is not None:
        assert shown == logged
    assert S not in shown


@pytest.mark.parametrize("name", ["token", "%74oken", "TOKEN", "to%6Ben", "token+", "%20token", "X-TDS-Webhook-Token",
                                  "authorization", "proxy-authorization", "cookie", "set-cookie",
                                  "x-zoho-webhook-signature", "HTTP_AUTHORIZATION", "HTTP_X_API_KEY", "jwt"])
def test_secret_names(name):
    assert secret_name(name)


@pytest.mark.parametrize("name", ["page", "page_size", "entity_type", "keyword", "monkey", "cursor", "sort", "items",
                                  "user-agent", "referer", "host", "content-type", "QUERY_STRING", ""])
def test_ordinary_names(name):
    assert not secret_name(name)


def test_runserver_request_lines_are_redacted(caplog):
    server = logging.getLogger("django.server")
    server.addHandler(caplog.handler)  # django.server does not propagate to root
    try:
        server.info('"%s" %s %s', f"GET /api/tds/health?%74oken={S}&page=2 HTTP/1.1", "200", "17")
    finally:
        server.removeHandler(caplog.handler)
    assert f"/api/tds/health?%74oken={REDACTED}&page=2" in caplog.text and S not in caplog.text


# --- gunicorn's access log, raw request lines over a socket --------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _raw_get(port: int, target: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close",
             *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall("\r\n".join(lines).encode("latin-1"))
        return conn.recv(200)


def test_gunicorn_access_log_carries_no_secret_from_the_corpus():
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TDS_", "ZOHO_", "DJANGO_", "GUNICORN_")) and k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="tds_site.settings", ZOHO_SANDBOX="true", WEB_CONCURRENCY="1",
               SECRET_KEY="web-test-key-Jx3vQ9-w_Lr8Tz1mNc5Kp0Ys7Hd2Fb6Ge4Ua9Wq3Ro8El1Vi5Tn7")
    log_format = '%(r)s|%(q)s|%(f)s|%({x-api-key}i)s|%({authorization}i)s|%({x-tds-webhook-token}i)s|%(U)s'
    process = subprocess.Popen([GUNICORN, "-c", "tds_site/gunicorn.conf.py", "--no-control-socket", "--bind",
                                f"127.0.0.1:{port}", "--access-logformat", log_format, "tds_site.wsgi:application"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    headers = {"X-Api-Key": S, "Authorization": f"Token {S}", "X-TDS-Webhook-Token": S,
               "Referer": f"https://erp.example.com/tds-admin/?%74oken={S}"}
    try:
        for _ in range(200):
            try:
                _raw_get(port, "/api/tds/health", {})
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer")
        sent = [target for target, _ in CORPUS if target.startswith("/")][:40]
        for target in sent:
            assert _raw_get(port, target, headers).startswith(b"HTTP/1.1 ")
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert output.count("/x?") >= len(sent) - 2, output[-3000:]  # the lines were written (a few may be refused)
    assert S not in output
    assert f"/x?%74oken={REDACTED}" in output and f"|{REDACTED}|{REDACTED}|{REDACTED}|" in output
