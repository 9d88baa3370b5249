"""The processes doing the work, from their heartbeats (sync.heartbeats): one small table, one query."""
from __future__ import annotations

from typing import Any

from django.utils import timezone

from sync.heartbeats import STALE_AFTER
from sync.models import ProcessHeartbeat

Kind = ProcessHeartbeat.Kind


def processes(*, now: Any = None) -> dict[str, Any]:
    """Clusters (each with its worker processes), tds_worker processes, and the live counts.

    A cluster is alive when it beat within STALE_AFTER and has not stopped; its worker processes
    are alive when it is and they have not stopped (the cluster beats for them); a tds_worker
    when it beat within STALE_AFTER.
    """
    now = now or timezone.now()
    fresh = now - STALE_AFTER
    rows = list(ProcessHeartbeat.objects.order_by("kind", "host", "started_at"))
    clusters: list[dict[str, Any]] = []
    by_guard: dict[tuple[str, int], dict[str, Any]] = {}
    for row in rows:
        if row.kind == Kind.CLUSTER:
            entry = {**_row(row, alive=row.stopped_at is None and row.beat_at >= fresh), "workers": []}
            clusters.append(entry)
            guard = (row.details or {}).get("guard_pid")
            if isinstance(guard, int):
                by_guard[(row.host, guard)] = entry
    orphans: list[dict[str, Any]] = []
    for row in rows:
        if row.kind != Kind.CLUSTER_WORKER:
            continue
        cluster = by_guard.get((row.host, row.parent_pid or 0))
        alive = bool(cluster and cluster["alive"]) and row.stopped_at is None and row.beat_at >= fresh
        (cluster["workers"] if cluster else orphans).append(_row(row, alive=alive))
    workers = [_row(row, alive=row.stopped_at is None and row.beat_at >= fresh) for row in rows
               if row.kind == Kind.WORKER]
    live_clusters = [c for c in clusters if c["alive"]]
    clusters.sort(key=lambda c: (not c["alive"], c["host"], c["started_at"]))
    return {
        "clusters": clusters, "tds_workers": workers, "orphans": orphans,
        "clusters_alive": len(live_clusters),
        "cluster_workers_alive": sum(1 for c in live_clusters for w in c["workers"] if w["alive"]),
        "cluster_workers_configured": sum(int(c["details"].get("workers") or 0) for c in live_clusters),
        "tds_workers_alive": sum(1 for w in workers if w["alive"]),
        "checked_at": now,
    }


def cluster_workers_alive() -> int:
    """Worker processes of live django-q2 clusters (the health check's count)."""
    return int(processes()["cluster_workers_alive"])


def _row(row: ProcessHeartbeat, *, alive: bool) -> dict[str, Any]:
    return {"id": row.pk, "key": row.key, "kind": row.kind, "name": row.name, "host": row.host, "pid": row.pid,
            "started_at": row.started_at, "beat_at": row.beat_at, "stopped_at": row.stopped_at,
            "current": row.current, "current_since": row.current_since, "details": row.details or {},
            "alive": alive, "state": "alive" if alive else "stopped" if row.stopped_at else "silent"}
