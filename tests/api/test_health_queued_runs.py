"""Health says why a run queued over the web is not picked up: no cluster taking tasks, or a cluster whose
SECRET_KEY differs from the web's (it cannot read the tasks, drops them, and the run stays pending)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from sync.models import SyncRun
from sync.selectors.health import QUEUED_RUN_GRACE

ROOT = Path(__file__).resolve().parents[2]
OTHER_KEY = "another-cluster-key-Jx3vQ9-w_Lr8Tz1mNc5Kp0Ys7Hd2Fb6Ge4Ua9Wq3Ro8El1Vi5"


@pytest.fixture
def broker():
    """The django-q2 broker (Redis when configured, else the ORM), emptied of other tests' tasks."""
    from django_q.brokers import get_broker

    queue = get_broker()
    queue.purge_queue()
    yield queue
    queue.purge_queue()


def _queue_sync(staff_api) -> str:
    reply = staff_api.post("/api/tds/sync", {"entity_type": "items"}, format="json")
    assert reply.status_code == 202, reply.content
    return reply.json()["sync_run_id"]


def _age(run_id: str, by: timedelta) -> None:
    SyncRun.objects.filter(pk=run_id).update(created_at=timezone.now() - by)


def _queued_runs(staff_api) -> dict:
    body = staff_api.get("/api/tds/health").json()
    return {"status": body["status"], **body["checks"]["queued_runs"]}


@pytest.fixture
def foreign_stat(broker):
    """A cluster's heartbeat as django-q2 writes it, signed with a key other than this process's."""
    from django_q.brokers.redis_broker import Redis
    from django_q.conf import Conf
    from django_q.core_signing import dumps
    from django_q.signing import PickleSerializer
    from django_q.status import Status

    key = f"{Conf.Q_STAT}:other"
    pack = dumps(Status(pid=4242, cluster_id="other"), key=OTHER_KEY, salt=Conf.PREFIX, serializer=PickleSerializer)
    broker.set_stat(key, pack, 60)
    yield
    # The ORM broker keeps heartbeats in this process's cache: it must not outlive the test.
    if isinstance(broker, Redis):
        broker.connection.delete(key)
    else:
        broker.cache.delete(key)


@pytest.mark.django_db
def test_a_run_waiting_less_than_the_grace_is_fine(staff_api, broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_id = _queue_sync(staff_api)
    _age(run_id, QUEUED_RUN_GRACE - timedelta(seconds=20))
    check = _queued_runs(staff_api)
    assert check["status"] == "ok" and check["reason"] == "no run has waited more than 2 min for a cluster"


@pytest.mark.django_db
def test_a_pending_run_past_the_grace_with_its_task_on_the_broker_says_no_cluster_takes_it(
        staff_api, broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_id = _queue_sync(staff_api)
    _age(run_id, QUEUED_RUN_GRACE + timedelta(seconds=30))
    check = _queued_runs(staff_api)
    assert check["status"] == "degraded" and check["reason"].startswith(
        "1 run(s) queued over the web not started by any cluster after 2 min (oldest queued 20")
    assert ("1 task(s) wait on the broker and no cluster takes them: start manage.py qcluster (or tds_scheduler) "
            "with this web server's SECRET_KEY") in check["reason"]
    assert staff_api.get("/api/bff/tds/dashboard").json()["checks"]["queued_runs"]["reason"] == check["reason"]


@pytest.mark.django_db
def test_the_dashboard_overview_shows_the_reason(staff_client, broker, django_capture_on_commit_callbacks):
    from django.utils.html import escape

    with django_capture_on_commit_callbacks(execute=True):
        reply = staff_client.post("/api/tds/sync", {"entity_type": "items"}, content_type="application/json")
    _age(reply.json()["sync_run_id"], timedelta(minutes=3))
    page = staff_client.get("/tds-admin/").content.decode()
    assert escape("queued_runs: degraded — 1 run(s) queued over the web not started by any cluster") in page
    assert escape("no cluster takes them: start manage.py qcluster") in page


@pytest.mark.django_db
def test_a_task_gone_from_the_broker_with_the_run_still_pending_points_at_the_secret_key(
        staff_api, broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_id = _queue_sync(staff_api)
    broker.purge_queue()  # what a cluster that cannot unsign the task does: takes it and drops it
    _age(run_id, timedelta(minutes=10))
    reason = _queued_runs(staff_api)["reason"]
    assert ("their tasks left the broker but never started: most likely a cluster with another SECRET_KEY took "
            "them and dropped them (BadSignature in its log)") in reason
    assert reason.endswith("give the web server and every cluster the same SECRET_KEY, then ask for the run again")


@pytest.mark.django_db
def test_a_cluster_reporting_with_another_key_is_named(staff_api, foreign_stat, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_id = _queue_sync(staff_api)
    _age(run_id, timedelta(minutes=5))
    reason = _queued_runs(staff_api)["reason"]
    assert "1 cluster(s) report with a SECRET_KEY other than this web server's and cannot read its tasks" in reason
    cluster = staff_api.get("/api/tds/health").json()["checks"]["cluster"]
    assert cluster["status"] == "degraded" and cluster["reason"] == (
        "0 worker(s) reporting; 1 cluster(s) report with a SECRET_KEY other than this web server's and cannot "
        "read its tasks")


@pytest.mark.django_db
def test_runs_older_than_the_active_window_no_longer_count(staff_api, broker, django_capture_on_commit_callbacks):
    from sync.selectors.runs import active_window

    with django_capture_on_commit_callbacks(execute=True):
        run_id = _queue_sync(staff_api)
    _age(run_id, active_window() + timedelta(minutes=1))
    assert _queued_runs(staff_api)["status"] == "ok"


# --- a real cluster with another SECRET_KEY -----------------------------------------------------------
def _cluster_with_key(key: str) -> subprocess.Popen:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tds_site.test_settings",
           "REDIS_URL": settings.REDIS_URL or "", "SECRET_KEY": key, "TDS_WORKER_COUNT": "1"}
    return subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_cluster_with_another_secret_key_drops_the_task_and_health_says_why(staff_api, broker):
    run_id = _queue_sync(staff_api)
    assert broker.queue_size() == 1
    cluster = _cluster_with_key(OTHER_KEY)
    try:
        deadline = time.monotonic() + 60
        while broker.queue_size() and time.monotonic() < deadline:
            time.sleep(0.25)
        assert broker.queue_size() == 0, "the cluster never took the task"
        time.sleep(2)  # a cluster that could read the task would have started the run by now
    finally:
        cluster.send_signal(signal.SIGTERM)
        try:
            output, _ = cluster.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            cluster.kill()
            output, _ = cluster.communicate()
    assert "Failed to push task to queue" in output and "BadSignature" in output, output[-2000:]
    assert SyncRun.objects.get(pk=run_id).status == "pending"
    _age(run_id, QUEUED_RUN_GRACE + timedelta(seconds=30))
    check = _queued_runs(staff_api)
    assert check["status"] == "degraded"
    if settings.REDIS_URL:  # the cluster's heartbeat is readable across processes, signed with its own key
        assert "1 cluster(s) report with a SECRET_KEY other than this web server's" in check["reason"]
    else:  # the ORM broker keeps heartbeats in a per-process cache: what tells is the task that vanished
        assert "their tasks left the broker but never started: most likely a cluster with another SECRET_KEY" \
            in check["reason"]
