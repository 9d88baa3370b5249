"""The run ledger: every run of every kind is one tds_sync_runs row, its SyncLog lines and its events.

This module is the only code that writes tds_sync_runs and tds_sync_logs (a test holds that). A
run's type is a ``RunType`` (sync.models.choices): a pull ("full" or "incremental"), "stock",
"images", "compare", "compare_sync", a queue drain ("queue"), or a run of an app built on the
engine (a push to Odoo, "odoo"). Every service opens its run as a context manager:

    with run_open(run_type=RunType.STOCK, entity="stock", trigger="schedule", run_id=run_id,
                  configuration={"batch": 100}) as run:
        run.add(counts, api_calls=3)           # fold created/updated/... of a batch; tds.entity.synced
        run.count(processed=10, created=4)     # or add to the counters directly
        run.log("product 7 skipped", level="WARNING", zoho_id="7")
        run.progress(50.0)
    run.result                                 # RunResult: status, counts, duration, run_id

One exception policy for every service: leaving the block on any exception, Ctrl-C and SystemExit
included, settles the run (deferred when Zoho said "not now", cancelled when an operator stopped
it, else failed) before the exception goes on; a run opened with ``contain=True`` (a pull, the
stock sync: one failed entity must not stop the others) keeps an ``Exception`` to its result
instead, never a Ctrl-C. ``finish`` decides the status unless given one: deferred when the error
is Zoho saying "not now" (``ZohoError.waits``), with ``extra["resume_at"]`` and a log line saying
when to resume; failed on any other error; partial when some records failed; else completed.

While a run is open its correlation id is the logging correlation id, so every log line of the
run carries it; a run opened inside another (a pull started by compare --sync) shares its id.
Events (tds.sync.started, tds.entity.synced, tds.sync.completed / tds.sync.failed) go through
sync.events after commit. A dry run writes nothing (no row, no log rows, no events) unless it was
queued (its pending row then holds its counts and summary); its run_id is otherwise empty.
``deferred=True`` opens the row only on ``begin()``, so a run that finds nothing to do (an idle
queue drain) writes nothing either.

A run queued ahead of time (``run_queue``: the HTTP API and the dashboard write a "pending" row so
the caller gets an id at once) is continued by the service given its ``run_id``: the run takes
over that row instead of creating one, or raises ``RunSkipped`` when the row is no longer pending
(cancelled before a worker reached it). ``run_cancel`` cancels a pending run, or asks a running
one to stop: the run raises ``RunCancelled`` at its next batch boundary (``add``, ``progress``,
``checkpoint``). ``run_retry`` queues a new run with the parameters of a finished one. An app built
on the engine adds its own kind of queued run (its task, run type and entity) with
``run_kind_register``; the engine never imports it.
"""
from __future__ import annotations

import inspect
import logging
import time
import zlib
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from sync import events
from sync.enqueue import task_enqueue
from sync.logging import correlation, get_correlation_id, new_correlation_id
from sync.models import RunStatus, RunType, SyncLog, SyncRun
from sync.selectors.runs import ACTIVE, active_window

logger = logging.getLogger("tds.sync")
_current: ContextVar[RunTracker | None] = ContextVar("tds_run", default=None)
COUNTERS = ("processed", "created", "updated", "unchanged", "skipped", "failed", "deleted", "api_calls")
STOP_KEY = "cancel_requested"  # in a running row's summary: stop at the next batch boundary
# The task that carries out each kind of queued run, and the kind each run type is queued as; an
# app built on the engine adds its own kinds with ``run_kind_register``.
TASKS = {"pull": "sync.tasks.api_pull", "stock": "sync.tasks.api_stock_sync", "images": "sync.tasks.api_images",
         "compare": "sync.tasks.api_compare"}
KINDS: dict[str, str] = {RunType.FULL: "pull", RunType.INCREMENTAL: "pull", RunType.STOCK: "stock",
                         RunType.IMAGES: "images", RunType.COMPARE: "compare", RunType.COMPARE_SYNC: "compare"}


@dataclass
class RunResult:
    entity: str
    run_id: str = ""
    status: str = "completed"
    dry_run: bool = False
    processed: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    deleted: int = 0
    api_calls: int = 0
    duration_seconds: float = 0.0
    error: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "completed"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LogLine:
    """One SyncLog line of a run, for ``RunTracker.log_many``."""
    message: str
    level: str = "INFO"
    zoho_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunKind:
    """A kind of run queued on request by an app built on the engine (from its AppConfig.ready): the
    task that carries it out (given ``run_id`` and the options), its run type, the entity its runs
    are held under (one pending or running at a time) and how a page names it."""
    name: str
    task: str
    run_type: str
    entity: str
    label: str


REGISTERED: dict[str, RunKind] = {}


def run_kind_register(kind: RunKind) -> None:
    """Queue, retry and name runs of ``kind`` as the engine's own (registering it again is harmless)."""
    REGISTERED[kind.name] = kind
    TASKS[kind.name] = kind.task
    KINDS[kind.run_type] = kind.name


def run_kind(name: str) -> RunKind:
    """A registered kind; KeyError when no app registered it (its app is not installed)."""
    return REGISTERED[name]


@dataclass(frozen=True)
class Job:
    run_id: str
    status: str


class RunActive(Exception):
    """A run of the same entity is pending or running: a second one is not queued."""

    def __init__(self, run: SyncRun) -> None:
        super().__init__(f"a {run.run_type} run for {run.entity or 'all'} is already {run.status}")
        self.run = run


class RunSkipped(Exception):
    """The queued run is no longer pending (cancelled before a worker reached it): nothing to do."""


class RunCancelled(Exception):
    """An operator asked the running run to stop; raised at its next batch boundary."""


class RunStateError(Exception):
    """The run cannot be cancelled or retried in the state it is in (one line, for the caller)."""


class RunTracker:
    """One run: its SyncRun row (unless dry run), counters, log lines, correlation id and events."""

    def __init__(self, *, run_type: str, entity: str = "", trigger: str = "manual", dry_run: bool = False,
                 configuration: dict[str, Any] | None = None, correlation_id: str = "",
                 deferred: bool = False, run_id: str = "", contain: bool = False, summary_line: bool = True,
                 calls: Callable[[], int] | None = None) -> None:
        self.run_type, self.trigger, self.configuration = run_type, _trigger(trigger), configuration or {}
        self.result = RunResult(entity=entity, dry_run=dry_run)
        self.queued_id, self.contain, self.summary_line, self._calls = run_id, contain, summary_line, calls
        inherited = get_correlation_id()
        self.correlation_id = correlation_id or (inherited if inherited != "-" else new_correlation_id())
        self.run: SyncRun | None = None
        self._started, self._started_at, self._finished = time.monotonic(), timezone.now(), False
        self._closing: list[Callable[[RunTracker, BaseException | str | None], None]] = []
        self._scope = ExitStack()
        self._scope.enter_context(correlation(self.correlation_id))
        self._scope.callback(_current.reset, _current.set(self))
        if not deferred:
            try:
                self.begin()
            except BaseException:
                self._finished = True
                self._scope.close()
                raise

    @property
    def announces(self) -> bool:
        """Events go out for runs that change data; a dry run only records what it would do."""
        return self.run is not None and not self.result.dry_run

    def begin(self) -> None:
        """Write the run's row, or take over the queued one, and announce it (once).

        Raises RunSkipped when the queued row is no longer pending."""
        if self.run is not None or (self.result.dry_run and not self.queued_id):
            return
        self.run = _adopt(self) if self.queued_id else SyncRun.objects.create(
            run_type=self.run_type, entity=self.result.entity, trigger=self.trigger,
            status=RunStatus.RUNNING, configuration=self.configuration, started_at=self._started_at,
            correlation_id=self.correlation_id, heartbeat_at=self._started_at)
        self.result.run_id = str(self.run.pk)
        if self.announces:
            events.publish(events.SyncStarted(run_id=self.result.run_id, run_type=self.run_type,
                                              entity=self.result.entity, trigger=self.trigger,
                                              correlation_id=self.correlation_id))

    def __enter__(self) -> RunTracker:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> bool:
        self.finish(error=exc)
        if exc is None or not (self.contain and isinstance(exc, Exception)):
            return False
        name = self.result.entity or self.run_type
        if isinstance(exc, RunCancelled):
            logger.info("%s stopped: %s", name, exc)
        elif getattr(exc, "waits", False):  # Zoho says "not now": recorded deferred, with resume_at
            logger.warning("%s cut short by Zoho's limits: %s", name, exc)
        else:
            logger.error("%s failed", name, exc_info=(kind, exc, tb) if kind else None)
        return True

    def on_close(self, fold: Callable[[RunTracker, BaseException | str | None], None]) -> None:
        """Call ``fold(run, error)`` first thing when the run finishes, however it ends (a service
        whose figures live in its own result folds them into the run here)."""
        self._closing.append(fold)

    def add(self, counts: Any, *, api_calls: int | None = None, progress: float | None = None,
            source: str = "pull") -> None:
        """Fold an UpsertResult-like batch into the run: one UPDATE and one tds.entity.synced; a
        batch boundary, so a stop asked for by an operator is raised here (RunCancelled)."""
        res, batch = self.result, {n: int(getattr(counts, n, 0)) for n in COUNTERS[1:-1]}
        for name, value in batch.items():
            setattr(res, name, getattr(res, name) + value)
        res.processed = res.created + res.updated + res.unchanged + res.skipped + res.failed
        if api_calls is not None:
            res.api_calls = api_calls
        if self.run is not None:
            if self.announces:
                events.publish(events.EntitySynced(
                    run_id=res.run_id, entity=res.entity, source=source, correlation_id=self.correlation_id,
                    count=sum(batch[n] for n in ("created", "updated", "unchanged", "skipped", "failed")),
                    **batch))
            self._beat(progress=progress)

    def count(self, **counters: int) -> None:
        """Add to named counters (processed, created, ... api_calls); written when the run finishes."""
        for name, value in counters.items():
            if name not in COUNTERS:
                raise ValueError(f"unknown run counter {name!r}")
            setattr(self.result, name, getattr(self.result, name) + int(value))

    def progress(self, percent: float) -> None:
        if self.run is not None:
            self._beat(progress=percent)

    def checkpoint(self) -> None:
        """A batch boundary: heartbeat and counters written; RunCancelled if an operator asked to stop."""
        if self.run is not None:
            self._beat()

    def log(self, message: str, *, level: str = "INFO", zoho_id: str = "", **extra: Any) -> None:
        logger.log(logging.getLevelName(level), "%s %s", self.result.entity or self.run_type, message)
        if self.run is not None:
            SyncLog.objects.create(run=self.run, level=level, entity=self.result.entity, zoho_id=zoho_id,
                                   message=message, extra=extra, correlation_id=self.correlation_id)

    def log_many(self, lines: Iterable[LogLine]) -> int:
        """Many SyncLog lines in bulk (one per record of a run); returns how many were written."""
        if self.run is None:
            return 0
        rows = [SyncLog(run=self.run, level=line.level, entity=self.result.entity, zoho_id=line.zoho_id,
                        message=line.message, extra=line.extra, correlation_id=self.correlation_id)
                for line in lines]
        SyncLog.objects.bulk_create(rows, batch_size=500)
        return len(rows)

    def finish(self, *, error: BaseException | str | None = None, status: str | None = None,
               api_calls: int | None = None, summary: dict[str, Any] | None = None) -> RunResult:
        """Close the run (once): status, counters, summary, a closing log line, the final event.

        A run opened with ``summary_line=False`` keeps the closing line out of SyncLog (the logger
        still gets it), for runs whose SyncLog rows are one per record or that run all day.
        """
        res = self.result
        if self._finished:
            return res
        self._finished = True
        try:
            for fold in self._closing:
                fold(self, error)
            res.duration_seconds = round(time.monotonic() - self._started, 3)
            if api_calls is not None:
                res.api_calls = api_calls
            elif self._calls is not None:
                res.api_calls = self._calls()
            if summary is not None:
                res.extra = summary
            if error:
                res.error = error if isinstance(error, str) else _reason(error)
            wait = error if isinstance(error, BaseException) and getattr(error, "waits", False) else None
            if wait is not None:
                res.extra["resume_at"] = resume_at(wait)
            res.status = status or (
                RunStatus.CANCELLED if isinstance(error, RunCancelled) else RunStatus.DEFERRED if wait is not None
                else RunStatus.FAILED if error else RunStatus.PARTIAL if res.failed else RunStatus.COMPLETED)
            if self.run is not None:
                self._close_surviving_a_lost_connection()
            elif res.dry_run:
                logger.info("%s %s (dry run): %s", res.entity or self.run_type, res.status, _counts(res))
        finally:
            self._scope.close()
        return res

    def _close_surviving_a_lost_connection(self) -> None:
        """Record the end on a new connection when the run's own connection died (the usual reason a
        run fails mid-way), so no run is left "running"; what cannot be recorded even then is left
        to ``runs_fail_silent``."""
        try:
            self._close()
            return
        except DatabaseError as exc:
            if connection.in_atomic_block:
                raise
            first = _reason(exc)
        connection.close()
        try:
            self._close()
        except DatabaseError as exc:
            logger.error("run %s could not be recorded as %s (%s; then %s); the reaper will fail it",
                         self.result.run_id, self.result.status, first, _reason(exc))

    def _close(self) -> None:
        res = self.result
        failed, deferred = res.status == RunStatus.FAILED, res.status == RunStatus.DEFERRED
        ended = failed or deferred or res.status == RunStatus.CANCELLED
        self._write(progress=None if ended else 100.0, status=res.status, error_message=res.error,
                    finished_at=timezone.now(), duration_seconds=res.duration_seconds, summary=res.extra)
        line, level = f"{res.status}: {_counts(res)}", "ERROR" if failed else "INFO"
        if deferred:
            resume = res.extra.get("resume_at") or "when Zoho's limit resets"
            line = f"deferred by Zoho's limits: {res.error}; resume at {resume}; {_counts(res)}"
            level = "WARNING"
        if self.summary_line:
            self.log(line, level=level)
        else:
            logger.log(logging.getLevelName(level), "%s %s", res.entity or self.run_type, line)
        if not self.announces:
            return
        if failed:
            events.publish(events.SyncFailed(run_id=res.run_id, run_type=self.run_type, entity=res.entity,
                                             status=res.status, error=res.error,
                                             duration_seconds=res.duration_seconds,
                                             correlation_id=self.correlation_id))
        else:
            events.publish(events.SyncCompleted(
                run_id=res.run_id, run_type=self.run_type, entity=res.entity, status=res.status,
                processed=res.processed, created=res.created, updated=res.updated, failed=res.failed,
                deleted=res.deleted, duration_seconds=res.duration_seconds, correlation_id=self.correlation_id))
        events.flush_metrics()

    def _fields(self, progress: float | None) -> dict[str, Any]:
        fields: dict[str, Any] = {name: getattr(self.result, name) for name in COUNTERS}
        fields["heartbeat_at"] = timezone.now()
        if progress is not None:
            fields["progress"] = round(min(max(progress, 0.0), 100.0), 1)
        return fields

    def _beat(self, *, progress: float | None = None) -> None:
        """Counters and heartbeat of a running run, in one UPDATE that misses a row asked to stop."""
        assert self.run is not None
        if SyncRun.objects.filter(pk=self.run.pk).exclude(summary__has_key=STOP_KEY).update(**self._fields(progress)):
            return
        asked = (SyncRun.objects.filter(pk=self.run.pk).values_list("summary", flat=True).first() or {}).get(STOP_KEY)
        if asked:
            raise RunCancelled(f"cancelled by {asked.get('by') or 'an operator'}")

    def _write(self, *, progress: float | None = None, **extra: Any) -> None:
        if self.run is not None:  # a dry run records nothing
            SyncRun.objects.filter(pk=self.run.pk).update(**self._fields(progress), **extra)


def _adopt(tracker: RunTracker) -> SyncRun:
    """Take over the queued row (status running, the service's run type and configuration)."""
    fields = {"run_type": tracker.run_type, "entity": tracker.result.entity, "status": RunStatus.RUNNING,
              "started_at": tracker._started_at, "correlation_id": tracker.correlation_id,
              "heartbeat_at": tracker._started_at}
    with transaction.atomic():
        if not SyncRun.objects.filter(pk=tracker.queued_id, status=RunStatus.PENDING).update(**fields):
            found = SyncRun.objects.filter(pk=tracker.queued_id).values_list("status", flat=True).first()
            raise RunSkipped(f"run {tracker.queued_id} is {found or 'gone'}, not pending: not started")
        run = SyncRun.objects.get(pk=tracker.queued_id)
        run.configuration = {**run.configuration, **tracker.configuration}
        SyncRun.objects.filter(pk=run.pk).update(configuration=run.configuration)
    tracker.trigger = run.trigger
    return run


def run_open(*, run_type: str, entity: str = "", trigger: str = "manual", dry_run: bool = False,
             configuration: dict[str, Any] | None = None, correlation_id: str = "", deferred: bool = False,
             run_id: str = "", contain: bool = False, summary_line: bool = True,
             calls: Callable[[], int] | None = None) -> RunTracker:
    """Open a run (continuing the queued row ``run_id`` when given); use it as a context manager."""
    return RunTracker(run_type=run_type, entity=entity, trigger=trigger, dry_run=dry_run,
                      configuration=configuration, correlation_id=correlation_id, deferred=deferred,
                      run_id=run_id, contain=contain, summary_line=summary_line, calls=calls)


def run_current() -> RunTracker | None:
    """The innermost run open in this context (code deep inside a run reads its id from here)."""
    return _current.get()


# --- queued runs: pending, settled, cancelled, retried ---------------------------------------


def run_active(*, entity: str) -> SyncRun | None:
    """The pending or running run of this entity started within the task timeout, if any."""
    since = timezone.now() - active_window()
    return (SyncRun.objects.filter(entity=entity, status__in=ACTIVE, created_at__gte=since)
            .order_by("-created_at").first())


def run_queue(*, kind: str, entity: str, run_type: str, options: dict[str, Any], trigger: str = "api") -> Job:
    """Write the pending run and queue its task after commit; RunActive when one is under way.

    One pull per entity, one stock sync, one image sync, one compare may be pending or running at
    a time. The task gets ``run_id`` and ``options`` as keyword arguments."""
    if kind not in TASKS:
        raise ValueError(f"unknown kind of run {kind!r}")
    with transaction.atomic():
        _lock(entity)
        active = run_active(entity=entity)
        if active is not None:
            raise RunActive(active)
        run = SyncRun.objects.create(run_type=run_type, entity=entity, trigger=_trigger(trigger),
                                     status=RunStatus.PENDING, dry_run=bool(options.get("dry_run")),
                                     configuration=options)
        run_id = str(run.pk)
        transaction.on_commit(lambda: task_enqueue(TASKS[kind], options={"task_name": f"api-{kind}-{run_id[:8]}"},
                                                   run_id=run_id, **options))
    return Job(run_id=run_id, status=run.status)


def _lock(entity: str) -> None:
    """Serialise enqueues of one entity on PostgreSQL (SQLite runs one writer at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7411, zlib.crc32(entity.encode()) & 0x7FFFFFFF])


def run_settle(*, run_id: str, error: BaseException | str) -> bool:
    """Fail a queued row its service never took over (it failed before opening its run, or returned
    without one), saying why; a row already closed is left alone. True when it was settled."""
    reason = error if isinstance(error, str) else _reason(error)
    return bool(SyncRun.objects.filter(pk=run_id, status__in=ACTIVE).update(
        status=RunStatus.FAILED, finished_at=timezone.now(), error_message=reason[:1000]))


def run_cancel(run_id: str, *, by: str) -> str:
    """Cancel a pending run (its task then skips it) or ask a running one to stop at its next batch
    boundary. Returns the row's status after the call: "cancelled", or "running" until it stops.
    RunStateError when the run has already finished or does not exist."""
    now = timezone.now()
    if SyncRun.objects.filter(pk=run_id, status=RunStatus.PENDING).update(
            status=RunStatus.CANCELLED, finished_at=now, error_message=f"cancelled by {by} before it started"):
        return RunStatus.CANCELLED
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            raise RunStateError(f"no run {run_id}")
        if run.status != RunStatus.RUNNING:
            raise RunStateError(f"run {run_id} is {run.status}: nothing to cancel")
        asked = {"by": by, "at": now.isoformat()}
        SyncRun.objects.filter(pk=run_id).update(summary={**(run.summary or {}), STOP_KEY: asked})
    return RunStatus.RUNNING


def run_retry(run_id: str, *, trigger: str = "manual") -> Job:
    """Queue a new run of the same type, entity and parameters as the finished run ``run_id``.

    RunStateError when it is still pending or running, or is of a type that is not queued (a queue
    drain); RunActive when another run of its entity is under way."""
    run = SyncRun.objects.filter(pk=run_id).first()
    if run is None:
        raise RunStateError(f"no run {run_id}")
    if run.status in ACTIVE:
        raise RunStateError(f"run {run_id} is {run.status}: it can be retried once it has finished")
    kind = KINDS.get(run.run_type)
    if kind is None:
        raise RunStateError(f"a {run.run_type} run is not started on request: nothing to retry")
    return run_queue(kind=kind, entity=run.entity, run_type=run.run_type, options=_retry_options(run, kind),
                     trigger=trigger)


def _retry_options(run: SyncRun, kind: str) -> dict[str, Any]:
    """The task's keyword arguments from the row: its configuration, limited to what the task takes."""
    from django.utils.module_loading import import_string

    accepted = set(inspect.signature(import_string(TASKS[kind])).parameters) - {"run_id"}
    options = {k: v for k, v in (run.configuration or {}).items() if k in accepted}
    options["dry_run"] = run.dry_run
    if kind == "pull":
        options.update(entity=run.entity, full=run.run_type == RunType.FULL)
    elif kind == "compare":
        options["carry_out"] = run.run_type == RunType.COMPARE_SYNC
    return {k: v for k, v in options.items() if k in accepted}


def runs_fail_silent(*, minutes: float | None = None) -> int:
    """Fail the runs still "running" whose heartbeat stopped over ``minutes`` ago (their process died
    or lost the database for good); returns how many. The reaper calls this every minute."""
    from sync.config import config_get

    limit = float(minutes if minutes is not None else config_get("TDS_RUN_HEARTBEAT_MINUTES"))
    now = timezone.now()
    cutoff = now - timedelta(minutes=limit)
    silent = SyncRun.objects.filter(status=RunStatus.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff))
    return silent.update(status=RunStatus.FAILED, finished_at=now, error_message=(
        f"no heartbeat for {limit:g} minutes: the process running it stopped before it could finish"))


def runs_fail_unclaimed(*, minutes: float | None = None) -> int:
    """Fail the runs still "pending" that were queued over ``minutes`` ago: their task never reached a
    worker (lost by the broker, or read by no cluster), and the row would hold its entity's "Already
    running" until the task timeout. A task that turns up later finds the row failed and skips it.
    Returns how many. The lease reaper calls this on each of its rounds."""
    from sync.config import config_get

    limit = float(minutes if minutes is not None else config_get("TDS_PENDING_RUN_TIMEOUT_MINUTES"))
    now = timezone.now()
    unclaimed = SyncRun.objects.filter(status=RunStatus.PENDING, created_at__lt=now - timedelta(minutes=limit))
    return unclaimed.update(status=RunStatus.FAILED, finished_at=now, error_message=(
        f"no worker picked this run up within {limit:g} minutes: is a cluster running (manage.py qcluster) "
        "with this web server's SECRET_KEY?"))


def resume_at(error: BaseException) -> str:
    """When Zoho lets calls through again after a "not now" error (ISO 8601, UTC); "" when unknown."""
    epoch = getattr(error, "resume_epoch", None)
    return "" if epoch is None else resume_time(float(epoch))


def resume_time(epoch: float) -> str:
    """An epoch as ISO 8601 in UTC, rounded up to the second (never a moment too early)."""
    moment = datetime.fromtimestamp(epoch, UTC)
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return moment.isoformat()


def _counts(res: RunResult) -> str:
    return (f"created={res.created} updated={res.updated} unchanged={res.unchanged} skipped={res.skipped} "
            f"failed={res.failed} deleted={res.deleted} api_calls={res.api_calls} {res.duration_seconds}s")


def _reason(error: BaseException) -> str:
    """One line: the error class and its message (ZohoError messages carry no secrets)."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}"[:1000]


def _trigger(value: str) -> str:
    valid = {choice for choice, _ in SyncRun.Trigger.choices}
    return value if value in valid else SyncRun.Trigger.MANUAL
