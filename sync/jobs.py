"""Runs asked for over HTTP: a pending tds_sync_runs row now, the work on the django-q2 cluster.

``job_enqueue`` has the ledger write the run as "pending" (so the caller gets its id and URL at
once) and hand the task to the cluster after the transaction commits (``sync.ledger.run_queue``).
The task (sync.tasks.api_*) gives the pending row's id to its service, whose run takes it over.
"""
from __future__ import annotations

import time
from typing import Any

from sync.entities import DERIVED
from sync.ledger import ACTIVE, Job, RunActive, RunResult, run_active, run_queue
from sync.models import RunType, SyncRun

__all__ = ["ACTIVE", "Job", "RunActive", "job_enqueue", "job_start", "job_target", "job_wait", "run_active",
           "run_result"]

# The Odoo push is held under the entity it pushes, so it never runs beside itself.
_ODOO_ENTITY = "products"


def job_enqueue(*, kind: str, entity: str, run_type: str, options: dict[str, Any], trigger: str = "api") -> Job:
    """Write the pending run and queue its task after commit; RunActive when one is under way."""
    return run_queue(kind=kind, entity=entity, run_type=run_type, options=options, trigger=trigger)


def job_target(*, kind: str, options: dict[str, Any]) -> tuple[str, str]:
    """The entity a run of ``kind`` is held under and its run type, from the task's own options: the one
    place where a trigger (the API, the BFF, a dashboard button) becomes a run."""
    if kind == "pull":
        return str(options["entity"]), RunType.FULL if options.get("full") else RunType.INCREMENTAL
    if kind in DERIVED:
        return kind, DERIVED[kind].run_type
    if kind == "compare":
        return "", RunType.COMPARE_SYNC if options.get("carry_out") else RunType.COMPARE
    if kind == "odoo":
        return _ODOO_ENTITY, RunType.ODOO
    raise ValueError(f"unknown kind of run {kind!r}")


def job_start(*, kind: str, options: dict[str, Any], trigger: str = "api") -> Job:
    """Queue a run of ``kind`` with the task's ``options``; RunActive when one is under way."""
    entity, run_type = job_target(kind=kind, options=options)
    return job_enqueue(kind=kind, entity=entity, run_type=run_type, options=options, trigger=trigger)


def job_wait(*, run_id: str, seconds: float, poll: float = 0.25) -> SyncRun | None:
    """The run once it has finished, or None when it is still pending/running after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        run = SyncRun.objects.filter(pk=run_id).first()
        if run is not None and run.status not in ACTIVE:
            return run
        if time.monotonic() >= deadline:
            return None
        time.sleep(poll)


def run_result(run: SyncRun) -> RunResult:
    """A finished row as the RunResult its service returned (for the API's response shapes)."""
    return RunResult(entity=run.entity, run_id=str(run.pk), status=run.status, dry_run=run.dry_run,
                     processed=run.processed, created=run.created, updated=run.updated, unchanged=run.unchanged,
                     skipped=run.skipped, failed=run.failed, deleted=run.deleted, api_calls=run.api_calls,
                     duration_seconds=run.duration_seconds or 0.0, error=run.error_message,
                     extra=dict(run.summary or {}))
