"""Counting Zoho calls per quota day, by entity, trigger, endpoint and status (a zoho.hooks listener).

Zoho's daily quota runs from reset to reset; X-Rate-Limit-Reset says how many seconds are left.
A quota day is named by the UTC date on which it ends, so every process, whatever the reset hour
(midnight in the org's time zone), files a call under the same day. Before any answer has
carried the header the day ends at UTC midnight. Counts are kept in memory and written with the
metric points (sync.metrics.points), one UPSERT per counted key.
"""
from __future__ import annotations

import re
import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from sync.metrics.points import counter_add, gauge_set
from sync.models import RunType

_lock = threading.Lock()
_calls: Counter[tuple[date, str, str, str, str]] = Counter()
_state: dict[str, Any] = {"reset_at": None, "quota": None, "quota_dirty": False}
_RESOURCE = re.compile(r"^\S+ /(?:books|inventory)/v\d+/([a-z_]+)")
# Zoho resources whose name differs from the entity they serve
_ENTITY_OF = {"itemdetails": "items", "organizations": "organization"}


def quota_day(*, now: datetime | None = None) -> date:
    """The quota day `now` belongs to (named by the UTC date of its reset)."""
    now = now or timezone.now()
    with _lock:
        reset_at = _state["reset_at"]
        while reset_at is not None and reset_at <= now:
            reset_at += timedelta(days=1)
        _state["reset_at"] = reset_at
    if reset_at is None:
        return now.astimezone(UTC).date()
    return quota_day_of_reset(reset_at)


def quota_day_of_reset(reset_at: datetime) -> date:
    # Zoho resets on a round time; rounding to 5 minutes keeps a second of jitter from changing the day.
    seconds = round(reset_at.timestamp() / 300) * 300
    return (datetime.fromtimestamp(seconds - 1, UTC)).date()


def quota_reset_at() -> datetime | None:
    with _lock:
        return _state["reset_at"]


def quota_reset_learn() -> None:
    """A process that has not called Zoho yet (web, dashboard) takes the reset the workers last stored."""
    from sync.models import ApiQuotaDay

    if quota_reset_at() is not None:
        return
    stored = ApiQuotaDay.objects.exclude(reset_at=None).order_by("-reset_at").values_list("reset_at", flat=True)
    reset_at = stored.first()
    if reset_at is not None:
        with _lock:
            _state["reset_at"] = _state["reset_at"] or reset_at


def endpoint_entity(endpoint: str) -> str:
    """'GET /inventory/v1/items/{id}' -> 'items'."""
    match = _RESOURCE.match(endpoint)
    name = match.group(1) if match else "other"
    return _ENTITY_OF.get(name, name)


def call_trigger() -> str:
    """Why the current call is made: webhook (a queue follow-up), images, compare, schedule or manual."""
    from sync.ledger import run_current

    run = run_current()
    if run is None:
        return "manual"
    if run.run_type == RunType.QUEUE:
        return "webhook"
    if run.run_type == RunType.IMAGES:
        return "images"
    if run.run_type in (RunType.COMPARE, RunType.COMPARE_SYNC):
        return "compare"
    return "schedule" if run.trigger == "schedule" else "manual"


def usage_on_call(*, endpoint: str, status: str, quota: Any) -> None:
    """zoho.hooks after-call listener: one call counted, the quota Zoho reported kept."""
    now = timezone.now()
    if quota is not None and quota.reset_seconds is not None:
        with _lock:
            _state["reset_at"] = now + timedelta(seconds=quota.reset_seconds)
            _state["quota"], _state["quota_dirty"] = quota, True
    key = (quota_day(now=now), endpoint_entity(endpoint), call_trigger(), endpoint[:120], status)
    with _lock:
        _calls[key] += 1
    counter_add("tds_zoho_api_calls_total", labels={"endpoint": endpoint, "status": status})
    if quota is not None and quota.remaining is not None:
        gauge_set("tds_zoho_quota_remaining", quota.remaining)
        if quota.limit:
            gauge_set("tds_zoho_quota_limit", quota.limit)


def usage_pending() -> dict[tuple[date, str, str, str, str], int]:
    with _lock:
        return dict(_calls)


def usage_flush() -> int:
    """Write the counted calls and the last quota seen; returns the usage keys written."""
    from sync.models import ApiQuotaDay, ApiUsage

    with _lock:
        taken = dict(_calls)
        _calls.clear()
        quota, dirty = _state["quota"], _state["quota_dirty"]
        _state["quota_dirty"] = False
        reset_at = _state["reset_at"]
    for (day, entity, trigger, endpoint, status), calls in taken.items():
        key = {"day": day, "entity": entity, "trigger": trigger, "endpoint": endpoint, "status": status}
        if ApiUsage.objects.filter(**key).update(calls=F("calls") + calls):
            continue
        try:
            with transaction.atomic():
                ApiUsage.objects.create(**key, calls=calls)
        except IntegrityError:  # another process created it first
            ApiUsage.objects.filter(**key).update(calls=F("calls") + calls)
    if dirty and quota is not None and reset_at is not None:
        ApiQuotaDay.objects.update_or_create(day=quota_day_of_reset(reset_at), defaults={
            "quota_limit": quota.limit, "remaining": quota.remaining, "reset_at": reset_at})
    return len(taken)


def usage_discard() -> None:
    """Forget what is counted in memory and the reset seen (tests)."""
    with _lock:
        _calls.clear()
        _state.update(reset_at=None, quota=None, quota_dirty=False)
