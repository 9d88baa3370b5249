"""Evaluating the rules: open, update, escalate, remind and resolve tds_alerts rows.

One row per condition while it lasts (a partial unique index on the live rows backs this up):
a condition that keeps firing updates its row's latest value; one that clears resolves it. A rule
that fails leaves its alerts untouched. Notices go out after the row is written.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from sync.alerts.notify import alert_notify
from sync.alerts.rules import RULES, Finding, Rule, rule_owns
from sync.config import config_get
from sync.models import Alert

logger = logging.getLogger("tds.alerts")
RANK = {"info": 0, "warning": 1, "critical": 2}


@dataclass
class Evaluation:
    opened: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    notified: list[str] = field(default_factory=list)
    failed_rules: dict[str, str] = field(default_factory=dict)
    critical_open: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"opened": self.opened, "resolved": self.resolved, "notified": self.notified,
                "failed_rules": self.failed_rules, "critical_open": self.critical_open}


def alerts_evaluate(*, now: datetime | None = None, rules: list[Rule] | None = None) -> Evaluation:
    now = now or timezone.now()
    result = Evaluation()
    findings: dict[str, Finding] = {}
    evaluated: list[Rule] = []
    for rule in rules or RULES:
        try:
            for finding in rule(now):
                findings[finding.code] = finding
            evaluated.append(rule)
        except Exception as exc:  # one unreadable fact must not hide the other alerts
            logger.exception("alert rule %s failed", rule.__name__)
            result.failed_rules[rule.__name__] = f"{type(exc).__name__}: {exc}"[:300]
    live = {a.code: a for a in Alert.objects.exclude(status=Alert.Status.RESOLVED)}
    for code, finding in findings.items():
        alert = live.get(code)
        kind = _open(finding, now, result) if alert is None else _update(alert, finding, now)
        if kind:
            alert = alert or Alert.objects.get(code=code, status=Alert.Status.OPEN)
            alert_notify(alert, kind=kind)
            result.notified.append(f"{code}:{kind}")
    for code, alert in live.items():
        if code not in findings and any(rule_owns(rule, code) for rule in evaluated):
            alert_close(alert, now=now)
            result.resolved.append(code)
            alert_notify(alert, kind="resolved")
            result.notified.append(f"{code}:resolved")
    result.critical_open = Alert.objects.exclude(status=Alert.Status.RESOLVED).filter(
        severity=Alert.Severity.CRITICAL).count()
    return result


def _open(finding: Finding, now: datetime, result: Evaluation) -> str:
    try:
        with transaction.atomic():
            Alert.objects.create(severity=finding.severity, code=finding.code, message=finding.message,
                                 value=finding.value, threshold=finding.threshold,
                                 details={**finding.details, "latest_value": finding.value,
                                          "latest_at": now.isoformat()})
    except IntegrityError:  # another evaluation opened it a moment ago
        return ""
    result.opened.append(finding.code)
    return "opened"


def _update(alert: Alert, finding: Finding, now: datetime) -> str:
    """The latest value on the live row; the notice due, if any (escalation or reminder)."""
    alert.details = {**alert.details, "latest_value": finding.value, "latest_at": now.isoformat()}
    fields = ["details"]
    kind = ""
    if finding.severity != alert.severity:
        escalated = RANK[finding.severity] > RANK[alert.severity]
        alert.severity, alert.message = finding.severity, finding.message
        alert.value, alert.threshold = finding.value, finding.threshold
        fields += ["severity", "message", "value", "threshold"]
        if escalated and finding.severity == Alert.Severity.CRITICAL:
            kind = "escalated"
    elif alert.severity == Alert.Severity.CRITICAL and alert.status == Alert.Status.OPEN:
        every = timedelta(minutes=config_get("TDS_ALERT_RENOTIFY_MINUTES"))
        if alert.notified_at is None or now - alert.notified_at >= every:
            kind = "reminder"
    alert.save(update_fields=fields)
    return kind


def alert_close(alert: Alert, *, now: datetime | None = None) -> Alert:
    alert.status, alert.resolved_at = Alert.Status.RESOLVED, now or timezone.now()
    alert.save(update_fields=["status", "resolved_at"])
    return alert


def alert_acknowledge(*, alert_id: int) -> Alert:
    """Someone is on it: no more reminders (the alert still resolves when its condition clears)."""
    alert = Alert.objects.get(pk=alert_id)
    if alert.status == Alert.Status.OPEN:
        alert.status, alert.acknowledged_at = Alert.Status.ACKNOWLEDGED, timezone.now()
        alert.save(update_fields=["status", "acknowledged_at"])
    return alert


def alert_resolve(*, alert_id: int) -> Alert:
    """Resolved by hand; a condition still there opens a new alert at the next evaluation."""
    alert = Alert.objects.get(pk=alert_id)
    if alert.status != Alert.Status.RESOLVED:
        alert_close(alert)
        alert_notify(alert, kind="resolved")
    return alert
