"""Real worker processes on PostgreSQL: every event applied exactly once, even when one is SIGKILLed."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from sync.models import AuditEntry, SyncQueueItem
from tests.webhooks.factories import store_event

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _worker(*args: str) -> subprocess.Popen:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tds_site.test_settings"}
    return subprocess.Popen([sys.executable, "manage.py", "tds_worker", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _events(count: int) -> None:
    for n in range(count):
        # Every tenth record also gets an older version, delivered after the newer one.
        store_event("items", f"{9000 + n}", "2025-11-18T05:00:00+0300", rate=n)
        if n % 10 == 0:
            store_event("items", f"{9000 + n}", "2025-11-18T04:00:00+0300", rate=-1)


def _applied_per_item() -> Counter:
    return Counter(AuditEntry.objects.filter(field="queue_item").values_list("new_value", flat=True))


def test_two_worker_processes_apply_every_event_exactly_once():
    _events(300)
    apply = "tests.webhooks.helpers.audit_apply"
    workers = [_worker("--batch-size", "20", "--exit-when-idle", "2", "--apply", apply) for _ in range(2)]
    outputs = [w.communicate(timeout=90)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    items = SyncQueueItem.objects.all()
    assert items.count() == 330 and set(items.values_list("status", flat=True)) == {"completed"}
    applied = _applied_per_item()
    assert max(applied.values()) == 1  # nothing applied twice
    # Every record was applied; within a batch only the newest version of a record is applied.
    assert {e for e in AuditEntry.objects.values_list("zoho_id", flat=True)} == {f"{9000 + n}" for n in range(300)}
    # Both processes ran to the end and reported; how the batches split between them is up to the scheduler.
    assert all("applied" in o for o in outputs), outputs


def _kill_mid_batch(apply: str) -> None:
    """Start a worker with a slow apply function and SIGKILL it while its first batch is open."""
    victim = _worker("--batch-size", "40", "--lease-seconds", "3", "--apply", apply)
    deadline = time.monotonic() + 30
    while not SyncQueueItem.objects.filter(status="processing").exists():
        assert time.monotonic() < deadline, "the worker never claimed a batch"
        time.sleep(0.05)
    time.sleep(0.2)  # inside the batch: its transaction is open
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)


def test_a_worker_killed_mid_batch_loses_nothing():
    _events(120)
    _kill_mid_batch("tests.webhooks.helpers.slow_audit_apply")
    stranded = SyncQueueItem.objects.filter(status="processing").count()
    assert stranded > 0  # the dead worker's lease holds them until it expires
    rescuer = _worker("--batch-size", "40", "--lease-seconds", "3", "--reap-every", "1", "--exit-when-idle", "5",
                      "--apply", "tests.webhooks.helpers.audit_apply")
    output = rescuer.communicate(timeout=90)[0]
    assert rescuer.returncode == 0, output
    assert set(SyncQueueItem.objects.values_list("status", flat=True)) == {"completed"}
    applied = _applied_per_item()
    assert max(applied.values()) == 1
    assert {e for e in AuditEntry.objects.values_list("zoho_id", flat=True)} == {f"{9000 + n}" for n in range(120)}


def test_a_worker_killed_mid_batch_loses_nothing_with_the_real_upsert():
    from sync.models import Product

    _events(120)
    _kill_mid_batch("tests.webhooks.helpers.slow_real_apply")
    rescuer = _worker("--batch-size", "40", "--lease-seconds", "3", "--reap-every", "1", "--exit-when-idle", "5")
    output = rescuer.communicate(timeout=90)[0]
    assert rescuer.returncode == 0, output
    assert set(SyncQueueItem.objects.values_list("status", flat=True)) == {"completed"}
    assert Product.objects.count() == 120
    # The newest version won wherever an older one was delivered after it.
    assert Product.objects.filter(unit_price__lt=0).count() == 0
    creates = Counter(AuditEntry.objects.filter(action="create").values_list("zoho_id", flat=True))
    assert len(creates) == 120 and max(creates.values()) == 1
