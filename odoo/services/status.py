"""What `tds_odoo_sync status` shows: running or stopped, the last sync, the success rate,
the counts on both sides at the last sync, and the last 50 syncs.

"Running" means a sync is in progress (the schedule lock is held) or a sync loop (the
--interval command or the django-q2 schedule) has reported in within two intervals.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone
from django.utils.text import slugify

from odoo.engine import ODOO_RUNS, ODOO_SYNC
from odoo.models import OdooProductLink
from sync.selectors.runs import runs_latest

HEARTBEAT_KEY = "tds:odoo-sync:heartbeat"


@dataclass
class HistoryRow:
    started_at: datetime | None
    status: str
    added: int
    updated: int
    archived: int
    duration_seconds: float | None
    dry_run: bool = False


@dataclass
class OdooStatus:
    state: str
    detail: str
    last_sync: datetime | None
    last_status: str
    success_rate: float | None
    products_synced: int
    zoho_count: int | None
    odoo_count: int | None
    match: bool | None
    difference: str
    history: list[HistoryRow] = field(default_factory=list)


def heartbeat_beat(*, interval: int, source: str) -> None:
    """A sync loop is alive: remembered for two intervals (and a minute of slack)."""
    caches["shared"].set(HEARTBEAT_KEY, {"pid": os.getpid(), "interval": interval, "source": source,
                                         "at": timezone.now().isoformat()}, timeout=interval * 2 + 60)


def heartbeat_clear() -> None:
    caches["shared"].delete(HEARTBEAT_KEY)


def status_read(*, limit: int = 50) -> OdooStatus:
    runs = runs_latest(run_type=ODOO_RUNS.run_type, limit=limit)
    finished = [r for r in runs if r.status != "running"]
    last = finished[0] if finished else None
    counts = _last_counts(finished)
    return OdooStatus(
        *_state(), last_sync=last.finished_at if last else None, last_status=last.status if last else "",
        success_rate=(100.0 * sum(r.status == "completed" for r in finished) / len(finished)) if finished else None,
        products_synced=OdooProductLink.objects.count(),
        zoho_count=counts.get("zoho"), odoo_count=counts.get("odoo"), match=counts.get("match"),
        difference=_difference(counts), history=[_row(r) for r in runs])


def _state() -> tuple[str, str]:
    cache = caches["shared"]
    if cache.get(f"tds:schedule-lock:{slugify(ODOO_SYNC)}"):  # the key sync.schedules.schedule_lock holds
        return "running", "a sync is in progress"
    beat = cache.get(HEARTBEAT_KEY)
    if beat:
        return "running", f"{beat['source']} every {beat['interval']} s (last seen {beat['at'][:19]})"
    return "stopped", f"no sync loop has reported in; ODOO_SYNC_INTERVAL is {settings.ODOO_SYNC_INTERVAL} s"


def _last_counts(runs: list[Any]) -> dict[str, Any]:
    for run in runs:
        counts = (run.summary or {}).get("counts")
        if counts:
            return counts
    return {}


def _difference(counts: dict[str, Any]) -> str:
    if not counts or counts.get("match"):
        return ""
    return (f"{counts['missing']} missing in Odoo, {counts['extra']} extra in Odoo (archived in Zoho), "
            f"{counts['archived']} archived")


def _row(run: Any) -> HistoryRow:
    summary = run.summary or {}
    return HistoryRow(started_at=run.started_at, status=run.status, dry_run=bool(summary.get("dry_run")),
                      added=int(summary.get("created", 0)) + int(summary.get("adopted", 0)),
                      updated=int(summary.get("updated", 0)), archived=int(summary.get("archived", 0)),
                      duration_seconds=run.duration_seconds)
