"""A real web process (gunicorn with the project's config) on PostgreSQL whose database connections
are cut, as a restart or a failover cuts them: the next requests reconnect, none fails."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

from sync.api.tokens import token_create
from sync.models import InboxEvent
from tests.pgtools import backends_others, terminate_others
from tests.webhooks.helpers import SECRET, item_doc, signed

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
REQUESTS = 40


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _gunicorn(port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "tds_site.test_settings",
           "SECRET_KEY": "restart-test-" + "k" * 40, "TDS_MANIFEST_STATIC": "false", "WEB_CONCURRENCY": "2",
           "TDS_WEB_THREADS": "4", "ZOHO_WEBHOOK_SECRET": SECRET}
    return subprocess.Popen([GUNICORN, "-c", "tds_site/gunicorn.conf.py", "--no-control-socket", "--bind",
                             f"127.0.0.1:{port}", "tds_site.wsgi:application"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _call(request: urllib.request.Request) -> int:
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as answer:
        return answer.code


def _status(base: str, token: str) -> int:
    return _call(urllib.request.Request(f"{base}/api/tds/status", headers={"Authorization": f"Token {token}"}))


def _webhook(base: str, n: int) -> int:
    body = json.dumps(item_doc(str(4_600_000_000 + n), name=f"Restart {n}")).encode()
    return _call(urllib.request.Request(f"{base}/api/webhooks/zoho", data=body, method="POST",
                                        headers={"Content-Type": "application/json", **signed(body)}))


def _fire(base: str, token: str, first: int) -> dict[str, list[int]]:
    """REQUESTS status reads and REQUESTS signed webhooks, interleaved, eight at a time; the codes of each."""
    calls = [(kind, n) for n in range(REQUESTS) for kind in ("status", "webhook")]
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda call: _status(base, token) if call[0] == "status"
                              else _webhook(base, first + call[1]), calls))
    return {kind: [code for (k, _), code in zip(calls, codes, strict=True) if k == kind]
            for kind in ("status", "webhook")}


def _wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()[0]
        try:
            urllib.request.urlopen(f"{base}/api/tds/health", timeout=2)
            return
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.2)
    pytest.fail("gunicorn did not answer")


def test_the_web_process_answers_every_request_after_its_database_connections_were_cut(django_user_model):
    staff = django_user_model.objects.create_user("ops", "ops@example.com", "pw", is_staff=True)
    token = token_create(user=staff)[1]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _gunicorn(port)
    try:
        _wait_until_up(base, server)
        warm = _fire(base, token, 0)  # every worker thread now holds a connection
        assert set(warm["status"]) | set(warm["webhook"]) == {200}
        assert backends_others() >= 2
        assert terminate_others() >= 2
        answers = _fire(base, token, REQUESTS)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    failed = {kind: [code for code in codes if code >= 500] for kind, codes in answers.items()}
    errors = [line for line in output.splitlines() if "Error" in line or '" 50' in line]
    assert failed == {"status": [], "webhook": []}, "\n".join(errors[-40:])
    assert set(answers["status"]) | set(answers["webhook"]) == {200}
    stored = set(InboxEvent.objects.values_list("zoho_id", flat=True))
    assert stored == {str(4_600_000_000 + n) for n in range(2 * REQUESTS)}
