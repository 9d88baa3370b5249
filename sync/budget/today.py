"""Today's Zoho API budget, for the status API and the dashboard."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from sync.budget.plan import budget_plan, budget_quota
from sync.budget.usage import quota_day, quota_reset_at, quota_reset_learn, usage_pending

TREND_AFTER = timedelta(hours=1)  # before that, a day's trend is noise: the schedules' plan stands in


def budget_today(*, now: datetime | None = None) -> dict[str, Any]:
    """Calls by entity and trigger on the current quota day, the quota, calls left and the projection.

    ``used`` is the larger of what this installation counted and what Zoho reports as spent (other
    clients of the same organization spend the same quota). ``projected`` extrapolates the day's
    use once an hour has passed, else adds the schedules' plan for the rest of the day.
    """
    from sync.models import ApiQuotaDay, ApiUsage

    now = now or timezone.now()
    quota_reset_learn()
    day = quota_day(now=now)
    by_entity: Counter[str] = Counter()
    by_trigger: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    rows = ApiUsage.objects.filter(day=day).values_list("entity", "trigger", "status", "calls")
    pending = [(e, t, s, n) for (d, e, t, _, s), n in usage_pending().items() if d == day]
    for entity, trigger, status, calls in [*rows, *pending]:
        by_entity[entity] += calls
        by_trigger[trigger] += calls
        by_status[status] += calls
    counted = sum(by_entity.values())
    reported = ApiQuotaDay.objects.filter(day=day).first()
    quota = int(reported.quota_limit) if reported and reported.quota_limit else budget_quota()
    zoho_used = quota - reported.remaining if reported and reported.remaining is not None else 0
    used = max(counted, zoho_used)
    reset_at = quota_reset_at() or (reported.reset_at if reported else None) or datetime.combine(
        day + timedelta(days=1), time(0), UTC)
    elapsed = max(timedelta(0), timedelta(days=1) - (reset_at - now))
    plan = budget_plan()
    if elapsed >= TREND_AFTER:
        projected = used * (timedelta(days=1) / elapsed)
    else:
        projected = used + plan.calls_per_day * (1 - elapsed / timedelta(days=1))
    return {
        "day": day.isoformat(), "reset_at": reset_at.isoformat(), "quota": quota,
        "quota_source": "zoho" if reported and reported.quota_limit else "configured",
        "used": used, "counted": counted, "left": max(0, quota - used),
        "percent_used": round(100.0 * used / quota, 1) if quota else 0.0,
        "by_entity": dict(by_entity.most_common()), "by_trigger": dict(by_trigger.most_common()),
        "by_status": dict(by_status.most_common()),
        "projected": round(projected), "projected_percent": round(100.0 * projected / quota, 1) if quota else 0.0,
        "schedules": plan.as_dict(),
    }
