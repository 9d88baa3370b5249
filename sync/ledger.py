"""Sync runs: one tds_sync_runs row per entity pass, with its SyncLog lines and events.

A dry run writes nothing (SPEC: "Dry runs write nothing to the database or disk"): its
tracker keeps the counts in memory and has no row, so run_id is empty.
"""
from __future__ import annotations

import logging
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils import timezone

from sync import events
from sync.models import SyncLog, SyncRun

logger = logging.getLogger("tds.sync")


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


def new_correlation_id() -> str:
    return uuid.uuid4().hex


class RunTracker:
    """Counts, progress and logs of one entity pass; the SyncRun row unless dry run."""

    def __init__(self, *, entity: str, run_type: str, trigger: str, dry_run: bool,
                 configuration: dict[str, Any] | None = None, correlation_id: str = "") -> None:
        self.result = RunResult(entity=entity, dry_run=dry_run)
        self.correlation_id = correlation_id or new_correlation_id()
        self._started = time.monotonic()
        self.run: SyncRun | None = None
        if not dry_run:
            self.run = SyncRun.objects.create(
                run_type=run_type, entity=entity, trigger=_trigger(trigger), status=SyncRun.Status.RUNNING,
                configuration=configuration or {}, started_at=timezone.now(), correlation_id=self.correlation_id)
            self.result.run_id = str(self.run.pk)
            events.publish(events.SYNC_STARTED, run_id=self.result.run_id, entity=entity, run_type=run_type,
                           correlation_id=self.correlation_id)

    def add(self, counts: Any, *, api_calls: int, progress: float | None = None) -> None:
        """Fold an UpsertResult-like object into the run; save the row's counters (one UPDATE)."""
        res = self.result
        for name in ("created", "updated", "unchanged", "skipped", "failed"):
            setattr(res, name, getattr(res, name) + int(getattr(counts, name, 0)))
        res.processed = res.created + res.updated + res.unchanged + res.skipped + res.failed
        res.api_calls = api_calls
        if self.run is not None:
            self._save(progress=progress)
            events.publish(events.ENTITY_SYNCED, run_id=res.run_id, entity=res.entity,
                           created=int(getattr(counts, "created", 0)), updated=int(getattr(counts, "updated", 0)),
                           correlation_id=self.correlation_id)

    def _save(self, *, progress: float | None = None, **extra: Any) -> None:
        res = self.result
        fields = {k: getattr(res, k) for k in ("processed", "created", "updated", "unchanged", "skipped",
                                                 "failed", "deleted", "api_calls")}
        if progress is not None:
            fields["progress"] = round(min(max(progress, 0.0), 100.0), 1)
        SyncRun.objects.filter(pk=self.run.pk).update(**fields, **extra)

    def log(self, message: str, *, level: str = "INFO", zoho_id: str = "", **extra: Any) -> None:
        logger.log(logging.getLevelName(level), "%s %s", self.result.entity, message,
                   extra={"correlation_id": self.correlation_id})
        if self.run is not None:
            SyncLog.objects.create(run=self.run, level=level, entity=self.result.entity, zoho_id=zoho_id,
                                   message=message, extra=extra, correlation_id=self.correlation_id)

    def finish(self, *, error: BaseException | None = None, api_calls: int | None = None) -> RunResult:
        res = self.result
        res.duration_seconds = round(time.monotonic() - self._started, 3)
        if api_calls is not None:
            res.api_calls = api_calls
        if error is not None:
            res.status, res.error = "failed", _reason(error)
        elif res.failed:
            res.status = "partial"
        if self.run is not None:
            self._save(progress=100.0 if error is None else None, status=res.status, error_message=res.error,
                       finished_at=timezone.now(), duration_seconds=res.duration_seconds, summary=res.extra)
            self.log(f"{res.status}: {_counts(res)}", level="ERROR" if error else "INFO")
            name = events.SYNC_FAILED if error else events.SYNC_COMPLETED
            events.publish(name, run_id=res.run_id, entity=res.entity, status=res.status, error=res.error,
                           correlation_id=self.correlation_id)
            events.flush_metrics()
        return res


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
