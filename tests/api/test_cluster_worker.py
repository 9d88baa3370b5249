"""A real django-q2 cluster (manage.py qcluster in a subprocess) runs the jobs the API queues."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _cluster(sandbox) -> subprocess.Popen:
    """qcluster on the test database (ORM broker, or the same Redis as this process), Zoho = the sandbox."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    cfg = sandbox.config
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tds_site.test_settings",
           "REDIS_URL": settings.REDIS_URL or "", "ZOHO_SANDBOX": "true", "ZOHO_ACCOUNTS_URL": sandbox.url,
           "ZOHO_CLIENT_ID": cfg.client_id, "ZOHO_CLIENT_SECRET": cfg.client_secret,
           "ZOHO_REFRESH_TOKEN": cfg.refresh_token, "ZOHO_ORGANIZATION_ID": cfg.organization_id,
           "ZOHO_RATE_LIMIT_PER_MINUTE": "0", "TDS_WORKER_COUNT": "1"}
    return subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_for(api, url: str, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run = api.get(url).json()
        if run["status"] not in ("pending", "running"):
            return run
        time.sleep(0.5)
    raise AssertionError(f"the run never finished: {run}")


def test_queued_sync_runs_on_a_real_cluster_worker_and_shows_in_sync_runs(staff_api, zoho_settings, sandbox):
    from django_q.brokers import get_broker

    # Tasks other tests queued on a shared Redis (queue kicks) would run first: start from an empty queue.
    get_broker().purge_queue()
    cluster = _cluster(sandbox)
    try:
        reply = staff_api.post("/api/tds/sync", {"entity_type": "items"}, format="json")
        assert reply.status_code == 202
        run_id, url = reply.json()["sync_run_id"], reply.json()["url"]
        assert staff_api.post("/api/tds/sync", {"entity_type": "items"}, format="json").status_code == 409
        run = _wait_for(staff_api, url)
        assert run["status"] == "completed", run
        assert run["created"] == len(sandbox.store.ids_of("items")) and run["trigger"] == "api"
        listed = staff_api.get("/api/tds/sync-runs?entity_type=items&trigger=api").json()["results"]
        assert [r["id"] for r in listed] == [run_id] and listed[0]["status"] == "completed"
        stock = staff_api.post("/api/tds/stock/sync", {"batch_size": 200}, format="json")
        assert stock.status_code == 202
        assert _wait_for(staff_api, stock.json()["url"])["status"] == "completed"
        # The cluster's heartbeats are in the database: seen on the ORM broker as on Redis.
        assert staff_api.get("/api/tds/health").json()["workers_active"] >= 1
    finally:
        cluster.send_signal(signal.SIGTERM)
        try:
            cluster.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            cluster.kill()
            cluster.communicate()
