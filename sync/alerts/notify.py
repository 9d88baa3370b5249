"""Alert notices: an e-mail to TDS_ALERT_EMAILS and a Slack-compatible webhook post.

A notice goes out when an alert opens, turns critical, resolves, and as a reminder for a critical
alert still open. A channel that fails (after retries for the webhook) is recorded on the alert
(notify_error) and never raised: the evaluation goes on.
"""
from __future__ import annotations

import logging
import socket

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from sync.config import config_get
from sync.models import Alert

logger = logging.getLogger("tds.alerts")
WEBHOOK_ATTEMPTS = 3
HEADLINES = {"opened": "opened", "escalated": "is now critical", "reminder": "still open", "resolved": "resolved"}


class WebhookRefused(Exception):
    """The receiver answered with an error status worth retrying."""


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
    """Send the notice on every configured channel; returns (and records) the failures."""
    errors = []
    subject, text = alert_subject(alert, kind=kind), alert_text(alert, kind=kind)
    recipients = list(getattr(settings, "TDS_ALERT_EMAILS", []) or [])
    if recipients:
        try:
            send_mail(subject, text, None, recipients, fail_silently=False)
        except Exception as exc:  # noqa: BLE001 - a mail server down must not stop the evaluation
            errors.append(f"e-mail: {type(exc).__name__}: {exc}"[:300])
    url = getattr(settings, "TDS_ALERT_WEBHOOK_URL", "") or ""
    if url:
        try:
            webhook_post(url, {"text": f"*{subject}*\n{text}"})
        except Exception as exc:  # noqa: BLE001 - same for the webhook receiver
            errors.append(f"webhook: {type(exc).__name__}: {exc}"[:300])
    for error in errors:
        logger.warning("alert %s notice not sent: %s", alert.code, error)
    Alert.objects.filter(pk=alert.pk).update(notified_at=timezone.now(), notifications=alert.notifications + 1,
                                             notify_error="; ".join(errors))
    alert.notifications += 1
    alert.notify_error = "; ".join(errors)
    return errors


def webhook_post(url: str, body: dict) -> None:
    """POST with a timeout, retried on network errors and 429/5xx answers."""
    timeout = config_get("TDS_ALERT_WEBHOOK_TIMEOUT_SECONDS")
    retrying = Retrying(stop=stop_after_attempt(WEBHOOK_ATTEMPTS), wait=wait_exponential(multiplier=0.2, max=2),
                        retry=retry_if_exception_type((requests.RequestException, WebhookRefused)), reraise=True)
    for attempt in retrying:
        with attempt:
            response = requests.post(url, json=body, timeout=timeout)
            if response.status_code == 429 or response.status_code >= 500:
                raise WebhookRefused(f"HTTP {response.status_code}")
            if response.status_code >= 400:
                raise ValueError(f"HTTP {response.status_code}: {response.text[:100]}")
