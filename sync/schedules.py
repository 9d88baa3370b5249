"""The default schedules (django-q2 ``Schedule`` rows) and the no-overlap guard.

Written idempotently (update_or_create by name) by ``manage.py tds_scheduler`` and
by a post_migrate hook, so a fresh database has them and a second write changes
nothing. ``next_run`` is set only when a row is created or its interval changes:
rewriting the rows never postpones or replays a run. Missed runs are not replayed
in a burst because Q_CLUSTER["catch_up"] is False (settings).

TDS_ENABLE_AUTO_SYNC=false keeps the rows but sets repeats=0 on the schedules that
pull from Zoho (compare+sync, stock, incremental, full, images), so django-q2 skips
them and they are visible, dormant, in the admin. Queue housekeeping (dead-letter
auto-retry, lease reaper) stays on: webhooks keep flowing when polling is off.

An app built on the engine adds its own schedule with ``schedule_register`` (from its
AppConfig.ready); it is written, rewritten and budgeted with these.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone
from django.utils.text import slugify

from sync.config import config_get

logger = logging.getLogger("tds.schedules")

PREFIX = "tds: "
COMPARE_SYNC = PREFIX + "compare and sync"
STOCK_SYNC = PREFIX + "stock sync"
INCREMENTAL_PULL = PREFIX + "incremental pull"
FULL_PULL = PREFIX + "full pull (catches deletions)"
IMAGE_SYNC = PREFIX + "image sync"
DEAD_LETTER_RETRY = PREFIX + "dead-letter auto-retry"
LEASE_REAPER = PREFIX + "lease reaper"
QUEUE_DRAIN = PREFIX + "queue drain"
ALERTS = PREFIX + "alerts"
METRICS_ROLLUP = PREFIX + "metrics rollup"
RETENTION = PREFIX + "retention"
RETENTION_CRON = "45 3 * * *"  # daily, after the full pull

FULL_PULL_CRON = "30 2 * * *"  # daily at 02:30 (TIME_ZONE), a quiet hour for Zoho's daily quota
IMAGE_SYNC_MINUTES = 120
DEAD_LETTER_RETRY_MINUTES = 5
LEASE_REAPER_MINUTES = 2
# A safety net beside the webhook kick: retries whose backoff has passed need a
# drainer even when no tds_worker process runs.
QUEUE_DRAIN_MINUTES = 1


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    func: str
    minutes: int | None = None
    cron: str | None = None
    pulls_from_zoho: bool = True
    takes_dry_run: bool = True
    run_types: tuple[str, ...] = ()       # a registered schedule's runs in the ledger (the budget measures them)


# An app built on the engine adds its schedules here (name -> a function making its spec, read
# each time the schedules are written, so a spec may follow the settings).
REGISTERED: dict[str, Callable[[], ScheduleSpec]] = {}


def schedule_register(name: str, make: Callable[[], ScheduleSpec]) -> None:
    """Write, rewrite and budget the schedule ``make()`` describes with the default ones."""
    REGISTERED[name] = make


def registered_specs() -> list[ScheduleSpec]:
    return [make() for make in REGISTERED.values()]


# The run-time tunables (sync/config/) the schedules follow: a saved change rewrites them.
SCHEDULE_TUNABLES = ("TDS_COMPARE_INTERVAL_HOURS", "TDS_STOCK_SYNC_INTERVAL_MINUTES", "TDS_ENABLE_AUTO_SYNC",
                     "TDS_ALERT_INTERVAL_MINUTES")


def default_specs(*, interval_hours: int | None = None) -> list[ScheduleSpec]:
    hours = interval_hours or config_get("TDS_COMPARE_INTERVAL_HOURS")
    return [
        ScheduleSpec(COMPARE_SYNC, "sync.tasks.scheduled_compare_sync", minutes=hours * 60),
        ScheduleSpec(STOCK_SYNC, "sync.tasks.scheduled_stock_sync",
                     minutes=config_get("TDS_STOCK_SYNC_INTERVAL_MINUTES")),
        ScheduleSpec(INCREMENTAL_PULL, "sync.tasks.scheduled_incremental_pull", minutes=60),
        ScheduleSpec(FULL_PULL, "sync.tasks.scheduled_full_pull", cron=FULL_PULL_CRON),
        ScheduleSpec(IMAGE_SYNC, "sync.tasks.scheduled_image_sync", minutes=IMAGE_SYNC_MINUTES),
        # Owned by the apps built on the engine (schedule_register, from their AppConfig.ready).
        *registered_specs(),
        # Owned by the queue/DLQ code (sync/tasks.py, "webhooks, queue, dead letters").
        ScheduleSpec(DEAD_LETTER_RETRY, "sync.tasks.retry_dead_letters", minutes=DEAD_LETTER_RETRY_MINUTES,
                     pulls_from_zoho=False, takes_dry_run=False),
        ScheduleSpec(LEASE_REAPER, "sync.tasks.reap_leases", minutes=LEASE_REAPER_MINUTES,
                     pulls_from_zoho=False, takes_dry_run=False),
        ScheduleSpec(QUEUE_DRAIN, "sync.tasks.drain_queue", minutes=QUEUE_DRAIN_MINUTES,
                     pulls_from_zoho=False, takes_dry_run=False),
        # Owned by alerts, metrics and retention (sync/alerts, sync/metrics).
        ScheduleSpec(ALERTS, "sync.tasks.evaluate_alerts", minutes=config_get("TDS_ALERT_INTERVAL_MINUTES"),
                     pulls_from_zoho=False, takes_dry_run=False),
        ScheduleSpec(METRICS_ROLLUP, "sync.tasks.rollup_metrics", minutes=60, pulls_from_zoho=False,
                     takes_dry_run=False),
        ScheduleSpec(RETENTION, "sync.tasks.prune_tables", cron=RETENTION_CRON, pulls_from_zoho=False,
                     takes_dry_run=False),
    ]


def _fields(spec: ScheduleSpec, *, dry_run: bool, enabled: bool) -> dict[str, Any]:
    from django_q.models import Schedule

    active = enabled or not spec.pulls_from_zoho
    return {
        "func": spec.func,
        "args": None,
        "kwargs": f"dry_run={dry_run!r}" if spec.takes_dry_run else None,
        "schedule_type": Schedule.CRON if spec.cron else Schedule.MINUTES,
        "minutes": spec.minutes,
        "cron": spec.cron,
        "repeats": -1 if active else 0,
    }


def _write_one(spec: ScheduleSpec, fields: dict[str, Any], *, using: str) -> str:
    from django_q.models import Schedule

    row = Schedule.objects.using(using).filter(name=spec.name).order_by("id").first()
    if row is None:
        row = Schedule(name=spec.name, **fields)
        if not spec.cron:  # cron rows compute their own next_run on first save
            row.next_run = timezone.now() + timedelta(minutes=spec.minutes or 1)
        row.save(using=using)
        return "created"
    changed = {k: v for k, v in fields.items() if getattr(row, k) != v}
    if not changed:
        return "unchanged"
    timing_changed = bool({"minutes", "cron", "schedule_type"} & changed.keys())
    for key, value in changed.items():
        setattr(row, key, value)
    if timing_changed:
        row.next_run = row.calculate_next_run(timezone.now()) if spec.cron else (
            timezone.now() + timedelta(minutes=spec.minutes or 1))
    row.save(using=using)
    return "updated"


def write_schedules(
    *, interval_hours: int | None = None, dry_run: bool = False, enabled: bool | None = None, using: str = "default"
) -> dict[str, str]:
    """Create or update the default schedules; returns {name: created|updated|unchanged}."""
    enabled = config_get("TDS_ENABLE_AUTO_SYNC") if enabled is None else enabled
    outcome = {}
    for spec in default_specs(interval_hours=interval_hours):
        outcome[spec.name] = _write_one(spec, _fields(spec, dry_run=dry_run, enabled=enabled), using=using)
    return outcome


def write_schedules_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver: the schedules exist as soon as the database does."""
    from django.db import connections

    if not {"django_q_schedule", "tds_configuration"} <= set(connections[using].introspection.table_names()):
        return
    write_schedules(using=using)


def rewrite_on_configuration_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    """post_save/post_delete of tds_configuration: a changed interval or switch applies at once.

    The compare interval set with ``tds_scheduler --interval`` is kept unless the
    row that changed is the compare interval itself.
    """
    from django_q.models import Schedule

    if instance.key not in SCHEDULE_TUNABLES:
        return
    row = Schedule.objects.filter(name=COMPARE_SYNC).first()
    keep_hours = None if instance.key == "TDS_COMPARE_INTERVAL_HOURS" or row is None else (row.minutes or 0) // 60
    dry_run = bool(row and row.kwargs == "dry_run=True")
    write_schedules(interval_hours=keep_hours or None, dry_run=dry_run)


# --- no-overlap guard ---------------------------------------------------------------

def lock_timeout_seconds() -> int:
    # A crashed run's lock must not outlive the broker's own task timeout.
    return int(settings.Q_CLUSTER.get("timeout", 1800))


@contextmanager
def schedule_lock(name: str, *, timeout: int | None = None) -> Iterator[bool]:
    """Yield True when this run holds the lock for ``name``; False when another run does.

    cache.add is atomic on Redis and on the database cache (a unique key insert),
    and the "shared" cache is visible to every worker process and machine.
    """
    cache = caches["shared"]
    key = f"tds:schedule-lock:{slugify(name)}"
    token = uuid.uuid4().hex
    acquired = cache.add(key, token, timeout=timeout or lock_timeout_seconds())
    try:
        yield acquired
    finally:
        if acquired and cache.get(key) == token:
            cache.delete(key)


def run_guarded(name: str, func: Callable[[], Any]) -> Any:
    """Run ``func`` unless the schedules are paused or a previous run of the same schedule is still going.

    In a process's main thread (a django-q2 worker, ``tds_scheduler --once``) SIGTERM/SIGINT stop
    ``func``: the lock is released and its runs are settled as failed before StopRequested goes on
    up, so a worker the cluster terminates (a task past its timeout, a shutdown) leaves neither.
    """
    from sync.pause import SCHEDULES, is_paused
    from sync.stopping import StopRequested, runs_settle, stops_on_signals

    if is_paused(SCHEDULES):
        logger.warning("schedule %r skipped: the schedules are paused", name)
        return {"skipped": True, "reason": "schedules paused"}
    with schedule_lock(name) as acquired:
        if not acquired:
            logger.warning("schedule %r skipped: the previous run is still going", name)
            return {"skipped": True, "reason": "previous run still going"}
        with stops_on_signals():
            try:
                return func()
            except StopRequested as stop:
                runs_settle(stop)
                logger.error("schedule %r %s; its lock is released", name, stop)
                raise
