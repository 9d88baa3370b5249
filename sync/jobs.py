"""Runs asked for over HTTP: a pending tds_sync_runs row now, the work on the django-q2 cluster.

``job_enqueue`` writes the run as "pending" (so the caller gets its id and URL at once) and hands
the task to the cluster only after the transaction commits, so a worker never looks for a row
that is not there yet. One pull per entity, and one stock sync, may be pending or running at a
time: a second request gets ``RunActive`` naming the run already under way. A row left "running"
by a process that died stops counting as active after the task timeout.

The task (sync.tasks.api_pull / api_stock_sync) runs the service inside ``run_adopt`` so the
service's own run continues the pending row; ``job_settle`` closes the row when the service wrote
no run of its own (a dry run) or failed before opening it.
"""
from __future__ import annotations

import time
import zlib
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from sync.ledger import RunResult
from sync.models import SyncRun
from sync.selectors.runs import active_window

ACTIVE = (SyncRun.Status.PENDING, SyncRun.Status.RUNNING)
TASKS = {"pull": "sync.tasks.api_pull", "stock": "sync.tasks.api_stock_sync", "images": "sync.tasks.api_images",
         "compare": "sync.tasks.api_compare", "odoo": "sync.tasks.api_odoo"}


class RunActive(Exception):
    def __init__(self, run: SyncRun) -> None:
        super().__init__(f"a {run.run_type} run for {run.entity or 'all'} is already {run.status}")
        self.run = run


@dataclass(frozen=True)
class Job:
    run_id: str
    status: str


def run_active(*, entity: str) -> SyncRun | None:
    """The pending or running run of this entity started within the task timeout, if any."""
    since = timezone.now() - active_window()
    return (SyncRun.objects.filter(entity=entity, status__in=ACTIVE, created_at__gte=since)
            .order_by("-created_at").first())


def job_enqueue(*, kind: str, entity: str, run_type: str, options: dict[str, Any], trigger: str = "api") -> Job:
    """Write the pending run and queue its task after commit; RunActive when one is under way."""
    with transaction.atomic():
        _lock(entity)
        active = run_active(entity=entity)
        if active is not None:
            raise RunActive(active)
        run = SyncRun.objects.create(run_type=run_type, entity=entity, trigger=trigger,
                                     status=SyncRun.Status.PENDING, dry_run=bool(options.get("dry_run")),
                                     configuration=options)
        run_id = str(run.pk)
        transaction.on_commit(lambda: _submit(kind, run_id, options))
    return Job(run_id=run_id, status=run.status)


def _lock(entity: str) -> None:
    """Serialise enqueues of one entity on PostgreSQL (SQLite runs one writer at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7411, zlib.crc32(entity.encode()) & 0x7FFFFFFF])


def _submit(kind: str, run_id: str, options: dict[str, Any]) -> None:
    from django_q.tasks import async_task

    async_task(TASKS[kind], run_id=run_id, task_name=f"api-{kind}-{run_id[:8]}", **options)


def job_settle(*, run_id: str, result: RunResult | None, error: BaseException | None = None) -> None:
    """Close a row the service did not take over (dry run, or a failure before the run opened)."""
    row = SyncRun.objects.filter(pk=run_id, status__in=ACTIVE)
    fields: dict[str, Any] = {"finished_at": timezone.now()}
    if result is not None:
        fields.update(status=result.status, error_message=result.error, summary=result.extra,
                      duration_seconds=result.duration_seconds, progress=100.0,
                      **{n: getattr(result, n) for n in ("processed", "created", "updated", "unchanged",
                                                         "skipped", "failed", "deleted", "api_calls")})
    if error is not None:
        fields.update(status=SyncRun.Status.FAILED, error_message=f"{type(error).__name__}: {error}"[:1000])
    row.update(**fields)


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
    """A finished row as the RunResult its service returned (for the seed's response shapes)."""
    return RunResult(entity=run.entity, run_id=str(run.pk), status=run.status, dry_run=run.dry_run,
                     processed=run.processed, created=run.created, updated=run.updated, unchanged=run.unchanged,
                     skipped=run.skipped, failed=run.failed, deleted=run.deleted, api_calls=run.api_calls,
                     duration_seconds=run.duration_seconds or 0.0, error=run.error_message,
                     extra=dict(run.summary or {}))
