"""Alert notices: what they say, and what became of them (sent through sync/alerts/channels.py).

A notice goes out when an alert opens, turns critical, resolves, and as a reminder for a critical
alert still open. A channel that fails (after retries for the webhook) is recorded on the alert
(notify_error, notify_failed_at: the last failure, kept after later notices go through) and never
raised: the evaluation goes on. ``notice_test`` sends a test notice the same way, for
``tds_alerts test-notify``.
"""
from __future__ import annotations

import logging
import socket

from django.db.models import F
from django.utils import timezone

from sync.alerts.channels import Delivery, notice_send
from sync.models import Alert

logger = logging.getLogger("tds.alerts")
HEADLINES = {"opened": "opened", "escalated": "is now critical", "reminder": "still open", "resolved": "resolved"}
ERROR_CHARS = 2000


def alert_subject(alert: Alert, *, kind: str) -> str:
    return f"[TDS {alert.severity}] {alert.code} {HEADLINES[kind]}: {alert.message}"[:200]


def alert_text(alert: Alert, *, kind: str) -> str:
    lines = [
        f"Alert {alert.code} {HEADLINES[kind]} on {socket.gethostname()}.",
        "",
        f"Severity:  {alert.severity}",
        f"Status:    {alert.status}",
        f"Condition: {alert.message}",
        f"Value:     {alert.value:g}" if alert.value is not None else "Value:     -",
        f"Threshold: {alert.threshold:g}" if alert.threshold is not None else "Threshold: -",
        f"Since:     {alert.created_at:%Y-%m-%d %H:%M:%S} UTC",
    ]
    if alert.resolved_at:
        lines.append(f"Resolved:  {alert.resolved_at:%Y-%m-%d %H:%M:%S} UTC")
    if kind != "resolved":
        lines += ["", f"Acknowledge: python manage.py tds_alerts ack --id {alert.pk}"]
    return "\n".join(lines)


def alert_notify(alert: Alert, *, kind: str) -> list[str]:
    """Send the notice on every configured channel; returns (and records) the failures, one line each."""
    deliveries = notice_send(subject=alert_subject(alert, kind=kind), text=alert_text(alert, kind=kind))
    errors = [d.line() for d in deliveries if not d.ok]
    for error in errors:
        logger.warning("alert %s notice not sent: %s", alert.code, error)
    now = timezone.now()
    changes: dict = {"notified_at": now, "notifications": F("notifications") + 1}
    if errors:
        changes |= {"notify_error": "; ".join(errors)[:ERROR_CHARS], "notify_failed_at": now}
    Alert.objects.filter(pk=alert.pk).update(**changes)
    alert.notified_at, alert.notifications = now, alert.notifications + 1
    if errors:
        alert.notify_error, alert.notify_failed_at = changes["notify_error"], now
    return errors


def notice_test() -> list[Delivery]:
    """One test notice on every configured channel, through the same path as the alerts'."""
    host = socket.gethostname()
    subject = f"[TDS test] Test notice from {host}"
    text = "\n".join([
        f"A test notice from TDS on {host}, sent by `manage.py tds_alerts test-notify` at "
        f"{timezone.now():%Y-%m-%d %H:%M:%S} UTC.",
        "",
        "Alert notices reach this address: nothing to do.",
    ])
    return notice_send(subject=subject, text=text)
