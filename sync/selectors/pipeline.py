"""Queue, dead letters, cluster workers, Zoho circuit and quota: cheap reads for status and health."""
from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, connection
from django.db.models import Count

from sync.models import Alert, DeadLetter, SyncQueueItem

logger = logging.getLogger("tds.api")
ACTIVE_QUEUE = (SyncQueueItem.Status.PENDING, SyncQueueItem.Status.PROCESSING, SyncQueueItem.Status.FAILED)


def queue_counts() -> dict[str, Any]:
    """Items by active status and pending ones by priority (tds_queue_claim_idx leads with status)."""
    by_status = dict(SyncQueueItem.objects.filter(status__in=ACTIVE_QUEUE).values_list("status")
                     .annotate(n=Count("id")).order_by())
    by_priority = (SyncQueueItem.objects.filter(status=SyncQueueItem.Status.PENDING).values_list("priority")
                   .annotate(n=Count("id")).order_by("priority"))
    counts = {status.value: int(by_status.get(status.value, 0)) for status in ACTIVE_QUEUE}
    return {**counts, "pending_by_priority": {str(p): n for p, n in by_priority}}


def dead_letters_open() -> dict[str, int]:
    """Open dead letters by error class (tds_dlq_retry_idx leads with resolved, error_class)."""
    rows = DeadLetter.objects.filter(resolved=False).values_list("error_class").annotate(n=Count("id")).order_by()
    counts = {"transient": 0, "permanent": 0, **dict(rows)}
    return {**counts, "total": sum(counts.values())}


def alerts_open(*, limit: int = 10) -> list[dict[str, Any]]:
    rows = Alert.objects.filter(status=Alert.Status.OPEN).order_by("-created_at")[:limit]
    return [{"id": a.pk, "severity": a.severity, "code": a.code, "message": a.message,
             "created_at": a.created_at.isoformat()} for a in rows]


def table_estimate(table: str) -> int | None:
    """Rows in a big table from the planner's statistics (PostgreSQL), never a count(*)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
        row = cursor.fetchone()
    return max(0, int(row[0])) if row else None


def cluster_census() -> dict[str, int | None]:
    """The django-q2 clusters at work: worker processes of live clusters, from the heartbeats they write
    in the database (sync.heartbeats: right on any broker), or from the broker's own stats when those
    count more (a cluster that writes none); clusters whose stats are signed with another SECRET_KEY;
    tasks waiting to be taken. None where unreadable (the broker down is a health finding)."""
    from sync.selectors.workers import processes

    census: dict[str, int | None] = {"workers": None, "clusters": None, "other_key_clusters": None,
                                     "tasks_waiting": None}
    try:
        seen = processes()
        census.update(workers=seen["cluster_workers_alive"], clusters=seen["clusters_alive"])
    except DatabaseError:
        logger.warning("heartbeats unreadable", exc_info=True)
    try:
        from django_q.brokers import get_broker
        from django_q.conf import Conf
        from django_q.signing import BadSignature, SignedPackage

        broker = get_broker()
        workers = other = 0
        for pack in broker.get_stats(f"{Conf.Q_STAT}:*") or []:
            try:
                stat = SignedPackage.loads(pack)
            except BadSignature:
                other += 1
                continue
            workers += len(stat.workers or []) if stat.status != "Stopped" else 0
        census.update(workers=max(workers, census["workers"] or 0), other_key_clusters=other)
        census["tasks_waiting"] = broker.queue_size()
    except Exception:
        logger.warning("django-q2 broker unreadable", exc_info=True)
    return census


def workers_active() -> int | None:
    """Worker processes of running django-q2 clusters; None when unreadable."""
    return cluster_census()["workers"]


def zoho_state() -> dict[str, Any]:
    """Configuration, circuit and daily-quota block of the configured Zoho organisation (shared cache)."""
    from django.conf import settings

    from zoho.breaker import CircuitBreaker
    from zoho.client import org_scope
    from zoho.config import settings_from_django
    from zoho.quota import QuotaGuard

    try:
        config = settings_from_django()
    except Exception as exc:  # missing credentials are reported, not raised
        return {"configured": False, "reason": str(exc)[:200], "circuit": "unknown", "quota_block": None}
    scope = org_scope(config.organization_id, config.resolved_accounts_url)
    breaker = CircuitBreaker(key=f"zoho:circuit:{scope}", threshold=config.circuit_failures,
                             cooldown=config.circuit_cooldown)
    guard = QuotaGuard(key=f"zoho:quota:{scope}", reserve=config.daily_quota_reserve)
    block = guard._current_block()  # the shared block is the state we report
    return {"configured": True, "reason": "", "circuit": breaker.state,
            "quota_block": dict(block) if block else None,
            "daily_quota_reserve": config.daily_quota_reserve,
            "sandbox": settings.ZOHO_SANDBOX}
