"""The alert conditions. Each rule owns a code (or codes "<code>:<subject>") and returns what fires now.

A rule that fails to read its facts raises; the evaluation then leaves that rule's alerts as they
are rather than resolving them on missing evidence. Thresholds are tunables (sync/config/).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Min
from django.utils.text import slugify

from sync.config import config_get
from sync.models import RunType

SYNC_RUN_TYPES = (RunType.FULL, RunType.INCREMENTAL, RunType.STOCK, RunType.QUEUE, RunType.COMPARE_SYNC)


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str          # "warning" or "critical"
    value: float
    threshold: float
    message: str
    details: dict[str, Any] = field(default_factory=dict)


Rule = Callable[[datetime], list[Finding]]


def _levels(code: str, value: float, *, warning: float | None, critical: float | None, what: str,
            unit: str = "") -> list[Finding]:
    """Critical above its threshold, else warning above its own, else nothing."""
    for severity, threshold in (("critical", critical), ("warning", warning)):
        if threshold is not None and value > threshold:
            message = f"{what}: {value:g}{unit} (threshold {threshold:g}{unit})"
            return [Finding(code, severity, value, threshold, message)]
    return []


def queue_pending(now: datetime) -> list[Finding]:
    from sync.models import SyncQueueItem

    count = SyncQueueItem.objects.filter(status=SyncQueueItem.Status.PENDING).count()
    return _levels("queue_pending", count, warning=config_get("TDS_ALERT_QUEUE_PENDING_WARNING"),
                   critical=config_get("TDS_ALERT_QUEUE_PENDING_CRITICAL"), what="Pending queue items")


def queue_failed(now: datetime) -> list[Finding]:
    from sync.models import SyncQueueItem

    count = SyncQueueItem.objects.filter(status=SyncQueueItem.Status.FAILED).count()
    return _levels("queue_failed", count, warning=config_get("TDS_ALERT_QUEUE_FAILED_WARNING"),
                   critical=config_get("TDS_ALERT_QUEUE_FAILED_CRITICAL"), what="Failed queue items")


def sync_delay(now: datetime) -> list[Finding]:
    """How far behind the queue is: the age of the oldest item that is due now."""
    from django.db.models import Q

    from sync.models import SyncQueueItem

    oldest = (SyncQueueItem.objects.filter(status=SyncQueueItem.Status.PENDING)
              .filter(Q(next_attempt_at=None) | Q(next_attempt_at__lte=now)).aggregate(at=Min("created_at"))["at"])
    minutes = round((now - oldest).total_seconds() / 60, 1) if oldest else 0.0
    return _levels("sync_delay", minutes, warning=config_get("TDS_ALERT_SYNC_DELAY_MINUTES"), critical=None,
                   what="Oldest due queue item waits", unit=" min")


def sync_stopped(now: datetime) -> list[Finding]:
    """No successful sync run for too long (only while scheduled pulls are on). A run Zoho's limits
    cut short (deferred) stored what it reached: it counts as a sync that ran."""
    from sync.models import SyncRun

    if not config_get("TDS_ENABLE_AUTO_SYNC"):
        return []
    runs = SyncRun.objects.filter(run_type__in=SYNC_RUN_TYPES, dry_run=False)
    last = (runs.filter(status__in=("completed", "partial", "deferred")).exclude(finished_at=None)
            .order_by("-finished_at").values_list("finished_at", flat=True).first())
    since = last or runs.order_by("started_at").values_list("started_at", flat=True).first()
    if since is None:
        return []  # nothing ever ran: a fresh installation, not a stopped one
    minutes = round((now - since).total_seconds() / 60, 1)
    return _levels("sync_stopped", minutes, warning=None, critical=config_get("TDS_ALERT_SYNC_STOPPED_MINUTES"),
                   what="No successful sync run for", unit=" min")


def dead_letters(now: datetime) -> list[Finding]:
    from sync.models import DeadLetter

    count = DeadLetter.objects.filter(resolved=False).count()
    return _levels("dead_letters", count, warning=None, critical=config_get("TDS_ALERT_DEAD_LETTERS_CRITICAL"),
                   what="Open dead letters")


def api_quota(now: datetime) -> list[Finding]:
    """The share of Zoho's daily quota used, and the day's use trending over the schedules' budget."""
    from sync.budget.today import budget_today

    budget = budget_today(now=now)
    found = _levels("api_quota", budget["percent_used"], warning=config_get("TDS_ALERT_QUOTA_USED_PERCENT"),
                    critical=None, what=f"Zoho daily API quota used ({budget['used']} of {budget['quota']})",
                    unit="%")
    trend = _levels("api_budget", budget["projected_percent"], warning=config_get("TDS_ZOHO_BUDGET_MAX_PERCENT"),
                    critical=None, what=f"Zoho API use trends to {budget['projected']} calls today", unit="%")
    return found + trend


api_quota.codes = ("api_quota", "api_budget")  # type: ignore[attr-defined]


def circuit_open(now: datetime) -> list[Finding]:
    from sync.alerts.facts import circuit_state

    state = circuit_state()
    if not state or not state.get("open_until") or not state.get("opened_at"):
        return []
    minutes = round((now.timestamp() - float(state["opened_at"])) / 60, 1)
    limit = config_get("TDS_ALERT_CIRCUIT_OPEN_MINUTES")
    if minutes <= limit:
        return []
    message = f"Zoho circuit open for {minutes:g} min (threshold {limit} min): {state.get('last') or ''}"
    return [Finding("circuit_open", "critical", minutes, limit, message.strip(" :"))]


def worker_heartbeat(now: datetime) -> list[Finding]:
    from sync.alerts.facts import worker_last_seen

    silent = config_get("TDS_ALERT_WORKER_SILENT_MINUTES")
    seen, overdue = worker_last_seen(now=now)
    if seen is not None and now - seen <= timedelta(minutes=silent):
        return []
    if not overdue:
        return []  # nothing due either: an idle installation without a cluster is not an outage
    minutes = round((now - seen).total_seconds() / 60, 1) if seen else float(silent * 1000)
    return [Finding("worker_heartbeat", "critical", minutes, silent,
                    f"No task worker seen for {'ever' if seen is None else f'{minutes:g} min'} "
                    f"(threshold {silent} min) while {overdue} schedule(s) are due",
                    {"last_seen": seen.isoformat() if seen else None})]


def schedule_missed(now: datetime) -> list[Finding]:
    from sync.alerts.facts import schedules_missed

    missed_runs = config_get("TDS_ALERT_SCHEDULE_MISSED_RUNS")
    return [Finding(f"schedule_missed:{slugify(name)}"[:64], "warning", missed, missed_runs,
                    f"Schedule {name!r} missed {missed:g} runs (due since {due:%Y-%m-%d %H:%M} UTC)",
                    {"schedule": name})
            for name, missed, due in schedules_missed(now=now) if missed >= missed_runs]


def image_coverage(now: datetime) -> list[Finding]:
    from sync.images.plan import image_coverage as coverage

    cov = coverage()
    target = config_get("TDS_ALERT_IMAGE_COVERAGE_PERCENT")
    if cov.with_image_in_zoho == 0 or cov.pct >= target:
        return []
    return [Finding("image_coverage", "warning", cov.pct, target,
                    f"Image coverage {cov.pct:g}% below its target {target:g}% ({cov.missing} never downloaded, "
                    f"{cov.changed} changed in Zoho)", cov.as_dict())]


RULES: list[Rule] = [queue_pending, queue_failed, sync_delay, sync_stopped, dead_letters, api_quota, circuit_open,
                     worker_heartbeat, schedule_missed, image_coverage]


def rule_codes(rule: Rule) -> tuple[str, ...]:
    return getattr(rule, "codes", (rule.__name__,))


def rule_owns(rule: Rule, code: str) -> bool:
    return any(code == c or code.startswith(c + ":") for c in rule_codes(rule))
