"""Two OS processes share one organization's rate limit (PostgreSQL table, or Redis)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.zoho.clientkit import isolated_redis_url

ROOT = Path(__file__).resolve().parents[2]
PER_MINUTE, CALLS = 600, 8  # slots 0.102 s apart (2% margin)

WORKER = """
import json, sys, time, django
django.setup()
from zoho.client import get_client
client = get_client(rate_limit_per_minute=%d)
backend = client.limiter.backend
stamps, reserve = [], backend.reserve
def stamped(key, interval, delay=0.0):
    wait = reserve(key, interval, delay)
    stamps.append(time.time() + wait)  # the slot this call was given on the shared timeline
    return wait
backend.reserve = stamped
client.tokens.token()
print("ready", flush=True)
sys.stdin.readline()
for _ in range(%d):
    client.get("inventory", "/items", params={"per_page": 1})
print(json.dumps({"stamps": stamps, "errors": client.stats.errors}), flush=True)
"""


def run_two_workers(sandbox, env_extra: dict[str, str]) -> list[dict]:
    env = {**os.environ, "ZOHO_SANDBOX": "true", "ZOHO_ACCOUNTS_URL": sandbox.url,
           "DJANGO_SETTINGS_MODULE": "tds_site.test_settings", **env_extra}
    workers = [subprocess.Popen([sys.executable, "-c", WORKER % (PER_MINUTE, CALLS)], cwd=ROOT, env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    for worker in workers:  # both are set up before either calls: the runs overlap
        assert worker.stdout.readline().strip() == "ready", worker.stderr.read()
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def assert_shared_pacing(results: list[dict], sandbox) -> None:
    stamps = sorted(stamp for result in results for stamp in result["stamps"])
    assert len(stamps) == 2 * CALLS and all(result["errors"] == {} for result in results)
    # Zoho's rule scaled down: 11 calls span at least 10 intervals (1.02 s); two processes each pacing on
    # their own would fit them into ~0.51 s. A stamp is taken after the reservation commits, so a busy
    # machine delays single stamps by tens of milliseconds: the bar sits between the two outcomes.
    windows = [stamps[i + 10] - stamps[i] for i in range(len(stamps) - 10)]
    assert min(windows) >= 0.8, windows
    assert sandbox.calls.by_status().get(429, 0) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_processes_share_the_database_limiter(sandbox):
    name = connection.settings_dict["NAME"]
    url = f"postgres://{connection.settings_dict['USER']}@{connection.settings_dict['HOST']}:" \
          f"{connection.settings_dict['PORT'] or 5432}/{name}"
    results = run_two_workers(sandbox, {"DATABASE_URL": url, "REDIS_URL": ""})
    assert_shared_pacing(results, sandbox)
    from zoho.client import org_scope
    from zoho.models import RateLimitWindow

    scope = org_scope(sandbox.config.organization_id, sandbox.url)
    assert RateLimitWindow.objects.filter(key=f"zoho:rate:{scope}").exists()


@pytest.mark.redis
def test_two_processes_share_the_redis_limiter(sandbox, settings):
    results = run_two_workers(sandbox, {"REDIS_URL": isolated_redis_url(settings.REDIS_URL)})
    assert_shared_pacing(results, sandbox)
