"""The declared run-time tunables: each one's schema and who may change it.

A tunable is named after the environment setting a ``tds_configuration`` row overrides. Its
declaration is its schema, and ``Tunable.check`` is the one validation that ``config_set``, the
admin form and the reader of a stored row all apply:

- numbers within their bounds (a JSON ``true`` is not the number 1), true/false, bounded text;
- objects (``dict``): only known names as keys, spelled any way their vocabulary accepts and
  stored canonically (``products`` -> ``items``), each named once, at most ``max_items`` of them,
  values whole numbers within the bounds.

A refused value is quoted back cut to ``SHOWN`` characters: a message (and the log line of a
bad stored row) stays one readable line whatever was sent.

``access`` says who may change a tunable. OPERATORS: the day-to-day running of the sync
(intervals, the auto-sync switch, queue priorities, retries, image downloads), open to the
operators group. SUPERUSERS: the guards that bound the operators' work (the Zoho API budget,
alert thresholds, how long records and the audit trail are kept, when a silent run is failed).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from sync.entities import ALIASES, valid_names

OPERATORS = "operators"
SUPERUSERS = "superusers"
SHOWN = 60
UNKNOWN_SHOWN = 5  # unknown names quoted in one message; the rest are counted


def shown(value: Any) -> str:
    """``repr`` of a refused value, cut to SHOWN characters."""
    text = repr(value)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def named(key: str) -> str:
    """A key as given when it is short, printable text; else ``shown`` (quoted and cut)."""
    return key if isinstance(key, str) and len(key) <= SHOWN and key.isprintable() else shown(key)


def entity_names() -> dict[str, str]:
    """Every accepted spelling of an entity name -> its registry name (aliases included)."""
    return {name: name for name in valid_names()} | dict(ALIASES)


@dataclass(frozen=True)
class Tunable:
    key: str
    kind: type                       # int, float, bool, str or dict (known name -> whole number)
    low: float | None = None
    high: float | None = None
    description: str = ""
    access: str = SUPERUSERS
    names: Callable[[], dict[str, str]] | None = None  # dict: accepted spelling -> canonical name
    names_of: str = "name"           # what a dict key is, for messages ("entity")
    max_items: int = 50              # dict: most keys
    max_length: int = 200            # str: most characters

    def default(self) -> Any:
        return getattr(settings, self.key)  # settings.py holds every tunable's one default

    def check(self, value: Any) -> Any:
        """The value in its declared type and spelling, or ValidationError saying what is allowed."""
        if self.kind is dict:
            return self._check_dict(value)
        if self.kind is bool:
            if not isinstance(value, bool):
                raise ValidationError(f"{self.key} must be true or false, got {shown(value)}")
            return value
        if self.kind is str:
            if not isinstance(value, str) or len(value) > self.max_length:
                raise ValidationError(f"{self.key} must be text of at most {self.max_length} characters, "
                                      f"got {shown(value)}")
            return value
        if not self._number_ok(value, self.kind):
            noun = "a whole number" if self.kind is int else "a number"
            raise ValidationError(f"{self.key} must be {noun} {self._bounds()}, got {shown(value)}")
        return self.kind(value)

    def _check_dict(self, value: Any) -> dict[str, int]:
        what = f"{self.key} must be an object of whole numbers {self._bounds()} by {self.names_of}"
        if not isinstance(value, dict):
            raise ValidationError(f"{what}, got {shown(value)}")
        if len(value) > self.max_items:
            raise ValidationError(f"{what}, at most {self.max_items} of them; got {len(value)}")
        vocabulary = self.names() if self.names else None
        out: dict[str, int] = {}
        unknown: list[str] = []
        for raw, number in value.items():
            name = str(raw) if vocabulary is None else vocabulary.get(str(raw).strip().lower(), "")
            if not name:
                unknown.append(shown(raw))
                continue
            if name in out:
                raise ValidationError(f"{what}; {name} is given twice")
            if not self._number_ok(number, int):
                raise ValidationError(f"{what}; got {shown(number)} for {name}")
            out[name] = int(number)
        if unknown:
            more = f" and {len(unknown) - UNKNOWN_SHOWN} more" if len(unknown) > UNKNOWN_SHOWN else ""
            known = ", ".join(sorted(set(vocabulary.values()))) if vocabulary else ""
            raise ValidationError(f"{what}; unknown {self.names_of} {', '.join(unknown[:UNKNOWN_SHOWN])}{more}"
                                  f" (known: {known})")
        return out

    def _number_ok(self, value: Any, kind: type) -> bool:
        allowed = (int,) if kind is int else (int, float)
        if isinstance(value, bool) or not isinstance(value, allowed):
            return False
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def _bounds(self) -> str:
        return f"from {self.low:g} to {self.high:g}" if self.high is not None else f"of at least {self.low:g}"


OPS = OPERATORS
TUNABLES: dict[str, Tunable] = {t.key: t for t in (
    Tunable("TDS_COMPARE_INTERVAL_HOURS", int, 1, 168, "hours between scheduled compare + sync runs", access=OPS),
    Tunable("TDS_STOCK_SYNC_INTERVAL_MINUTES", int, 1, 10_080, "minutes between scheduled stock syncs", access=OPS),
    Tunable("TDS_ENABLE_AUTO_SYNC", bool, description="scheduled pulls on or off", access=OPS),
    Tunable("TDS_IMAGE_CONCURRENCY", int, 1, 64, "parallel image downloads", access=OPS),
    Tunable("TDS_RETRY_MAX_ATTEMPTS", int, 1, 50, "attempts before a queue item is parked as a dead letter",
            access=OPS),
    Tunable("TDS_RETRY_BACKOFF_SECONDS", float, 0, 86_400, "base delay of the exponential retry backoff", access=OPS),
    Tunable("TDS_RETRY_BACKOFF_MAX_SECONDS", float, 0, 604_800, "longest retry delay", access=OPS),
    Tunable("TDS_RUN_HEARTBEAT_MINUTES", float, 1, 1_440,
            "minutes without a heartbeat after which a running run is failed (its process died)"),
    Tunable("TDS_PENDING_RUN_TIMEOUT_MINUTES", float, 1, 1_440,
            "minutes a queued run may wait for a worker before it is failed (its task was lost)"),
    Tunable("TDS_QUEUE_PRIORITIES", dict, 1, 10, "queue priority per entity (1 first), over the built-in ones",
            access=OPS, names=entity_names, names_of="entity"),
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
config_checks: list[Callable[[str, Any], None]] = []


def config_check_add(check: Callable[[str, Any], None]) -> None:
    if check not in config_checks:
        config_checks.append(check)


def config_declared(key: str) -> Tunable:
    """The declaration of ``key``; ValidationError naming the known ones when there is none."""
    if key not in TUNABLES:
        raise ValidationError(f"{named(key)} is not a run-time setting; known: {', '.join(sorted(TUNABLES))}")
    return TUNABLES[key]


def config_validate(key: str, value: Any) -> Any:
    """ValidationError when a tunable gets a value its schema or checks refuse, else the value as stored.

    Here, below both the models and the reader/writer in ``sync/config/``, so the table's own
    ``clean`` and ``config_set`` apply the same checks without importing each other."""
    checked = config_declared(key).check(value)
    for extra in config_checks:
        extra(key, checked)
    return checked
