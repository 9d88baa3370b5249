"""Run-time tunables: the one reader and writer of ``tds_configuration``.

Each tunable is declared here once: its key (the name of its environment setting, e.g.
``TDS_IMAGE_CONCURRENCY``), type and bounds. ``config_get(key)`` returns the database value when
there is a valid one, else the Django setting (from the environment). A value that breaks the
declaration is refused by ``config_set`` (and by the admin form) with a message naming the
bounds, and ignored with a log line when it reaches the table some other way. Rows are read
all at once and kept for a few seconds per process; a save or delete through the ORM clears
that at once (signals wired in ``sync/apps.py``), so the schedules follow a saved change.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

logger = logging.getLogger("tds.config")
CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class Tunable:
    key: str
    kind: type                       # int, float, bool or dict (entity name -> int within the bounds)
    low: float | None = None
    high: float | None = None
    description: str = ""
    fallback: Any = None             # when Django settings define no such name

    def default(self) -> Any:
        return getattr(settings, self.key, self.fallback)

    def check(self, value: Any) -> Any:
        """The value in its declared type, or ValidationError saying what is allowed."""
        if self.kind is dict:
            if not isinstance(value, dict) or not all(self._number_ok(v, int) for v in value.values()):
                raise ValidationError(f"{self.key} must be an object of whole numbers {self._bounds()}, got {value!r}")
            return {str(k): int(v) for k, v in value.items()}
        if self.kind is bool:
            if not isinstance(value, bool):
                raise ValidationError(f"{self.key} must be true or false, got {value!r}")
            return value
        if not self._number_ok(value, self.kind):
            noun = "a whole number" if self.kind is int else "a number"
            raise ValidationError(f"{self.key} must be {noun} {self._bounds()}, got {value!r}")
        return self.kind(value)

    def _number_ok(self, value: Any, kind: type) -> bool:
        allowed = (int,) if kind is int else (int, float)
        if isinstance(value, bool) or not isinstance(value, allowed):
            return False
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def _bounds(self) -> str:
        return f"from {self.low:g} to {self.high:g}" if self.high is not None else f"of at least {self.low:g}"


TUNABLES: dict[str, Tunable] = {t.key: t for t in (
    Tunable("TDS_COMPARE_INTERVAL_HOURS", int, 1, 168, "hours between scheduled compare + sync runs"),
    Tunable("TDS_STOCK_SYNC_INTERVAL_MINUTES", int, 1, 10_080, "minutes between scheduled stock syncs"),
    Tunable("TDS_ENABLE_AUTO_SYNC", bool, description="scheduled pulls on or off"),
    Tunable("TDS_IMAGE_CONCURRENCY", int, 1, 64, "parallel image downloads"),
    Tunable("TDS_RETRY_MAX_ATTEMPTS", int, 1, 50, "attempts before a queue item is parked as a dead letter"),
    Tunable("TDS_RETRY_BACKOFF_SECONDS", float, 0, 86_400, "base delay of the exponential retry backoff"),
    Tunable("TDS_RETRY_BACKOFF_MAX_SECONDS", float, 0, 604_800, "longest retry delay"),
    Tunable("TDS_RUN_HEARTBEAT_MINUTES", float, 1, 1_440,
            "minutes without a heartbeat after which a running run is failed (its process died)", fallback=15),
    Tunable("TDS_QUEUE_PRIORITIES", dict, 1, 10, "queue priority per entity (1 first), over the built-in ones",
            fallback={}),
    # Alerts: thresholds, evaluation and notification.
    Tunable("TDS_ALERT_INTERVAL_MINUTES", int, 1, 1440, "minutes between alert evaluations"),
    Tunable("TDS_ALERT_QUEUE_PENDING_WARNING", int, 0, 10**7, "pending queue items above which a warning opens"),
    Tunable("TDS_ALERT_QUEUE_PENDING_CRITICAL", int, 0, 10**7, "pending queue items above which it turns critical"),
    Tunable("TDS_ALERT_QUEUE_FAILED_WARNING", int, 0, 10**7, "failed queue items above which a warning opens"),
    Tunable("TDS_ALERT_QUEUE_FAILED_CRITICAL", int, 0, 10**7, "failed queue items above which it turns critical"),
    Tunable("TDS_ALERT_SYNC_DELAY_MINUTES", int, 1, 10_080, "age of the oldest due queue item that warns"),
    Tunable("TDS_ALERT_SYNC_STOPPED_MINUTES", int, 1, 10_080, "minutes without a successful sync run: critical"),
    Tunable("TDS_ALERT_QUOTA_USED_PERCENT", float, 1, 100, "share of Zoho's daily quota used that warns"),
    Tunable("TDS_ALERT_DEAD_LETTERS_CRITICAL", int, 0, 10**7, "open dead letters above which it is critical"),
    Tunable("TDS_ALERT_CIRCUIT_OPEN_MINUTES", int, 1, 1440, "minutes the Zoho circuit may stay open"),
    Tunable("TDS_ALERT_WORKER_SILENT_MINUTES", int, 1, 1440, "minutes without a worker heartbeat: critical"),
    Tunable("TDS_ALERT_SCHEDULE_MISSED_RUNS", int, 1, 100, "missed runs of a schedule that warn"),
    Tunable("TDS_ALERT_IMAGE_COVERAGE_PERCENT", float, 0, 100, "image coverage target (percent)"),
    Tunable("TDS_ALERT_RENOTIFY_MINUTES", int, 1, 10_080, "minutes between reminders of an open critical alert"),
    Tunable("TDS_ALERT_WEBHOOK_TIMEOUT_SECONDS", float, 0.1, 60, "timeout of one alert webhook post"),
    # The Zoho API budget.
    Tunable("TDS_ZOHO_DAILY_QUOTA", int, 1, 10**7, "Zoho daily API quota of the plan, until Zoho reports one"),
    Tunable("TDS_ZOHO_BUDGET_MAX_PERCENT", float, 1, 100, "largest share of the daily quota the schedules may plan"),
    Tunable("TDS_ZOHO_WEBHOOK_RESERVE_PERCENT", float, 0, 50,
            "share of the daily quota kept for webhook follow-ups: pulls stop there"),
    # Retention (days; 0 keeps for ever) and metric rollups.
    Tunable("TDS_RETENTION_QUEUE_DAYS", int, 0, 3650, "days completed queue items are kept"),
    Tunable("TDS_RETENTION_INBOX_DAYS", int, 0, 3650, "days processed inbox events are kept"),
    Tunable("TDS_RETENTION_LOGS_DAYS", int, 0, 3650, "days sync log lines are kept"),
    Tunable("TDS_RETENTION_DEAD_LETTERS_DAYS", int, 0, 3650, "days resolved dead letters are kept"),
    Tunable("TDS_RETENTION_ALERTS_DAYS", int, 0, 3650, "days resolved alerts are kept"),
    Tunable("TDS_RETENTION_RUNS_DAYS", int, 0, 3650, "days finished runs are kept (0: for ever)"),
    Tunable("TDS_RETENTION_AUDIT_DAYS", int, 0, 3650, "days audit entries are kept (0: for ever)"),
    Tunable("TDS_METRICS_HOURLY_AFTER_HOURS", int, 1, 8760, "minute points older than this become hourly rollups"),
    Tunable("TDS_METRICS_DAILY_AFTER_DAYS", int, 1, 3650, "hourly rollups older than this become daily ones"),
)}
# Checks that span several settings (e.g. the API budget of the schedules), added by the apps that own
# them: each gets (key, checked value) and raises ValidationError to refuse the change.
_checks: list[Callable[[str, Any], None]] = []


def config_check_add(check: Callable[[str, Any], None]) -> None:
    if check not in _checks:
        _checks.append(check)

_cache: dict[str, Any] = {"at": float("-inf"), "rows": {}}
_lock = threading.Lock()


def config_get(key: str) -> Any:
    """The valid database value of a declared tunable, else its setting from the environment."""
    tunable = TUNABLES[key]  # KeyError: not a declared tunable
    rows = _rows()
    if key in rows:
        try:
            return tunable.check(rows[key])
        except ValidationError as exc:
            logger.warning("tds_configuration %s ignored, using the environment's value: %s", key, exc.messages[0])
    return tunable.default()


def config_set(key: str, value: Any, *, description: str = "") -> Any:
    """Validate and save a tunable (ValidationError with a clear message when out of bounds)."""
    from sync.models import Configuration

    if key not in TUNABLES:
        raise ValidationError(f"{key} is not a run-time setting; known: {', '.join(sorted(TUNABLES))}")
    checked = TUNABLES[key].check(value)
    for extra in _checks:
        extra(key, checked)
    Configuration.objects.update_or_create(
        key=key, defaults={"value": checked, "description": description or TUNABLES[key].description})
    config_clear_cache()
    return checked


def config_items() -> list[dict[str, Any]]:
    """Every tunable with its current value, where that comes from, its default and bounds."""
    rows = _rows()
    items = []
    for key, tunable in TUNABLES.items():
        value = config_get(key)
        from_db = key in rows and value == _checked_or_none(tunable, rows[key])
        items.append({"key": key, "value": value, "source": "database" if from_db else "environment",
                      "default": tunable.default(), "type": tunable.kind.__name__, "low": tunable.low,
                      "high": tunable.high, "description": tunable.description})
    return items


def config_validate(key: str, value: Any) -> None:
    """For the admin form: ValidationError when a declared tunable gets a value out of bounds."""
    if key in TUNABLES:
        checked = TUNABLES[key].check(value)
        for extra in _checks:
            extra(key, checked)


def config_clear_cache(*args: Any, **kwargs: Any) -> None:
    """Forget the cached rows (also a post_save/post_delete receiver of tds_configuration)."""
    with _lock:
        _cache["at"] = float("-inf")


def _checked_or_none(tunable: Tunable, value: Any) -> Any:
    try:
        return tunable.check(value)
    except ValidationError:
        return None


def _rows() -> dict[str, Any]:
    from sync.models import Configuration

    now = time.monotonic()
    with _lock:
        if now - _cache["at"] < CACHE_SECONDS:
            return _cache["rows"]
    rows = dict(Configuration.objects.filter(key__in=list(TUNABLES)).values_list("key", "value"))
    with _lock:
        _cache.update(at=now, rows=rows)
    return rows
