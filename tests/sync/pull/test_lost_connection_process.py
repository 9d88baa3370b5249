"""`manage.py tds_sync` as an operator runs it, with PostgreSQL cutting its connection mid-sync
(pg_terminate_backend, what a database restart or a failover does to every client).

The command ends with one clear line and a non-zero status, the run is failed with the reason, every
document it stored is whole (its lines with it) and the cursor did not move past what is stored; the
next run resumes and fetches again none of the documents already stored.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from sync.models import Invoice, SyncCursor, SyncRun
from tests.pgtools import terminate_others

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[3]
INVOICES = 600


def _tds_sync(sandbox) -> subprocess.Popen:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    cfg = sandbox.config
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tds_site.test_settings",
           "ZOHO_SANDBOX": "true", "ZOHO_SANDBOX_URL": sandbox.url, "ZOHO_ACCOUNTS_URL": sandbox.url,
           "ZOHO_CLIENT_ID": cfg.client_id, "ZOHO_CLIENT_SECRET": cfg.client_secret,
           "ZOHO_REFRESH_TOKEN": cfg.refresh_token, "ZOHO_ORGANIZATION_ID": cfg.organization_id,
           "ZOHO_RATE_LIMIT_PER_MINUTE": "0", "TDS_PULL_DB_BATCH_SIZE": "20", "ZOHO_MAX_CONCURRENCY": "2"}
    return subprocess.Popen([sys.executable, "manage.py", "tds_sync", "--entities", "invoices"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _detail_calls(sb) -> int:
    return sum(n for endpoint, n in sb.calls.by_endpoint().items() if endpoint.startswith("GET /books/v3/invoices/"))


def _whole(sb) -> None:
    """Every stored invoice carries all of its lines: no document is half-written."""
    for invoice in Invoice.objects.all():
        record = sb.store.detail("invoices", invoice.zoho_invoice_id)
        assert invoice.lines.count() == len(record.get("line_items") or []), invoice.zoho_invoice_id


def test_tds_sync_cut_off_from_postgresql_fails_with_the_reason_and_the_next_run_resumes(sandbox_factory):
    sb = sandbox_factory(items=20, counts={"invoices": INVOICES})
    first = _tds_sync(sb)
    deadline = time.monotonic() + 120
    while Invoice.objects.count() < 40:
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline, "the sync never stored a batch"
        time.sleep(0.02)
    assert terminate_others() >= 1  # the sync's backend (and any other of its connections)
    out, err = first.communicate(timeout=120)

    assert first.returncode != 0, out
    # The log keeps the exception's traceback for the operator; what the command says is its last line.
    assert "Traceback" not in out
    message = err.strip().splitlines()[-1]
    assert message.startswith("CommandError: 1 entity pull(s) failed: invoices:"), err
    assert "terminat" in message.lower() or "connection" in message.lower(), message
    run = SyncRun.objects.get(entity="invoices")
    assert run.status == "failed" and run.error_message and run.finished_at is not None
    stored = Invoice.objects.count()
    assert 0 < stored < INVOICES
    _whole(sb)
    cursor = SyncCursor.objects.filter(entity="invoices").first()
    assert cursor is None or not cursor.watermark  # a first load's cursor moves only once it is complete

    details_before = _detail_calls(sb)
    again = _tds_sync(sb)
    out, err = again.communicate(timeout=180)
    assert again.returncode == 0, err
    assert Invoice.objects.count() == INVOICES
    _whole(sb)
    assert SyncRun.objects.filter(entity="invoices", status="completed").count() == 1
    # Resumed: the documents stored before the cut were not fetched again.
    assert _detail_calls(sb) - details_before == INVOICES - stored
