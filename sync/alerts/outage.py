"""The one alert that cannot wait for the database: the database itself not answering.

Every alert rule reads its facts from the database and every alert is a row in it, so while
PostgreSQL is down no rule can fire and nobody hears of it. The scheduler's cluster tries the
database at every heartbeat anyway, so it watches instead: once its beats have failed for
TDS_ALERT_DATABASE_DOWN_SECONDS it sends the notice straight to the channels (mail and the webhook
need no database), and when the database answers again it records the outage as an alert row
(opened when the first beat failed, resolved now) and sends the resolution through the usual path.
One process watches (the scheduler, one per deployment), so an outage is one notice, not one per
worker machine.
"""
from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from sync.alerts.channels import notice_send

logger = logging.getLogger("tds.alerts")
CODE = "database_unreachable"
# While the database is away the watch looks again this often, so a short outage is still seen twice.
PROBE_SECONDS = 2.0


class DatabaseWatch:
    def __init__(self, *, after_seconds: float | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.after = float(settings.TDS_ALERT_DATABASE_DOWN_SECONDS if after_seconds is None else after_seconds)
        self.clock = clock
        self.down_since: datetime | None = None
        self._first_failure = 0.0
        self.reason = ""
        self.notified = False

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def failed(self, exc: BaseException) -> None:
        """A try of the database failed: the notice goes out once it has failed for long enough."""
        if self.down_since is None:
            self.down_since, self._first_failure = timezone.now(), self.clock()
            self.reason = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
        seconds = self.clock() - self._first_failure
        if self.notified or seconds < self.after:
            return
        self.notified = True
        subject = f"[TDS critical] {CODE} opened: the database has not answered for {seconds:.0f} s"
        text = "\n".join([
            f"Alert {CODE} opened on {socket.gethostname()}.", "",
            "Severity:  critical",
            f"Condition: no answer from the database for {seconds:.0f} s (threshold {self.after:g} s)",
            f"Error:     {self.reason[:500]}",
            f"Since:     {self.down_since:%Y-%m-%d %H:%M:%S} UTC", "",
            "Syncs, webhooks and pages wait for it; the alert is recorded and resolved once it answers."])
        for delivery in notice_send(subject=subject, text=text):
            if not delivery.ok:
                logger.warning("alert %s notice not sent: %s", CODE, delivery.line())

    def answered(self) -> None:
        """The database answered: an outage that was announced is recorded, resolved, and its end sent."""
        if self.down_since is None:
            return
        if self.notified:  # a failure here leaves the watch as it was: the next answer records it
            outage_record(since=self.down_since, reason=self.reason, threshold=self.after)
        self.down_since, self.notified, self.reason = None, False, ""


def outage_record(*, since: datetime, reason: str, threshold: float) -> None:
    from sync.alerts.notify import alert_notify
    from sync.models import Alert

    now = timezone.now()
    seconds = (now - since).total_seconds()
    alert = Alert.objects.create(
        severity=Alert.Severity.CRITICAL, code=CODE, status=Alert.Status.RESOLVED, value=round(seconds, 1),
        threshold=threshold, message=f"The database did not answer for {seconds:.0f} s", resolved_at=now,
        details={"host": socket.gethostname(), "error": reason[:500]})
    Alert.objects.filter(pk=alert.pk).update(created_at=since)  # opened when the first beat failed
    alert.created_at = since
    alert_notify(alert, kind="resolved")
