"""A django-q2 cluster (`manage.py qcluster`, as tds-worker@N runs it) SIGKILLed in the middle of a drain:
after a restart every webhook event is applied exactly once, with the real upsert.

The whole process group dies at once (the cluster's sentinel, its workers, the task in flight), as
when the machine loses power or systemd kills the unit's control group. The drain task that was
running is not redelivered (max_attempts=1): what brings the stranded batch back is the lease reaper
and the next drain, queued here the way the scheduler queues them.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from sync.models import AuditEntry, InboxEvent, Product, SyncQueueItem
from tests.webhooks.factories import store_event

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
EVENTS = 1500
LEASE_SECONDS = 5


def _cluster() -> subprocess.Popen:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tds_site.test_settings",
           "REDIS_URL": settings.REDIS_URL or "", "TDS_WORKER_COUNT": "2", "TDS_LEASE_SECONDS": str(LEASE_SECONDS),
           "TDS_ENABLE_AUTO_SYNC": "false"}
    # A session of its own: the SIGKILL goes to the cluster's whole process group, workers included.
    return subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _stop(cluster: subprocess.Popen) -> None:
    if cluster.poll() is None:
        os.killpg(cluster.pid, signal.SIGTERM)
        try:
            cluster.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(cluster.pid, signal.SIGKILL)
            cluster.wait()


def _group_running(pgid: int) -> list[int]:
    """Processes of the group that still run (a killed child waiting to be reaped is a zombie: not counted)."""
    running = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            running.append(int(stat.parent.name))
    return running


def _applied() -> int:
    return Product.objects.count()


def _open_work() -> int:
    return (InboxEvent.objects.filter(status__in=["received", "queued"]).count()
            + SyncQueueItem.objects.filter(status__in=["pending", "processing"]).count())


def test_a_cluster_killed_mid_drain_applies_every_event_exactly_once_after_a_restart():
    from django_q.brokers import get_broker
    from django_q.tasks import async_task

    for n in range(EVENTS):
        store_event("items", f"{7000 + n}", "2025-11-18T05:00:00+0300", rate=n)
        if n % 10 == 0:  # an older version delivered after the newer one: must lose
            store_event("items", f"{7000 + n}", "2025-11-18T04:00:00+0300", rate=-1)
    get_broker().purge_queue()  # kicks queued by other tests on a shared broker would run first
    victim = _cluster()
    try:
        async_task("sync.tasks.drain_queue", batch_size=20, max_batches=None)
        deadline = time.monotonic() + 90
        while _applied() < 100:
            assert time.monotonic() < deadline, "the cluster never drained a batch"
            time.sleep(0.02)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
    finally:
        _stop(victim)
    deadline = time.monotonic() + 5
    while _group_running(victim.pid):
        assert time.monotonic() < deadline, f"the cluster's processes outlived SIGKILL: {_group_running(victim.pid)}"
        time.sleep(0.1)
    assert 0 < _applied() < EVENTS and _open_work() > 0  # killed mid-drain: work was left

    rescuer = _cluster()  # systemd's Restart=always
    try:
        deadline = time.monotonic() + 180
        while _applied() < EVENTS or _open_work():
            assert time.monotonic() < deadline, f"{EVENTS - _applied()} records never applied"
            # What the scheduler queues every minute: the reaper (back to the queue once the dead
            # cluster's lease expires) and a drain.
            async_task("sync.tasks.reap_leases")
            async_task("sync.tasks.drain_queue", batch_size=50)
            time.sleep(LEASE_SECONDS / 2)
    finally:
        _stop(rescuer)

    assert set(SyncQueueItem.objects.values_list("status", flat=True)) == {"completed"}
    assert not InboxEvent.objects.exclude(status__in=["processed", "rejected"]).exists()
    assert Product.objects.count() == EVENTS
    assert Product.objects.filter(unit_price__lt=0).count() == 0  # the newest version won everywhere
    applied = Counter(AuditEntry.objects.filter(action="create").values_list("zoho_id", flat=True))
    assert len(applied) == EVENTS and max(applied.values()) == 1  # nothing lost, nothing applied twice
    assert not AuditEntry.objects.filter(action="update").exists()  # no event applied a second time as an update
