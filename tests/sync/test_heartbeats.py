"""Liveness from heartbeats in the database: a cluster, its worker processes and each tds_worker write
their own row; the overview, the health check and the workers panel read them, on any broker."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from sync.heartbeats import STALE_AFTER, Heartbeat, heartbeats_prune
from sync.models import ProcessHeartbeat, SyncQueueItem
from sync.pause import QUEUE, SCHEDULES, pause_set
from sync.selectors.workers import processes

ROOT = Path(__file__).resolve().parents[2]
Kind = ProcessHeartbeat.Kind


def _cluster_rows(*, beat_ago: timedelta = timedelta(0), workers: int = 2, stopped: bool = False) -> None:
    now = timezone.now()
    ProcessHeartbeat.objects.create(key="h1:100:abc", kind=Kind.CLUSTER, name="alpha-bravo", host="h1", pid=100,
                                    started_at=now - timedelta(hours=1), beat_at=now - beat_ago,
                                    stopped_at=now if stopped else None,
                                    details={"guard_pid": 101, "workers": workers, "broker": "orm"})
    for n in range(workers):
        ProcessHeartbeat.objects.create(key=f"h1:{200 + n}:w", kind=Kind.CLUSTER_WORKER, host="h1", pid=200 + n,
                                        parent_pid=101, started_at=now, beat_at=now - beat_ago,
                                        current="tds: drain queue" if n == 0 else "")


@pytest.mark.django_db
def test_a_beating_cluster_counts_its_workers_and_a_silent_one_counts_none() -> None:
    _cluster_rows()
    seen = processes()
    assert (seen["clusters_alive"], seen["cluster_workers_alive"], seen["cluster_workers_configured"]) == (1, 2, 2)
    assert seen["clusters"][0]["workers"][0]["current"] == "tds: drain queue"
    ProcessHeartbeat.objects.update(beat_at=timezone.now() - STALE_AFTER - timedelta(seconds=1))
    seen = processes()
    assert (seen["clusters_alive"], seen["cluster_workers_alive"]) == (0, 0)
    assert seen["clusters"][0]["state"] == "silent"


@pytest.mark.django_db
def test_health_and_overview_report_the_cluster_from_its_heartbeat(staff_client) -> None:
    _cluster_rows(workers=3)
    from sync.selectors.health import health_report

    report = health_report()
    assert report["workers_active"] == 3
    assert report["checks"]["cluster"]["status"] == "ok", report["checks"]["cluster"]
    html = staff_client.get("/tds-admin/").content.decode()
    assert "3/3" in html and "3 worker process(es) alive in 1 cluster(s)" in html
    assert "0/3" not in html and "no django-q2 cluster is reporting" not in html


@pytest.mark.django_db
def test_heartbeat_rows_start_beat_note_their_work_stop_and_are_pruned() -> None:
    beat = Heartbeat(kind=Kind.WORKER, name="tds_worker", interval=3600)
    beat.start()
    row = ProcessHeartbeat.objects.get(key=beat.key)
    assert row.pid == os.getpid() and row.stopped_at is None and row.current == ""
    beat.beat(current="queue run 1234")  # a change of work is written at once, whatever the interval
    row.refresh_from_db()
    assert row.current == "queue run 1234" and row.current_since is not None
    beat.stop()
    row.refresh_from_db()
    assert row.stopped_at is not None and processes()["tds_workers_alive"] == 0
    assert heartbeats_prune(now=timezone.now() + timedelta(days=2)) == 1


@pytest.mark.django_db
def test_a_paused_queue_is_not_drained_by_the_task_nor_by_tds_worker() -> None:
    from sync.tasks import drain_queue

    SyncQueueItem.objects.create(entity="items", zoho_id="P1", payload={"item_id": "P1"})
    pause_set(QUEUE, paused=True, by="op")
    assert drain_queue()["claimed"] == 0
    call_command("tds_worker", "--once", stdout=open(os.devnull, "w"))
    assert SyncQueueItem.objects.get(zoho_id="P1").status == "pending"
    row = ProcessHeartbeat.objects.get(kind=Kind.WORKER)
    assert row.stopped_at is not None  # it beat, said it was paused, and stopped
    pause_set(QUEUE, paused=False, by="op")
    assert drain_queue()["claimed"] == 1


@pytest.mark.django_db
def test_paused_schedules_skip_their_run() -> None:
    from sync.schedules import run_guarded

    pause_set(SCHEDULES, paused=True, by="op")
    assert run_guarded("tds: stock sync", lambda: {"ran": True}) == {"skipped": True, "reason": "schedules paused"}
    pause_set(SCHEDULES, paused=False, by="op")
    assert run_guarded("tds: stock sync", lambda: {"ran": True}) == {"ran": True}


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_cluster_on_the_orm_broker_is_seen_alive_with_its_workers_then_stopped(staff_client) -> None:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tds_site.test_settings", "REDIS_URL": "",
           "TDS_WORKER_COUNT": "2"}
    cluster = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, seen = time.monotonic() + 60, processes()
        while time.monotonic() < deadline and seen["cluster_workers_alive"] < 2:
            time.sleep(0.5)
            seen = processes()
        assert seen["clusters_alive"] == 1 and seen["cluster_workers_alive"] == 2, seen
        assert seen["clusters"][0]["details"]["broker"] == "orm"
        assert seen["clusters"][0]["pid"] == cluster.pid
        html = staff_client.get("/tds-admin/").content.decode()
        assert "2/2" in html and "2 worker process(es) alive in 1 cluster(s)" in html
        assert staff_client.get("/api/tds/health").json()["workers_active"] == 2
        panel = staff_client.get("/tds-admin/workers/").content.decode()
        assert f"<td>{cluster.pid}</td>" in panel
    finally:
        cluster.send_signal(signal.SIGTERM)
        try:
            cluster.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            cluster.kill()
            cluster.communicate()
    seen = processes()
    assert seen["clusters_alive"] == 0 and seen["clusters"][0]["state"] == "stopped"
    assert all(w["state"] == "stopped" for w in seen["clusters"][0]["workers"])
