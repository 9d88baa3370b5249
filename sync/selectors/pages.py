"""Reads the staff dashboard needs beyond the API's: filtered run history, freshness, dead letters,
the queue's drain estimate, alerts by status and the health history of compare runs."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django.db.models import QuerySet
from django.utils import timezone

from sync.models import COMPARE_TYPES, Alert, RunType, SyncCursor, SyncRun
from sync.selectors.runs import RUN_FILTERS, as_dict, as_list, run_row, runs_matching

HISTORY_LIMIT = 100


def runs_filtered(*, filters: dict[str, str], limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """The newest runs matching exact values of entity, run_type, status and trigger (blank ones ignored)."""
    rows = runs_matching(entity=filters.get("entity", ""), run_type=filters.get("run_type", ""),
                         status=filters.get("status", ""), trigger=filters.get("trigger", "")).order_by("-created_at")
    return [run_row(run) for run in rows[:limit]]


def run_filter_choices() -> dict[str, list[str]]:
    """Values seen in the ledger for each filter: a skip scan of each column's index, one index probe per
    distinct value, rather than a DISTINCT that reads every run."""
    from django.db import connection

    choices = {}
    with connection.cursor() as cursor:
        for field in RUN_FILTERS:  # a fixed tuple of column names: safe to place in the SQL
            cursor.execute(f"""
                WITH RECURSIVE seen(v) AS (
                    SELECT MIN({field}) FROM tds_sync_runs
                    UNION ALL
                    SELECT (SELECT MIN({field}) FROM tds_sync_runs WHERE {field} > seen.v) FROM seen
                    WHERE seen.v IS NOT NULL)
                SELECT v FROM seen WHERE v IS NOT NULL AND v <> ''""")
            choices[field] = sorted(v for (v,) in cursor.fetchall())
    return choices


def entity_intervals() -> dict[str, int]:
    """Minutes between the scheduled pulls that keep each entity fresh."""
    from sync.config import config_get
    from sync.entities import valid_names

    hourly = {name: 60 for name in valid_names()}
    return {**hourly, "stock": int(config_get("TDS_STOCK_SYNC_INTERVAL_MINUTES"))}


def freshness(*, now=None) -> list[dict[str, Any]]:
    """Per entity: last pull, minutes since, and fresh / late (past 1x its interval) / stale (past 2x)."""
    now = now or timezone.now()
    intervals = entity_intervals()
    rows = []
    for cursor in SyncCursor.objects.order_by("entity"):
        last = max((t for t in (cursor.last_full_run_at, cursor.last_incremental_run_at) if t), default=None)
        interval = intervals.get(cursor.entity, 60)
        minutes = round((now - last).total_seconds() / 60, 1) if last else None
        state = ("never" if minutes is None else "stale" if minutes > 2 * interval
                 else "late" if minutes > interval else "fresh")
        rows.append({"entity": cursor.entity, "last": last, "minutes": minutes, "interval": interval,
                     "state": state})
    return rows


def alerts_by_status(*, limit: int = 50) -> dict[str, list[Alert]]:
    return {status: list(Alert.objects.filter(status=status).order_by("-created_at")[:limit])
            for status in Alert.Status.values}


def notice_failure() -> dict[str, Any] | None:
    """The newest alert notice, when some channel failed to take it (one indexed row: the overview polls)."""
    last = (Alert.objects.exclude(notified_at=None).order_by("-notified_at")
            .values("id", "code", "notified_at", "notify_failed_at", "notify_error").first())
    if last is None or last["notify_failed_at"] != last["notified_at"]:
        return None
    return {"alert_id": last["id"], "code": last["code"], "at": last["notified_at"], "error": last["notify_error"]}


def drain_eta_seconds(*, pending: int, per_minute: float) -> float | None:
    """Time to drain the pending items at the recent throughput; None when nothing moves."""
    if not pending:
        return 0.0
    return round(pending / per_minute * 60, 1) if per_minute > 0 else None


def health_history(*, days: int = 7) -> list[dict[str, Any]]:
    """Health score of each finished compare run, oldest first (for the chart)."""
    since = timezone.now() - timedelta(days=days)
    rows: QuerySet = (SyncRun.objects.filter(run_type__in=COMPARE_TYPES, created_at__gte=since)
                      .exclude(status__in=("pending", "running")).order_by("created_at")
                      .values_list("created_at", "summary__health"))
    return [{"at": at, "score": (health or {}).get("score")} for at, health in rows
            if isinstance(health, dict) and health.get("score") is not None]


def compare_last_report() -> dict[str, Any] | None:
    """The newest finished compare run's summary: comparisons, recommendations, health."""
    run = (SyncRun.objects.filter(run_type__in=COMPARE_TYPES)
           .exclude(status__in=("pending", "running")).order_by("-created_at").first())
    if run is None:
        return None
    summary = as_dict(run.summary)
    return {"run_id": str(run.pk), "at": run.created_at, "status": run.status, "error": run.error_message,
            "mode": summary.get("mode") or ("deep" if as_dict(run.configuration).get("deep") else "quick"),
            "comparisons": as_list(summary.get("comparisons")),
            "recommendations": as_list(summary.get("recommendations")),
            "health": as_dict(summary.get("health")), "overall_match_pct": summary.get("overall_match_pct")}


def overview_page() -> dict[str, Any]:
    """The overview box: runs, queue, workers, last sync, success rate, health, freshness, alerts, Zoho,
    and the last hour's work and errors minute by minute."""
    from django.conf import settings
    from django.utils.dateparse import parse_datetime

    from sync.alerts.facts import circuit_state
    from sync.budget.today import budget_today
    from sync.pause import pause_states
    from sync.selectors import pipeline, runs
    from sync.selectors.health import health_report
    from sync.selectors.throughput import throughput_last_hour
    from sync.selectors.workers import processes

    health = health_report()
    seen = processes()
    zoho = pipeline.zoho_state()
    circuit = circuit_state() or {}
    budget = budget_today()
    compare = runs.last_compare()
    if compare:  # pairs, not a dict: a template's ".items" on {"items": 99.2} would read the entity
        compare = {**compare, "entities": list(compare["entities"].items()),
                   "breakdown": health_breakdown(run_id=compare["run_id"])}
    return {
        "active_runs": runs.runs_active(limit=10),
        "queue": pipeline.queue_counts(),
        "workers": {"active": health["workers_active"], "clusters": seen["clusters_alive"],
                    "configured": seen["cluster_workers_configured"] or int(settings.Q_CLUSTER.get("workers") or 0),
                    "tds_workers": seen["tds_workers_alive"]},
        "pauses": pause_states(),
        "last_sync": parse_datetime(health["last_sync"]) if health["last_sync"] else None,
        "stats": runs.runs_stats(), "status": health["status"], "checks": health["checks"],
        "compare": compare, "freshness": freshness(), "last_hour": throughput_last_hour(),
        "alerts": pipeline.alerts_open(), "dead_letters": pipeline.dead_letters_open(),
        "notice_failure": notice_failure(),
        "circuit": {"state": zoho["circuit"], "configured": zoho["configured"], "reason": zoho["reason"],
                    "failures": circuit.get("failures"), "last_error": circuit.get("last") or "",
                    "quota_block": zoho["quota_block"]},
        "budget": {"used": budget["used"], "quota": budget["quota"], "percent": budget["percent_used"],
                   "projected": budget["projected"]},
    }


def health_breakdown(*, run_id: str) -> list[dict[str, Any]]:
    """What made the compare run's health score: the data match, then each term that took points off."""
    row = SyncRun.objects.filter(pk=run_id).values("summary__health").first()
    health = as_dict(row["summary__health"] if row else None)
    parts = as_dict(health.get("components"))
    if not parts:
        return []
    terms = [{"term": "data match", "points": parts.get("match_pct"), "detail": "weighted mean of the entities' match"}]
    structure, letters = as_dict(parts.get("structure")), as_dict(parts.get("dead_letters"))
    failed, stale = as_dict(parts.get("failed_runs_24h")), as_dict(parts.get("staleness"))
    terms += [
        {"term": "structure", "points": _minus(structure.get("penalty")),
         "detail": ", ".join(as_list(structure.get("entities"))) or "no entity needs a full pass"},
        {"term": "dead letters", "points": _minus(letters.get("penalty")),
         "detail": f"{letters.get('transient', 0)} transient, {letters.get('permanent', 0)} permanent open"},
        {"term": "failed runs (24 h)", "points": _minus(failed.get("penalty")),
         "detail": f"{failed.get('count', 0)} failed"},
        {"term": "staleness", "points": _minus(stale.get("penalty")),
         "detail": ", ".join(as_list(stale.get("stale_entities"))) or "every entity fresh"},
    ]
    return terms


def _minus(points: Any) -> float:
    return -float(points) if isinstance(points, int | float) and points else 0.0


def queue_page() -> dict[str, Any]:
    from sync.pipeline.queue import queue_health

    health = queue_health()
    by_status = cast(dict[str, int], health["by_status"])
    throughput = cast(dict[str, float], health["throughput"])
    pending = int(by_status.get("pending", 0))
    per_minute = float(throughput["per_minute_60"]) or float(throughput["per_minute_5"])
    return {**health, "pending": pending, "eta_seconds": drain_eta_seconds(pending=pending, per_minute=per_minute)}


def image_failures(*, limit: int = 50) -> list[dict[str, Any]]:
    """Recent image refusals and failed downloads, from the image runs' log lines."""
    from sync.models import SyncLog

    rows = (SyncLog.objects.filter(run__run_type=RunType.IMAGES, level__in=("WARNING", "ERROR"))
            .order_by("-id").values("zoho_id", "message", "created_at", "run_id")[:limit])
    return [{**row, "run_id": str(row["run_id"])} for row in rows]


def image_sample(*, limit: int = 24) -> list[dict[str, Any]]:
    """The newest products with a stored image, for the thumbnail grid."""
    from sync.models import Product

    rows = (Product.objects.exclude(image_url="").order_by("-image_synced_at")
            .values("zoho_item_id", "name", "image_url", "thumbnail_url")[:limit])
    return [dict(row) for row in rows]
