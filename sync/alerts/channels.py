"""Delivering one notice on every configured channel, and saying per channel what happened.

The channels: an e-mail to each TDS_ALERT_EMAILS address (through Django's mail backend, so the
relay, sender and TLS are settings) and a Slack-compatible ``{"text": ...}`` POST to
TDS_ALERT_WEBHOOK_URL. Alert notices and ``tds_alerts test-notify`` both send through notice_send.

Each address gets its own message over one SMTP connection: with one message to all of them, a relay
that refuses some recipients but takes the others counts as success (Django's backend drops smtplib's
list of refused recipients), and nobody would learn that an address never gets alerts. A failure to
reach the relay at all (no answer, TLS, login) is the same for every address, so it is met once and
costs one EMAIL_TIMEOUT, not one per address.

A failure is one line: "refused" when the server said no (its code and text), "failed" when no
answer came (timeout, connection refused, TLS). A webhook is named by its host alone: the path of a
Slack webhook URL is its secret.
"""
from __future__ import annotations

import logging
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends import smtp
from django.utils.module_loading import import_string
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from sync.config import config_get

logger = logging.getLogger("tds.alerts")
WEBHOOK_ATTEMPTS = 3
REASON_CHARS = 240


@dataclass(frozen=True)
class Delivery:
    channel: str  # "e-mail to ops@example.com", "webhook to hooks.slack.com"
    outcome: str  # "sent", "refused" (the server said no) or "failed" (no answer)
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == "sent"

    def line(self) -> str:
        return f"{self.channel}: {self.outcome}" + (f": {self.reason}" if self.reason else "")


class WebhookRefused(Exception):
    """The receiver answered with an error status; worth another try only for 429 and 5xx."""

    def __init__(self, reason: str, *, retry: bool) -> None:
        super().__init__(reason)
        self.retry = retry


def notice_channels() -> tuple[list[str], str]:
    """(the e-mail recipients, the webhook URL) as configured; empty when a channel is off."""
    return list(settings.TDS_ALERT_EMAILS or []), settings.TDS_ALERT_WEBHOOK_URL or ""


def notice_send(*, subject: str, text: str) -> list[Delivery]:
    recipients, url = notice_channels()
    deliveries = mail_send(subject=subject, text=text, recipients=recipients) if recipients else []
    if url:
        deliveries.append(webhook_send(url=url, body={"text": f"*{subject}*\n{text}"}))
    return deliveries


def mail_send(*, subject: str, text: str, recipients: list[str]) -> list[Delivery]:
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as exc:  # no relay: every address fails alike, and the caller goes on
        _close_quietly(connection, broken=True)
        outcome, reason = mail_reason(exc)
        return [Delivery(f"e-mail to {to}", outcome, reason) for to in recipients]
    deliveries: list[Delivery] = []
    broken: tuple[str, str] | None = None
    for to in recipients:
        if broken:
            deliveries.append(Delivery(f"e-mail to {to}", *broken))
            continue
        try:
            EmailMessage(subject, text, None, [to], connection=connection).send()
            deliveries.append(Delivery(f"e-mail to {to}", "sent"))
        except Exception as exc:  # recorded per address
            outcome, reason = mail_reason(exc)
            deliveries.append(Delivery(f"e-mail to {to}", outcome, reason))
            if not isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
                broken = (outcome, reason)  # the conversation is over: the next address would wait again
    _close_quietly(connection, broken=broken is not None)
    return deliveries


def _close_quietly(connection: Any, *, broken: bool) -> None:
    if broken:  # no QUIT to a relay that stopped answering: close the sockets (Django's SMTP attributes)
        for name in ("connection", "_partial_connection"):
            if getattr(connection, name, None) is not None:
                getattr(connection, name).close()
                setattr(connection, name, None)
    try:
        connection.close()
    except Exception as exc:  # the notice is sent; a failed goodbye changes nothing
        logger.info("closing the mail connection failed: %s", type(exc).__name__)


def mail_reason(exc: BaseException) -> tuple[str, str]:
    """("refused" or "failed", one line) for an exception of the mail backend. Never the password."""
    relay = f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    cause = exc.__cause__ or exc.__context__
    if isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(cause, OSError):
        exc = cause  # smtplib wraps a read that timed out as "Connection unexpectedly closed"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, message = next(iter(exc.recipients.values()), (0, b""))
        return "refused", _reply(code, message)
    if isinstance(exc, smtplib.SMTPResponseException):  # sender refused, login refused, data refused ...
        return "refused", _reply(exc.smtp_code, exc.smtp_error)
    if isinstance(exc, ssl.SSLCertVerificationError):
        # 18-21: self-signed or an unknown issuer, which a CA file cures (a wrong host name it does not).
        hint = "; a private CA goes in EMAIL_SSL_CAFILE" if exc.verify_code in (18, 19, 20, 21) else ""
        return "failed", f"the TLS certificate of {relay} is not trusted ({exc.verify_message}){hint}"
    if isinstance(exc, ssl.SSLError):
        return "failed", f"TLS with {relay} failed ({exc.reason or type(exc).__name__})"
    if isinstance(exc, TimeoutError):
        return "failed", f"no answer from {relay} within {settings.EMAIL_TIMEOUT:g} s (EMAIL_TIMEOUT)"
    if isinstance(exc, ConnectionRefusedError):
        return "failed", f"connection refused by {relay}"
    if isinstance(exc, socket.gaierror):
        return "failed", f"cannot resolve {settings.EMAIL_HOST} ({exc.strerror})"
    if isinstance(exc, smtplib.SMTPException):  # disconnected, no STARTTLS or AUTH offered ...
        return "failed", f"{str(exc) or type(exc).__name__} ({relay})"[:REASON_CHARS]
    if isinstance(exc, OSError):
        return "failed", f"{exc.strerror or type(exc).__name__} ({relay})"
    return "failed", f"{type(exc).__name__}: {exc}"[:REASON_CHARS]


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {' '.join(text.split())}"[:REASON_CHARS]


def mail_route() -> str:
    """Which sender and relay alert e-mail uses, as one line without the password."""
    sender = settings.DEFAULT_FROM_EMAIL
    if not issubclass(import_string(settings.EMAIL_BACKEND), smtp.EmailBackend):
        return f"e-mail from {sender} through {settings.EMAIL_BACKEND} (no relay)"
    security = "TLS from the start" if settings.EMAIL_USE_SSL else "STARTTLS" if settings.EMAIL_USE_TLS else "no TLS"
    login = f", login {settings.EMAIL_HOST_USER}" if settings.EMAIL_HOST_USER else ", no login"
    return (f"e-mail from {sender} through {settings.EMAIL_HOST}:{settings.EMAIL_PORT} ({security}{login}, "
            f"timeout {settings.EMAIL_TIMEOUT:g} s)")


def webhook_name(url: str) -> str:
    return f"webhook to {urlsplit(url).netloc.rsplit('@', 1)[-1]}"


def webhook_send(*, url: str, body: dict) -> Delivery:
    channel = webhook_name(url)
    try:
        webhook_post(url, body)
    except WebhookRefused as exc:
        return Delivery(channel, "refused", str(exc))
    except requests.Timeout:
        timeout = config_get("TDS_ALERT_WEBHOOK_TIMEOUT_SECONDS")
        return Delivery(channel, "failed", f"no answer within {timeout:g} s (TDS_ALERT_WEBHOOK_TIMEOUT_SECONDS)")
    except requests.RequestException as exc:
        return Delivery(channel, "failed", _network_reason(exc))
    return Delivery(channel, "sent")


def webhook_post(url: str, body: dict) -> None:
    """POST with a timeout, retried on network errors and 429/5xx answers."""
    timeout = config_get("TDS_ALERT_WEBHOOK_TIMEOUT_SECONDS")
    retrying = Retrying(stop=stop_after_attempt(WEBHOOK_ATTEMPTS), wait=wait_exponential(multiplier=0.2, max=2),
                        retry=retry_if_exception(_worth_retrying), reraise=True)
    for attempt in retrying:
        with attempt:
            response = requests.post(url, json=body, timeout=timeout)
            if response.status_code >= 400:
                first = " ".join(response.text[:200].split()[:20])
                raise WebhookRefused(f"HTTP {response.status_code}" + (f": {first}" if first else ""),
                                     retry=response.status_code == 429 or response.status_code >= 500)


def _worth_retrying(exc: BaseException) -> bool:
    if isinstance(exc, WebhookRefused):
        return exc.retry
    return isinstance(exc, requests.RequestException)


_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")
_UNTRUSTED = re.compile(r"certificate verify failed: ([^(']+)")


def _network_reason(exc: requests.RequestException) -> str:
    """A requests error in a few words: its text quotes the URL, whose path may be the webhook's secret."""
    text = str(exc)
    untrusted = _UNTRUSTED.search(text)
    if untrusted:
        return f"the TLS certificate is not trusted ({untrusted.group(1).strip()})"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS failed"
    errno = _ERRNO.search(text)
    return errno.group(1).strip() if errno else f"could not connect ({type(exc).__name__})"
