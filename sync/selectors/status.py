"""The detailed status, the mobile status and the dashboard: compositions of the other selectors."""
from __future__ import annotations

from typing import Any

from sync.selectors import pipeline, runs
from sync.selectors.health import health_report


def status_detail() -> dict[str, Any]:
    zoho = pipeline.zoho_state()
    return {
        "active_runs": runs.runs_active(),
        "queue": pipeline.queue_counts(),
        "dead_letters_open": pipeline.dead_letters_open(),
        "cursors": runs.cursors(),
        "last_compare": runs.last_compare(),
        "zoho": {"configured": zoho["configured"], "circuit": zoho["circuit"], "quota_block": zoho["quota_block"],
                 "api_calls_today": runs.api_calls_today()},
        "workers_active": pipeline.workers_active(),
    }


def status_mobile() -> dict[str, Any]:
    """The mobile status the earlier system answered: sync_active, queue_size, last_sync, health."""
    health = health_report()  # counts the queue too: its queue_size is the same figure
    return {"sync_active": bool(runs.runs_active(limit=1)), "queue_size": health["queue_size"] or 0,
            "last_sync": health["last_sync"], "health": health["status"]}


def recent_activity(*, limit: int = 20) -> dict[str, Any]:
    """Recent runs and applied webhook events, compact."""
    from sync.models import InboxEvent

    events = (InboxEvent.objects.filter(status=InboxEvent.Status.PROCESSED).order_by("-received_at")
              .values("id", "entity", "zoho_id", "event_type", "received_at", "processed_at")[:limit])
    return {
        "runs": runs.runs_bff(limit=limit),
        "events": [{**e, "received_at": e["received_at"].isoformat(),
                    "processed_at": e["processed_at"].isoformat() if e["processed_at"] else None} for e in events],
    }


def dashboard() -> dict[str, Any]:
    """Everything a phone screen shows, in one call."""
    health = health_report()
    compare = runs.last_compare()
    active = runs.runs_active(limit=5)
    return {
        "health_score": compare["health_score"] if compare else None,
        "band": compare["band"] if compare else None,
        "status": health["status"],
        "sync_active": bool(active),
        "counts": {"queue_pending": health["queue"]["pending"], "queue_processing": health["queue"]["processing"],
                   "queue_failed": health["queue"]["failed"],
                   "dead_letters_open": health["checks"].get("dead_letters", {}).get("open", 0),
                   "workers_active": health["workers_active"], **runs.runs_stats()},
        "last_sync": health["last_sync"],
        "active_runs": [runs.bff_row(r) for r in active],
        "last_runs": runs.runs_bff(limit=10),
        "alerts": pipeline.alerts_open(),
        "checks": {name: {"status": c["status"], "reason": c["reason"]} for name, c in health["checks"].items()},
    }
