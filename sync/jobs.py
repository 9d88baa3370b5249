"""Runs asked for over HTTP: a pending tds_sync_runs row now, the work on the django-q2 cluster.

``job_enqueue`` has the ledger write the run as "pending" (so the caller gets its id and URL at
once) and hand the task to the cluster after the transaction commits (``sync.ledger.run_queue``).
The task (sync.tasks.api_*, or a registered kind's task) gives the pending row's id to its service,
whose run takes it over, through ``job_run``.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sync.entities import DERIVED
from sync.ledger import ACTIVE, REGISTERED, Job, RunActive, RunResult, run_active, run_queue
from sync.models import RunType, SyncRun

__all__ = ["ACTIVE", "Job", "RunActive", "job_enqueue", "job_run", "job_start", "job_target", "job_wait",
           "run_active", "run_result", "task_result"]


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
    if kind in REGISTERED:  # an app's kind (the Odoo push): held under the entity it registered
        return REGISTERED[kind].entity, REGISTERED[kind].run_type
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


def job_run(run_id: str, service: Callable[[], object]) -> dict:
    """A queued run's task body: run the service on its pending row; a row the service never took
    over is failed, saying why. A worker made to stop (SIGTERM/SIGINT, sync.stopping) settles its
    run the same way. A row cancelled before the task started is skipped."""
    from sync.ledger import RunSkipped, run_settle
    from sync.stopping import StopRequested, runs_settle, stops_on_signals

    try:
        with stops_on_signals():
            result = service()
    except RunSkipped as exc:
        return {"skipped": str(exc)}
    except (Exception, StopRequested) as exc:
        if isinstance(exc, StopRequested):
            runs_settle(exc)
        run_settle(run_id=run_id, error=exc)
        raise
    run_settle(run_id=run_id, error="the task finished without opening its run")
    return task_result(result)


def task_result(result: object) -> dict:
    """A small, picklable task result for django-q2's Success table."""
    as_dict, summary_line = getattr(result, "as_dict", None), getattr(result, "summary_line", None)
    if callable(as_dict):
        return as_dict()
    return {"summary": summary_line()} if callable(summary_line) else {"result": str(result)}
