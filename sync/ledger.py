"""The run ledger: every run of every kind is one tds_sync_runs row, its SyncLog lines and its events.

A run is a pull (run_type "full" or "incremental"), "stock", "images", "compare", "compare_sync",
a queue drain ("queue") or a push to another system (e.g. "odoo"). Open one as a context manager:

    with run_open(run_type="odoo", entity="products", trigger="schedule", dry_run=False,
                  configuration={"batch": 100}) as run:
        run.add(counts, api_calls=3)           # fold created/updated/... of a batch; tds.entity.synced
        run.count(processed=10, created=4)     # or add to the counters directly
        run.log("product 7 skipped", level="WARNING", zoho_id="7")
        run.progress(50.0)
    run.result                                 # RunResult: status, counts, duration, run_id

or as a pair: ``run = RunTracker(...)`` then ``run.finish(error=exc)``. Leaving the ``with`` block on
an exception finishes the run as failed and lets the exception through. ``finish`` decides the
status unless given one: deferred when the error is Zoho saying "not now" (a refused access token,
the daily quota, an open circuit: ``ZohoError.waits``), with ``extra["resume_at"]`` and a log line
saying when to resume; failed on any other error; partial when some records failed; else completed.

While a run is open its correlation id is the logging correlation id, so every log line of the
run carries it; a run opened inside another (a pull started by compare --sync) shares its id.
Events (tds.sync.started, tds.entity.synced, tds.sync.completed / tds.sync.failed) go through
sync.events after commit. A dry run writes nothing (no row, no log rows, no events): its counts
live in memory and its run_id is empty. ``deferred=True`` opens the row only on ``begin()``, so a
run that finds nothing to do (an idle queue drain) writes nothing either.

A run queued ahead of time (the HTTP API writes a "pending" row so its caller gets an id at once)
is continued with ``run_adopt``: inside ``with run_adopt(run_id=...)`` the first run that begins
takes over that row (status running, its own run_type and configuration) instead of creating one.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from django.db import DatabaseError, connection
from django.db.models import Q
from django.utils import timezone

from sync import events
from sync.logging import correlation, get_correlation_id, new_correlation_id
from sync.models import SyncLog, SyncRun

logger = logging.getLogger("tds.sync")
_current: ContextVar[RunTracker | None] = ContextVar("tds_run", default=None)
_adopt: ContextVar[list[str] | None] = ContextVar("tds_run_adopt", default=None)
COUNTERS = ("processed", "created", "updated", "unchanged", "skipped", "failed", "deleted", "api_calls")


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


class RunTracker:
    """One run: its SyncRun row (unless dry run), counters, log lines, correlation id and events."""

    def __init__(self, *, run_type: str, entity: str = "", trigger: str = "manual", dry_run: bool = False,
                 configuration: dict[str, Any] | None = None, correlation_id: str = "",
                 deferred: bool = False) -> None:
        self.run_type, self.trigger, self.configuration = run_type, _trigger(trigger), configuration or {}
        self.result = RunResult(entity=entity, dry_run=dry_run)
        inherited = get_correlation_id()
        self.correlation_id = correlation_id or (inherited if inherited != "-" else new_correlation_id())
        self.run: SyncRun | None = None
        self._started, self._started_at, self._finished = time.monotonic(), timezone.now(), False
        self._scope = ExitStack()
        self._scope.enter_context(correlation(self.correlation_id))
        self._scope.callback(_current.reset, _current.set(self))
        if not deferred:
            self.begin()

    def begin(self) -> None:
        """Write the run's row and announce it (once; never for a dry run)."""
        if self.run is not None or self.result.dry_run:
            return
        self.run = _adopted(self)
        if self.run is None:
            self.run = SyncRun.objects.create(
                run_type=self.run_type, entity=self.result.entity, trigger=self.trigger,
                status=SyncRun.Status.RUNNING, configuration=self.configuration, started_at=self._started_at,
                correlation_id=self.correlation_id, heartbeat_at=self._started_at)
        self.result.run_id = str(self.run.pk)
        events.publish(events.SyncStarted(run_id=self.result.run_id, run_type=self.run_type,
                                          entity=self.result.entity, trigger=self.trigger,
                                          correlation_id=self.correlation_id))

    def __enter__(self) -> RunTracker:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.finish(error=exc)

    def add(self, counts: Any, *, api_calls: int | None = None, progress: float | None = None,
            source: str = "pull") -> None:
        """Fold an UpsertResult-like batch into the run: one UPDATE and one tds.entity.synced."""
        res, batch = self.result, {n: int(getattr(counts, n, 0)) for n in COUNTERS[1:-1]}
        for name, value in batch.items():
            setattr(res, name, getattr(res, name) + value)
        res.processed = res.created + res.updated + res.unchanged + res.skipped + res.failed
        if api_calls is not None:
            res.api_calls = api_calls
        if self.run is not None:
            self._save(progress=progress)
            events.publish(events.EntitySynced(
                run_id=res.run_id, entity=res.entity, source=source, correlation_id=self.correlation_id,
                count=sum(batch[n] for n in ("created", "updated", "unchanged", "skipped", "failed")), **batch))

    def count(self, **counters: int) -> None:
        """Add to named counters (processed, created, ... api_calls); written when the run finishes."""
        for name, value in counters.items():
            if name not in COUNTERS:
                raise ValueError(f"unknown run counter {name!r}")
            setattr(self.result, name, getattr(self.result, name) + int(value))

    def progress(self, percent: float) -> None:
        if self.run is not None:
            self._save(progress=percent)

    def log(self, message: str, *, level: str = "INFO", zoho_id: str = "", **extra: Any) -> None:
        logger.log(logging.getLevelName(level), "%s %s", self.result.entity or self.run_type, message)
        if self.run is not None:
            SyncLog.objects.create(run=self.run, level=level, entity=self.result.entity, zoho_id=zoho_id,
                                   message=message, extra=extra, correlation_id=self.correlation_id)

    def finish(self, *, error: BaseException | str | None = None, status: str | None = None,
               api_calls: int | None = None, summary: dict[str, Any] | None = None,
               log_summary: bool = True) -> RunResult:
        """Close the run (once): status, counters, summary, a closing log line, the final event.

        ``log_summary=False`` keeps the closing line out of SyncLog (the logger still gets it), for
        runs whose SyncLog rows are one per record.
        """
        res = self.result
        if self._finished:
            return res
        self._finished = True
        try:
            res.duration_seconds = round(time.monotonic() - self._started, 3)
            if api_calls is not None:
                res.api_calls = api_calls
            if summary is not None:
                res.extra = summary
            if error:
                res.error = error if isinstance(error, str) else _reason(error)
            wait = error if isinstance(error, BaseException) and getattr(error, "waits", False) else None
            if wait is not None:
                res.extra["resume_at"] = resume_at(wait)
            res.status = status or ("deferred" if wait is not None else "failed" if error else "partial" if res.failed
                                    else "completed")
            if self.run is not None:
                self._close_surviving_a_lost_connection(log_summary=log_summary)
            elif res.dry_run:
                logger.info("%s %s (dry run): %s", res.entity or self.run_type, res.status, _counts(res))
        finally:
            self._scope.close()
        return res

    def _close_surviving_a_lost_connection(self, *, log_summary: bool) -> None:
        """Record the end on a new connection when the run's own connection died (the usual reason a
        run fails mid-way), so no run is left "running"; what cannot be recorded even then is left
        to ``runs_fail_silent``."""
        try:
            self._close(log_summary=log_summary)
            return
        except DatabaseError as exc:
            if connection.in_atomic_block:
                raise
            first = _reason(exc)
        connection.close()
        try:
            self._close(log_summary=log_summary)
        except DatabaseError as exc:
            logger.error("run %s could not be recorded as %s (%s; then %s); the reaper will fail it",
                         self.result.run_id, self.result.status, first, _reason(exc))

    def _close(self, *, log_summary: bool) -> None:
        res = self.result
        failed, deferred = res.status == SyncRun.Status.FAILED, res.status == SyncRun.Status.DEFERRED
        self._save(progress=None if failed or deferred else 100.0, status=res.status, error_message=res.error,
                   finished_at=timezone.now(), duration_seconds=res.duration_seconds, summary=res.extra)
        line, level = f"{res.status}: {_counts(res)}", "ERROR" if failed else "INFO"
        if deferred:
            resume = res.extra.get("resume_at") or "when Zoho's limit resets"
            line = f"deferred by Zoho's limits: {res.error}; resume at {resume}; {_counts(res)}"
            level = "WARNING"
        if log_summary:
            self.log(line, level=level)
        else:
            logger.log(logging.getLevelName(level), "%s %s", res.entity or self.run_type, line)
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

    def _save(self, *, progress: float | None = None, **extra: Any) -> None:
        fields: dict[str, Any] = {name: getattr(self.result, name) for name in COUNTERS}
        fields["heartbeat_at"] = timezone.now()
        if progress is not None:
            fields["progress"] = round(min(max(progress, 0.0), 100.0), 1)
        if self.run is None:  # a dry run records nothing
            return
        SyncRun.objects.filter(pk=self.run.pk).update(**fields, **extra)


def runs_fail_silent(*, minutes: float | None = None) -> int:
    """Fail the runs still "running" whose heartbeat stopped over ``minutes`` ago (their process died
    or lost the database for good); returns how many. The reaper calls this every minute."""
    from sync.config import config_get

    limit = float(minutes if minutes is not None else config_get("TDS_RUN_HEARTBEAT_MINUTES"))
    now = timezone.now()
    cutoff = now - timedelta(minutes=limit)
    silent = SyncRun.objects.filter(status=SyncRun.Status.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff))
    return silent.update(status=SyncRun.Status.FAILED, finished_at=now, error_message=(
        f"no heartbeat for {limit:g} minutes: the process running it stopped before it could finish"))


def run_current() -> RunTracker | None:
    """The innermost run open in this context (code deep inside a run reads its id from here)."""
    return _current.get()


def run_open(*, run_type: str, entity: str = "", trigger: str = "manual", dry_run: bool = False,
             configuration: dict[str, Any] | None = None, correlation_id: str = "",
             deferred: bool = False) -> RunTracker:
    """Open a run; use it as a context manager or call ``finish`` yourself."""
    return RunTracker(run_type=run_type, entity=entity, trigger=trigger, dry_run=dry_run,
                      configuration=configuration, correlation_id=correlation_id, deferred=deferred)


@contextmanager
def run_adopt(*, run_id: str) -> Iterator[None]:
    """The first run that begins inside this block continues the pending row ``run_id``."""
    token = _adopt.set([run_id])
    try:
        yield
    finally:
        _adopt.reset(token)


def _adopted(tracker: RunTracker) -> SyncRun | None:
    waiting = _adopt.get()
    if not waiting:
        return None
    run_id = waiting.pop()
    fields = {"run_type": tracker.run_type, "entity": tracker.result.entity, "status": SyncRun.Status.RUNNING,
              "started_at": tracker._started_at, "correlation_id": tracker.correlation_id,
              "heartbeat_at": tracker._started_at}
    if not SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.PENDING).update(**fields):
        return None
    run = SyncRun.objects.get(pk=run_id)
    run.configuration = {**run.configuration, **tracker.configuration}
    run.save(update_fields=["configuration"])
    tracker.trigger = run.trigger
    return run


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
