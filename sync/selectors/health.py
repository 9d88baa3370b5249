"""Health for load balancers and people: overall status, and component checks each with a reason.

healthy   every check passes
degraded  TDS answers but something needs attention (no cluster worker, runs queued over the web
          that no cluster starts, circuit open, quota blocked, queue or dead-letter backlog over
          the alert thresholds, Zoho not configured)
unhealthy the database does not answer: nothing works (HTTP 503)
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import DatabaseError, connection

from sync.selectors import pipeline, runs

# Alert thresholds (warning level): pending items, failed items, open dead letters.
PENDING_WARN = 200
FAILED_WARN = 50
DEAD_LETTERS_WARN = 20
# A run queued over the web is normally started by a cluster within seconds.
QUEUED_RUN_GRACE = timedelta(minutes=2)


def _check(ok: bool, reason: str, **extra: Any) -> dict[str, Any]:
    return {"status": "ok" if ok else "degraded", "reason": reason, **extra}


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except DatabaseError:
        return False


def health_status() -> str:
    """The anonymous answer: one word, without reading anything but the database's pulse."""
    return "healthy" if database_ok() else "unhealthy"


def health_report() -> dict[str, Any]:
    """The full body: workers, queue, last sync, 24 h stats and component checks."""
    if not database_ok():
        down = {"status": "unhealthy", "reason": "the database does not answer"}
        return {"status": "unhealthy", "workers_active": None, "queue_size": None,
                "queue": {"pending": None, "processing": None, "failed": None}, "last_sync": None,
                "last_sync_by_entity": {}, "stats": {"total_synced_24h": 0, "total_seen_24h": 0, "success_rate": 0.0},
                "checks": {"database": down}}
    queue = pipeline.queue_counts()
    letters = pipeline.dead_letters_open()
    census = pipeline.cluster_census()
    workers = census["workers"]
    zoho = pipeline.zoho_state()
    last = runs.last_sync()
    checks = {
        "database": _check(True, "answers"),
        "cluster": _cluster_check(census),
        "zoho_token": _check(zoho["configured"], "credentials configured" if zoho["configured"] else zoho["reason"]),
        "zoho_circuit": _check(zoho["circuit"] == "closed", f"circuit {zoho['circuit']}", state=zoho["circuit"]),
        "zoho_quota": _check(not zoho["quota_block"], "daily quota available" if not zoho["quota_block"]
                             else f"daily quota at the reserve: {int(zoho['quota_block'].get('remaining', 0))} left",
                             remaining=(zoho["quota_block"] or {}).get("remaining")),
        "queue": _check(queue["pending"] <= PENDING_WARN and queue["failed"] <= FAILED_WARN,
                        f"{queue['pending']} pending, {queue['failed']} failed "
                        f"(warn above {PENDING_WARN} pending or {FAILED_WARN} failed)"),
        "dead_letters": _check(letters["total"] <= DEAD_LETTERS_WARN,
                               f"{letters['total']} open (warn above {DEAD_LETTERS_WARN})", open=letters["total"]),
        "queued_runs": queued_runs_check(census),
    }
    status = "healthy" if all(c["status"] == "ok" for c in checks.values()) else "degraded"
    stats = runs.runs_stats()
    return {
        "status": status, "workers_active": workers or 0,
        "queue_size": queue["pending"] + queue["processing"],
        "queue": {"pending": queue["pending"], "processing": queue["processing"], "failed": queue["failed"]},
        "last_sync": last["overall"], "last_sync_by_entity": last["per_entity"],
        "stats": {"total_synced_24h": stats["total_synced_24h"], "total_seen_24h": stats["total_seen_24h"],
                  "success_rate": stats["success_rate"]},
        "checks": checks,
    }


def _cluster_check(census: dict[str, int | None]) -> dict[str, Any]:
    workers, other = census["workers"], census["other_key_clusters"]
    if other:
        reason = (f"{workers or 0} worker(s) reporting; {other} cluster(s) report with a SECRET_KEY other than "
                  "this web server's and cannot read its tasks")
        return _check(False, reason, workers=workers)
    clusters = census.get("clusters")
    if workers:
        return _check(True, f"{workers} worker(s) reporting", workers=workers)
    if clusters:
        return _check(False, f"{clusters} cluster(s) alive but none of their worker processes is reporting",
                      workers=workers)
    return _check(False, "no django-q2 cluster is reporting (start manage.py qcluster)", workers=workers)


def queued_runs_check(census: dict[str, int | None]) -> dict[str, Any]:
    """Runs queued over the web that no cluster has started after QUEUED_RUN_GRACE, and why, as far as
    the broker tells: no cluster taking tasks, or one signing with another SECRET_KEY (it cannot read the
    web's tasks: BadSignature in its log, and the run would stay pending for good)."""
    minutes = int(QUEUED_RUN_GRACE.total_seconds() // 60)
    waiting = runs.runs_waiting(longer_than=QUEUED_RUN_GRACE)
    if not waiting["count"]:
        return _check(True, f"no run has waited more than {minutes} min for a cluster", waiting=0)
    head = (f"{waiting['count']} run(s) queued over the web not started by any cluster after {minutes} min "
            f"(oldest queued {waiting['oldest'].isoformat(timespec='seconds')}): ")
    return _check(False, head + _why_not_started(census), waiting=waiting["count"])


def _why_not_started(census: dict[str, int | None]) -> str:
    other, tasks, workers = census["other_key_clusters"], census["tasks_waiting"], census["workers"]
    same_key = "give the web server and every cluster the same SECRET_KEY, then ask for the run again"
    if other:
        return (f"{other} cluster(s) report with a SECRET_KEY other than this web server's and cannot read "
                f"its tasks; {same_key}")
    if tasks and not workers:
        return (f"{tasks} task(s) wait on the broker and no cluster takes them: start manage.py qcluster "
                "(or tds_scheduler) with this web server's SECRET_KEY")
    if tasks:
        return f"{tasks} task(s) wait on the broker behind longer tasks of the {workers} reporting worker(s)"
    if tasks == 0:
        return ("their tasks left the broker but never started: most likely a cluster with another SECRET_KEY "
                f"took them and dropped them (BadSignature in its log), or it was stopped; {same_key}")
    return ("the broker cannot be read; likely causes: no cluster is running (start manage.py qcluster), "
            "or its SECRET_KEY differs from this web server's so it cannot read the tasks")
