"""Facts some alert rules read outside the sync tables: the Zoho circuit, the task cluster, schedules."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

logger = logging.getLogger("tds.alerts")


def circuit_state() -> dict[str, Any] | None:
    """The shared Zoho circuit breaker's state for the configured organization (None: not configured)."""
    from zoho.client import org_scope
    from zoho.config import settings_from_django
    from zoho.errors import ZohoError
    from zoho.shared import cache_call, shared_cache

    try:
        config = settings_from_django()
    except ZohoError:
        return None
    key = f"zoho:circuit:{org_scope(config.organization_id, config.resolved_accounts_url)}"
    state = cache_call(shared_cache(), "get", key)
    return state if isinstance(state, dict) else None


def worker_last_seen(*, now: datetime) -> tuple[datetime | None, int]:
    """(when a task worker was last seen alive, how many active schedules are overdue).

    Alive: a django-q cluster reporting its status, or a task that finished.
    """
    from django_q.models import Schedule, Task
    from django_q.status import Stat

    seen = None
    try:
        if Stat.get_all():
            seen = now
    except Exception as exc:  # the broker's status cache may be unreachable: use the tasks
        logger.info("cluster status unavailable: %s", type(exc).__name__)
    if seen is None:
        seen = Task.objects.order_by("-stopped").values_list("stopped", flat=True).first()
    grace = timedelta(minutes=2)
    overdue = Schedule.objects.exclude(repeats=0).filter(next_run__lt=now - grace).count()
    return seen, overdue


def schedules_missed(*, now: datetime) -> list[tuple[str, float, datetime]]:
    """(name, runs missed, due since) of every active schedule whose next run is in the past."""
    from django_q.models import Schedule

    found = []
    for row in Schedule.objects.exclude(repeats=0).filter(next_run__lt=now):
        interval = _interval(row)
        if interval is None:
            continue
        found.append((row.name, round((now - row.next_run) / interval, 1), row.next_run))
    return found


def _interval(row: Any) -> timedelta | None:
    from django_q.models import Schedule

    if row.schedule_type == Schedule.MINUTES and row.minutes:
        return timedelta(minutes=row.minutes)
    if row.schedule_type == Schedule.CRON and row.cron:
        from croniter import croniter

        it = croniter(row.cron, row.next_run)
        first = it.get_next(datetime)
        return it.get_next(datetime) - first
    spans = {Schedule.HOURLY: 1 / 24, Schedule.DAILY: 1, Schedule.WEEKLY: 7}
    return timedelta(days=spans[row.schedule_type]) if row.schedule_type in spans else None
