"""database_unreachable: told while the database is away, recorded once it answers."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import OperationalError

from sync import heartbeats
from sync.alerts.outage import CODE, DatabaseWatch
from sync.models import Alert

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def to_ops(settings: Any) -> None:
    settings.TDS_ALERT_EMAILS = ["ops@example.com"]
    settings.TDS_ALERT_WEBHOOK_URL = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_an_outage_is_told_once_past_its_threshold_then_recorded_and_resolved(to_ops: None) -> None:
    clock = Clock()
    watch = DatabaseWatch(after_seconds=10, clock=clock)
    down = OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')
    watch.failed(down)
    clock.now += 8
    watch.failed(down)
    assert mail.outbox == []  # a restart shorter than the threshold tells nobody
    clock.now += 4
    watch.failed(down)
    clock.now += 2
    watch.failed(down)
    assert [m.subject for m in mail.outbox] == [f"[TDS critical] {CODE} opened: the database has not answered for 12 s"]
    assert "Connection refused" in mail.outbox[0].body and mail.outbox[0].to == ["ops@example.com"]
    assert not Alert.objects.exists()  # nothing can be written yet
    since = watch.down_since
    watch.answered()
    alert = Alert.objects.get(code=CODE)
    assert (alert.status, alert.severity, alert.created_at, alert.notifications) == ("resolved", "critical", since, 1)
    assert alert.resolved_at - since < timedelta(seconds=5) and "Connection refused" in alert.details["error"]
    assert mail.outbox[1].subject.startswith(f"[TDS critical] {CODE} resolved")
    watch.answered()
    assert Alert.objects.count() == 1 and len(mail.outbox) == 2


def test_a_blip_under_the_threshold_leaves_no_alert(to_ops: None) -> None:
    clock = Clock()
    watch = DatabaseWatch(after_seconds=10, clock=clock)
    watch.failed(OperationalError("server closed the connection unexpectedly"))
    clock.now += 3
    watch.answered()
    assert not watch.down and not Alert.objects.exists() and mail.outbox == []


class _Sentinel:
    pid = 0

    def __init__(self, rounds: int) -> None:
        self.rounds = rounds

    def is_alive(self) -> bool:
        self.rounds -= 1
        return self.rounds >= 0


class _Cluster:
    name = "test"

    def __init__(self, rounds: int) -> None:
        self.sentinel = _Sentinel(rounds)
        self.cluster_id = type("Id", (), {"hex": "0123456789abcdef"})()


def test_the_watching_cluster_tries_again_every_few_seconds_while_its_beats_fail(to_ops: None,
                                                                                monkeypatch: Any) -> None:
    outcomes = iter([OperationalError("refused")] * 3 + [None] * 10)
    heard: list[str] = []

    class Watch(DatabaseWatch):
        def failed(self, exc: BaseException) -> None:
            heard.append("failed")
            super().failed(exc)

        def answered(self) -> None:
            heard.append("answered")
            super().answered()

    def beat(self: heartbeats.Heartbeat, **kwargs: Any) -> None:
        self.failure = next(outcomes)

    sleeps: list[float] = []
    monkeypatch.setattr(heartbeats.Heartbeat, "beat", beat)
    monkeypatch.setattr(heartbeats, "_sleep_while", lambda alive, seconds: sleeps.append(seconds))
    monkeypatch.setattr(heartbeats, "_cluster_workers_beat", lambda host, pid: None)
    monkeypatch.setattr(heartbeats, "close_old_connections", lambda: None)  # the test's transaction holds it
    heartbeats.cluster_beat_until_stopped(_Cluster(rounds=5), interval=10, watch=Watch(after_seconds=0))
    assert heard == ["failed", "failed", "failed", "answered", "answered"]
    assert sleeps == [2.0, 2.0, 2.0, 10, 10]
    assert Alert.objects.get(code=CODE).status == "resolved"
    assert [m.subject.split(":")[0] for m in mail.outbox] == [f"[TDS critical] {CODE} opened",
                                                             f"[TDS critical] {CODE} resolved"]
