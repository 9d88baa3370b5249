"""Alerts: every threshold crossed and cleared, one notice per opening and resolution, reminders, ack."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.utils import timezone

from sync.alerts import rules
from sync.alerts.evaluate import alert_acknowledge, alerts_evaluate
from sync.budget.usage import quota_day
from sync.images.plan import Coverage
from sync.models import Alert, ApiQuotaDay, DeadLetter, SyncQueueItem, SyncRun
from tests.sync.alerts.servers import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    hook = Receiver()
    settings.TDS_ALERT_WEBHOOK_URL = hook.url
    settings.TDS_ALERT_EMAILS = ["ops@example.com"]
    yield hook
    hook.stop()


def _items(status: str, n: int, **fields: object) -> None:
    SyncQueueItem.objects.bulk_create([SyncQueueItem(entity="items", zoho_id=str(i), status=status, **fields)
                                       for i in range(n)])


def _clear_queue() -> None:
    SyncQueueItem.objects.all().delete()


def _dead(n: int) -> None:
    DeadLetter.objects.bulk_create([DeadLetter(entity="items", zoho_id=str(i), error_class="permanent",
                                               error_message="bad") for i in range(n)])


def _stale_item() -> None:
    _items("pending", 1)
    SyncQueueItem.objects.update(created_at=timezone.now() - timedelta(minutes=31))


def _old_success() -> None:
    at = timezone.now() - timedelta(minutes=121)
    SyncRun.objects.create(run_type="incremental", status="completed", started_at=at, finished_at=at)


def _fresh_success() -> None:
    SyncRun.objects.create(run_type="incremental", status="completed", started_at=timezone.now(),
                           finished_at=timezone.now())


def _quota_used(percent: int) -> Callable[[], None]:
    def apply() -> None:
        ApiQuotaDay.objects.update_or_create(day=quota_day(), defaults={"quota_limit": 1000,
                                                                        "remaining": 1000 - 10 * percent})
    return apply


# rule, make it fire, code, severity, value, threshold, make it clear
CASES = [
    (rules.queue_pending, lambda: _items("pending", 51), "queue_pending", "warning", 51, 50, _clear_queue),
    (rules.queue_pending, lambda: _items("pending", 201), "queue_pending", "critical", 201, 200, _clear_queue),
    (rules.queue_failed, lambda: _items("failed", 11), "queue_failed", "warning", 11, 10, _clear_queue),
    (rules.queue_failed, lambda: _items("failed", 51), "queue_failed", "critical", 51, 50, _clear_queue),
    (rules.sync_delay, _stale_item, "sync_delay", "warning", 31, 30, _clear_queue),
    (rules.sync_stopped, _old_success, "sync_stopped", "critical", 121, 120, _fresh_success),
    (rules.dead_letters, lambda: _dead(21), "dead_letters", "critical", 21, 20,
     lambda: DeadLetter.objects.update(resolved=True)),
    (rules.api_quota, _quota_used(95), "api_quota", "warning", 95, 90, _quota_used(10)),
]


@pytest.mark.parametrize(("rule", "fire", "code", "severity", "value", "threshold", "clear"), CASES,
                         ids=[f"{c[2]}-{c[3]}" for c in CASES])
def test_each_threshold_opens_once_and_resolves_when_cleared(rule, fire, code, severity, value, threshold, clear,
                                                             receiver, mailoutbox):
    fire()
    first = alerts_evaluate(rules=[rule])
    assert code in first.opened
    alert = Alert.objects.get(code=code)
    assert (alert.severity, alert.status, alert.threshold) == (severity, "open", threshold)
    assert alert.value == pytest.approx(value, abs=0.5)
    assert alerts_evaluate(rules=[rule]).opened == []  # still firing: the same row, no new notice
    assert Alert.objects.filter(code=code).count() == 1
    mails = lambda: [m.subject for m in mailoutbox if f" {code} " in m.subject]  # noqa: E731
    posts = lambda: [b["text"] for b in receiver.bodies if f" {code} " in b["text"]]  # noqa: E731
    assert len(mails()) == 1 and len(posts()) == 1
    clear()
    assert code in alerts_evaluate(rules=[rule]).resolved
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.resolved_at is not None
    assert len(mails()) == 2 and len(posts()) == 2
    assert "resolved" in mails()[1] and "resolved" in posts()[1]


def test_api_use_trending_over_the_budget_warns(receiver, mailoutbox):
    _quota_used(85)()
    outcome = alerts_evaluate(rules=[rules.api_quota])
    assert outcome.opened == ["api_budget"]  # 85 % used: under the 90 % warning, over the 80 % plan


def test_circuit_open_longer_than_five_minutes(zoho_settings, receiver, mailoutbox):
    from zoho.client import org_scope
    from zoho.config import settings_from_django

    config = settings_from_django()
    key = f"zoho:circuit:{org_scope(config.organization_id, config.resolved_accounts_url)}"
    now = timezone.now().timestamp()
    caches["shared"].set(key, {"failures": 5, "open_until": now + 60, "last": "timeout", "opened_at": now - 120})
    assert alerts_evaluate(rules=[rules.circuit_open]).opened == []
    caches["shared"].set(key, {"failures": 9, "open_until": now + 60, "last": "timeout", "opened_at": now - 360})
    assert alerts_evaluate(rules=[rules.circuit_open]).opened == ["circuit_open"]
    caches["shared"].delete(key)
    assert alerts_evaluate(rules=[rules.circuit_open]).resolved == ["circuit_open"]


def test_no_worker_heartbeat_and_missed_schedules(receiver, mailoutbox):
    from django_q.models import Schedule

    row = Schedule.objects.get(name="tds: queue drain")  # every minute
    Schedule.objects.filter(pk=row.pk).update(next_run=timezone.now() - timedelta(minutes=10))
    outcome = alerts_evaluate(rules=[rules.worker_heartbeat, rules.schedule_missed])
    assert sorted(outcome.opened) == ["schedule_missed:tds-queue-drain", "worker_heartbeat"]
    missed = Alert.objects.get(code="schedule_missed:tds-queue-drain")
    assert missed.value == pytest.approx(10, abs=0.2) and missed.threshold == 2
    Schedule.objects.filter(pk=row.pk).update(next_run=timezone.now() + timedelta(minutes=1))
    assert sorted(alerts_evaluate(rules=[rules.worker_heartbeat, rules.schedule_missed]).resolved) == [
        "schedule_missed:tds-queue-drain", "worker_heartbeat"]


def test_image_coverage_below_target(monkeypatch, receiver, mailoutbox):
    coverage = Coverage(with_image_in_zoho=100, downloaded=80, missing=20, changed=0, unavailable=0)
    monkeypatch.setattr("sync.images.plan.image_coverage", lambda: coverage)
    assert alerts_evaluate(rules=[rules.image_coverage]).opened == ["image_coverage"]
    assert Alert.objects.get(code="image_coverage").value == 80.0
    monkeypatch.setattr("sync.images.plan.image_coverage", lambda: Coverage(100, 99, 1, 0, 0))
    assert alerts_evaluate(rules=[rules.image_coverage]).resolved == ["image_coverage"]


def test_a_warning_turning_critical_is_one_row_and_one_more_notice(receiver, mailoutbox):
    _items("pending", 60)
    alerts_evaluate(rules=[rules.queue_pending])
    _items("pending", 150)
    outcome = alerts_evaluate(rules=[rules.queue_pending])
    alert = Alert.objects.get(code="queue_pending")
    assert (alert.severity, alert.value, alert.threshold) == ("critical", 210, 200)
    assert outcome.notified == ["queue_pending:escalated"] and len(mailoutbox) == 2


def test_a_critical_alert_is_reminded_at_the_interval_not_every_minute(receiver, mailoutbox, settings):
    settings.TDS_ALERT_RENOTIFY_MINUTES = 60
    _dead(25)
    start = timezone.now()
    alerts_evaluate(rules=[rules.dead_letters], now=start)
    for minutes in (1, 2, 30, 59):
        alerts_evaluate(rules=[rules.dead_letters], now=start + timedelta(minutes=minutes))
    assert len(mailoutbox) == 1
    assert alerts_evaluate(rules=[rules.dead_letters], now=start + timedelta(minutes=61)).notified == [
        "dead_letters:reminder"]
    assert len(mailoutbox) == 2 and "still open" in mailoutbox[1].subject
    assert Alert.objects.get(code="dead_letters").notifications == 2


def test_an_acknowledged_alert_is_not_reminded_and_still_resolves(receiver, mailoutbox):
    _dead(25)
    start = timezone.now()
    alerts_evaluate(rules=[rules.dead_letters], now=start)
    alert = alert_acknowledge(alert_id=Alert.objects.get(code="dead_letters").pk)
    assert alert.status == "acknowledged" and alert.acknowledged_at is not None
    alerts_evaluate(rules=[rules.dead_letters], now=start + timedelta(hours=5))
    assert len(mailoutbox) == 1
    DeadLetter.objects.update(resolved=True)
    assert alerts_evaluate(rules=[rules.dead_letters]).resolved == ["dead_letters"]
    assert len(mailoutbox) == 2


def test_a_failing_webhook_is_retried_recorded_and_never_breaks_the_evaluation(receiver, mailoutbox):
    receiver.status = 503
    _dead(25)
    outcome = alerts_evaluate(rules=[rules.dead_letters])
    assert outcome.opened == ["dead_letters"]
    assert len(receiver.bodies) == 3  # tried three times
    alert = Alert.objects.get(code="dead_letters")
    assert f"webhook to {receiver.host}: refused: HTTP 503" in alert.notify_error
    assert len(mailoutbox) == 1  # the e-mail still went


def test_a_failing_rule_leaves_its_alerts_alone(receiver, mailoutbox):
    _dead(25)
    alerts_evaluate(rules=[rules.dead_letters])

    def broken(now: datetime) -> list:
        raise RuntimeError("database hiccup")

    broken.codes = ("dead_letters",)
    outcome = alerts_evaluate(rules=[broken])
    assert outcome.resolved == [] and "broken" in outcome.failed_rules
    assert Alert.objects.get(code="dead_letters").status == "open"


def test_the_mail_says_what_fired_with_value_threshold_and_when(receiver, mailoutbox):
    _items("pending", 230)
    alerts_evaluate(rules=[rules.queue_pending])
    mail = mailoutbox[0]
    assert mail.to == ["ops@example.com"]
    assert mail.subject == "[TDS critical] queue_pending opened: Pending queue items: 230 (threshold 200)"
    assert "Value:     230" in mail.body and "Threshold: 200" in mail.body and "Since:" in mail.body
    assert "tds_alerts ack --id" in mail.body
    assert receiver.bodies[0]["text"].startswith("*[TDS critical] queue_pending opened")


def test_the_command_lists_acknowledges_resolves_and_checks(capsys, receiver, mailoutbox):
    with pytest.raises(SystemExit) as info:
        _dead(25)
        call_command("tds_alerts", "--check")
    assert info.value.code == 2
    assert "CRITICAL dead_letters: Open dead letters: 25 (threshold 20)" in capsys.readouterr().out
    alert = Alert.objects.get(code="dead_letters")
    call_command("tds_alerts", "ack", "--id", str(alert.pk))
    call_command("tds_alerts", "list")
    out = capsys.readouterr().out
    assert "acknowledged" in out and "1 alert(s) open or acknowledged" in out
    call_command("tds_alerts", "resolve", "--id", str(alert.pk))
    alert.refresh_from_db()
    assert alert.status == "resolved" and len(mailoutbox) == 2
    DeadLetter.objects.update(resolved=True)
    call_command("tds_alerts", "--check")  # nothing critical: exits normally
    assert "0 critical" in capsys.readouterr().out


def test_the_whole_evaluation_on_a_quiet_installation_opens_nothing(receiver, mailoutbox):
    outcome = alerts_evaluate(now=datetime.now(UTC))
    assert outcome.opened == [] and outcome.failed_rules == {}
