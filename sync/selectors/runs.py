"""Runs from the ledger (tds_sync_runs): active, recent, one with its log lines, per-entity last sync."""
from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.utils import timezone

from sync.models import COMPARE_TYPES, SyncCursor, SyncLog, SyncRun

ACTIVE = (SyncRun.Status.PENDING, SyncRun.Status.RUNNING)
FINISHED = (SyncRun.Status.COMPLETED, SyncRun.Status.PARTIAL, SyncRun.Status.DEFERRED, SyncRun.Status.FAILED)
LOG_LINES = 500
RUN_FILTERS = ("entity", "run_type", "status", "trigger")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _finite(value: float | None) -> float | None:
    """A stored float as JSON can carry it: NaN and infinities (a double column holds them) are null."""
    return value if value is None or math.isfinite(value) else None


def as_dict(value: Any) -> dict[str, Any]:
    """A JSON column read as an object, whatever it holds (a list, a number, unreadable text): {} if not one."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def run_row(run: SyncRun) -> dict[str, Any]:
    """One run, compact: what a list shows."""
    return {
        "id": str(run.pk), "run_type": run.run_type, "entity": run.entity, "trigger": run.trigger,
        "status": run.status, "dry_run": run.dry_run, "progress": _finite(run.progress),
        "processed": run.processed, "created": run.created, "updated": run.updated, "unchanged": run.unchanged,
        "skipped": run.skipped, "failed": run.failed, "deleted": run.deleted, "api_calls": run.api_calls,
        "created_at": _iso(run.created_at), "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at), "duration_seconds": _finite(run.duration_seconds),
        "error_message": run.error_message, "resume_at": _resume_at(run),
    }


def _resume_at(run: SyncRun) -> str | None:
    """When a run Zoho's limits cut short (deferred) can go on; None for every other run.

    The status is looked at first: lists load runs without their summary, and reading it would cost
    one query per row."""
    if run.status != SyncRun.Status.DEFERRED:
        return None
    return as_dict(run.summary).get("resume_at") or None


def run_detail(*, run_id: str, log_limit: int = LOG_LINES) -> dict[str, Any] | None:
    """The run with counts, timings, API calls, errors, its configuration and summary, and its log lines."""
    run = SyncRun.objects.filter(pk=run_id).first()
    if run is None:
        return None
    logs = SyncLog.objects.filter(run_id=run.pk).order_by("id")[:log_limit]
    errors = [run.error_message] if run.error_message else []
    errors += [str(e) for e in as_list(as_dict(run.summary).get("errors"))][:50]
    return {
        **run_row(run), "correlation_id": run.correlation_id, "configuration": run.configuration,
        "summary": run.summary, "errors": errors,
        "logs": [{"id": line.pk, "level": line.level, "entity": line.entity, "zoho_id": line.zoho_id,
                  "message": line.message, "created_at": _iso(line.created_at)} for line in logs],
    }


def run_found(run_id: str) -> SyncRun | None:
    return SyncRun.objects.filter(pk=run_id).first()


def runs_listed() -> QuerySet[SyncRun]:
    """Every run, without the configuration and summary a list does not show."""
    return SyncRun.objects.defer("configuration", "summary")


def runs_matching(rows: QuerySet[SyncRun] | None = None, /, *, entity: str = "", run_type: str = "",
                  status: str = "", trigger: str = "", created_after: datetime | None = None,
                  created_before: datetime | None = None) -> QuerySet[SyncRun]:
    """The runs (of ``rows``, else all) of this entity, run type, status and trigger, created in
    [created_after, created_before); a blank value is no filter. Unordered: the one run filter of the
    API's run list and the dashboard's history, each ordering and paging as it shows them."""
    given: dict[str, object] = {name: value for name, value in (("entity", entity), ("run_type", run_type),
                                ("status", status), ("trigger", trigger)) if value}
    if created_after is not None:
        given["created_at__gte"] = created_after
    if created_before is not None:
        given["created_at__lt"] = created_before
    rows = SyncRun.objects.all() if rows is None else rows
    return rows.filter(**given) if given else rows


def active_window() -> timedelta:
    """A run older than the task timeout that still says pending/running was left by a dead process."""
    from django.conf import settings

    return timedelta(seconds=int(settings.Q_CLUSTER.get("timeout") or 1800) + 300)


def runs_waiting(*, longer_than: timedelta) -> dict[str, Any]:
    """Runs queued for the cluster (pending) for longer than ``longer_than``, within the active window:
    how many, and since when the oldest waits. Older ones no longer block new runs (jobs.run_active)."""
    now = timezone.now()
    rows = SyncRun.objects.filter(status=SyncRun.Status.PENDING, created_at__lte=now - longer_than,
                                  created_at__gte=now - active_window())
    found = rows.aggregate(count=Count("id"), oldest=Min("created_at"))
    return {"count": found["count"] or 0, "oldest": found["oldest"]}


def runs_active(*, limit: int = 20) -> list[dict[str, Any]]:
    since = timezone.now() - active_window()
    rows = SyncRun.objects.filter(status__in=ACTIVE, created_at__gte=since).order_by("-created_at")[:limit]
    return [run_row(run) for run in rows]


def runs_latest(*, run_type: str, limit: int = 50) -> list[SyncRun]:
    """The latest runs of one type, newest first, as rows (for a service's own status page)."""
    return list(SyncRun.objects.filter(run_type=run_type).order_by("-created_at")[:limit])


def runs_recent(*, limit: int = 20, entity: str | None = None) -> list[dict[str, Any]]:
    rows = runs_matching(entity=entity or "").order_by("-created_at")
    return [run_row(run) for run in rows[:limit]]


def bff_row(r: dict[str, Any]) -> dict[str, Any]:
    """A run for the mobile list: id, type, entity_type, status, progress_percentage, processed, failed,
    started_at, duration."""
    return {"id": r["id"], "type": r["run_type"], "entity_type": r["entity"], "status": r["status"],
            "progress_percentage": r["progress"], "processed": r["processed"], "failed": r["failed"],
            "started_at": r["started_at"] or r["created_at"], "duration": r["duration_seconds"]}


def runs_bff(*, limit: int = 20, entity: str | None = None) -> list[dict[str, Any]]:
    return [bff_row(r) for r in runs_recent(limit=limit, entity=entity)]


def last_sync() -> dict[str, Any]:
    """The last pull per entity from the cursors (one row per entity) and the newest of them."""
    per_entity: dict[str, str | None] = {}
    newest: datetime | None = None
    for cursor in SyncCursor.objects.order_by("entity"):
        when = max((t for t in (cursor.last_full_run_at, cursor.last_incremental_run_at) if t), default=None)
        per_entity[cursor.entity] = _iso(when)
        if when and (newest is None or when > newest):
            newest = when
    return {"overall": _iso(newest), "per_entity": per_entity}


def cursors() -> list[dict[str, Any]]:
    return [{"entity": c.entity, "watermark": _iso(c.watermark), "last_full_run_at": _iso(c.last_full_run_at),
             "last_incremental_run_at": _iso(c.last_incremental_run_at),
             "last_run_id": str(c.last_run_id) if c.last_run_id else None}
            for c in SyncCursor.objects.order_by("entity")]


def runs_stats(*, hours: int = 24) -> dict[str, Any]:
    """Records written and records seen, and the share of finished runs that completed, over the last
    ``hours``. Synced counts only what was written (created or updated): an incremental pass re-reads
    the records of its overlap and finds them unchanged, which is seen, not synced. A run Zoho's
    limits cut short (deferred) counts as done: it stored what it reached and did not fail."""
    since = timezone.now() - timedelta(hours=hours)
    agg = SyncRun.objects.filter(created_at__gte=since, status__in=FINISHED).aggregate(
        # Each column summed on its own: created + updated per row is int4 arithmetic, which overflows.
        created=Sum("created"), updated=Sum("updated"), seen=Sum("processed"), finished=Count("id"),
        completed=Count("id", filter=Q(status__in=("completed", "deferred"))),
        failed=Count("id", filter=Q(status="failed")), api_calls=Sum("api_calls"))
    finished = agg["finished"] or 0
    rate = round(100.0 * (agg["completed"] or 0) / finished, 1) if finished else 100.0
    return {"total_synced_24h": int(agg["created"] or 0) + int(agg["updated"] or 0),
            "total_seen_24h": int(agg["seen"] or 0),
            "success_rate": rate, "runs_finished_24h": finished,
            "runs_failed_24h": int(agg["failed"] or 0), "api_calls_24h": int(agg["api_calls"] or 0)}


def api_calls_today() -> int:
    """Zoho calls made by runs since midnight (local time), from the ledger."""
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return int(SyncRun.objects.filter(created_at__gte=midnight).aggregate(n=Sum("api_calls"))["n"] or 0)


def last_compare() -> dict[str, Any] | None:
    """Health score, band and per-entity match of the newest compare run (from its summary)."""
    row = (SyncRun.objects.filter(run_type__in=COMPARE_TYPES, status__in=FINISHED)
           .order_by("-created_at")
           .values("id", "created_at", "summary__health", "summary__overall_match_pct", "summary__comparisons")
           .first())
    if row is None:
        return None
    health = as_dict(row["summary__health"])
    return {
        "run_id": str(row["id"]), "at": _iso(row["created_at"]),
        "health_score": health.get("score"), "band": health.get("band"),
        "overall_match_pct": row["summary__overall_match_pct"],
        "entities": {c.get("entity"): c.get("match_pct") for c in as_list(row["summary__comparisons"])
                     if isinstance(c, dict)},
    }
