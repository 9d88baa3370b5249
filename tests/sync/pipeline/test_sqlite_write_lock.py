"""On SQLite, a drain that quarantines an unreadable queue item finishes while other processes write.

The mend of the item's inbox event reads the row, then rewrites it. In a transaction begun the
default way (deferred), that read holds a shared lock; when another process (the cluster's pusher,
a second worker) takes the write lock in between, SQLite answers "database is locked" at once, the
drain fails, the item stays leased, comes back when its lease runs out and fails the next drain the
same way. Transactions now take the write lock when they begin and wait their turn.

The scenario runs in a process of its own on a SQLite file (a second connection to the test
suite's in-memory database would not lock the same way), whatever database the suite uses.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]

SCENARIO = r'''
import sqlite3, threading
from django.conf import settings
from django.db import connection
from django.utils import timezone
import sync.pipeline.quarantine as quarantine
from sync.models import DeadLetter, InboxEvent, SyncQueueItem
from sync.pipeline.workers import drain_queue

now = timezone.now()
event = InboxEvent.objects.create(entity="items", zoho_id="L1", payload={"item": {"item_id": "L1"}}, dedupe_key="l1",
                                  status="queued")
with connection.cursor() as c:
    c.execute("UPDATE tds_inbox_events SET zoho_last_modified = '20000-01-01 00:00:00+00:00' WHERE id = %s",
              [event.id])
    c.execute("INSERT INTO tds_sync_queue (entity, zoho_id, operation, payload, priority, status, attempts, "
              "next_attempt_at, locked_by, last_error, correlation_id, created_at, updated_at, inbox_event_id) "
              "VALUES ('items', 'L1', 'upsert', %s, 4, 'pending', 0, %s, '', '', 'lock', %s, %s, %s)",
              ['{"item_id": "L1", "rate": 1e400}', now, now, now, event.id])
held, done = threading.Event(), threading.Event()

def other_process():
    other = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=30, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    held.set()
    done.wait(1.0)
    other.execute("COMMIT")
    other.close()

original, once = quarantine.row_mend, []

def row_mend(row):  # the other writer takes the lock between the mend's read and its write
    if not once and isinstance(row, InboxEvent):
        once.append(row.pk)
        threading.Thread(target=other_process, daemon=True).start()
        held.wait(0.5)
    return original(row)

quarantine.row_mend = row_mend
result = drain_queue(batch_size=10, max_batches=2)
print("mended", once, "dead", result.dead, "letters", list(DeadLetter.objects.values_list("zoho_id", flat=True)),
      "status", SyncQueueItem.objects.get(zoho_id="L1").status)
'''


def test_a_quarantined_item_does_not_fail_the_drain_while_another_process_writes(tmp_path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "REDIS_URL": "",
           "DJANGO_SETTINGS_MODULE": "tds_site.test_settings"}
    migrate = subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    run = subprocess.run([sys.executable, "manage.py", "shell", "-c", SCENARIO], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "database is locked" not in run.stderr
    last = run.stdout.strip().splitlines()[-1]
    assert last.startswith("mended [") and "dead 1 letters ['L1'] status dead" in last, run.stdout + run.stderr
