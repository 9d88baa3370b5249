"""Every dashboard action: staff only, CSRF enforced, asks first where it must, calls its service, says what it did."""
from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from sync.models import Alert, DeadLetter, SyncQueueItem, SyncRun

pytestmark = pytest.mark.django_db

ACTIONS = ["/tds-admin/dead-letters/retry", "/tds-admin/dead-letters/discard", "/tds-admin/queue/reap",
           "/tds-admin/triggers/run", "/tds-admin/alerts/1", "/tds-admin/configuration/set",
           "/tds-admin/runs/00000000-0000-0000-0000-000000000001/cancel",
           "/tds-admin/runs/00000000-0000-0000-0000-000000000001/retry"]


def _messages(response) -> list[str]:
    """The message this request added (earlier unshown ones stay in the session until a page shows them)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1:]


@pytest.mark.parametrize("url", ACTIONS)
def test_actions_refuse_anonymous_and_non_staff(plain_client, url: str) -> None:
    assert Client().post(url)["Location"].startswith("/admin/login/")
    response = plain_client.post(url)
    assert response.status_code in (302, 403)
    assert "/admin/login/" in response.get("Location", "/admin/login/")


@pytest.mark.parametrize("url", ACTIONS)
def test_actions_need_the_csrf_token(csrf_staff, seeded, url: str) -> None:
    before = SyncRun.objects.count(), DeadLetter.objects.filter(resolved=False).count()
    data = {"ids": [seeded["letters"][0].pk], "confirm": "yes", "kind": "stock"}
    assert csrf_staff.post(url, data).status_code == 403
    assert (SyncRun.objects.count(), DeadLetter.objects.filter(resolved=False).count()) == before


@pytest.mark.parametrize("url", ACTIONS)
def test_actions_refuse_get(staff_client, url: str) -> None:
    assert staff_client.get(url).status_code == 405


def test_csrf_token_from_the_page_lets_the_retry_through(csrf_staff, seeded) -> None:
    page = csrf_staff.get("/tds-admin/dead-letters/")
    token = page.context["csrf_token"]
    letter = seeded["letters"][0]
    response = csrf_staff.post("/tds-admin/dead-letters/retry",
                               {"ids": [letter.pk], "confirm": "yes", "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.resolved and letter.resolution == "retried"


def test_retry_asks_first_and_changes_nothing(staff_client, seeded) -> None:
    letter = seeded["letters"][0]
    response = staff_client.post("/tds-admin/dead-letters/retry", {"ids": [letter.pk]})
    html = response.content.decode()
    assert response.status_code == 200 and "Put 1 dead letter(s) back on the queue?" in html
    assert 'name="confirm" value="yes"' in html and f'name="ids" value="{letter.pk}"' in html
    letter.refresh_from_db()
    assert not letter.resolved and not SyncQueueItem.objects.exists()


def test_retry_one_requeues_it_and_says_so(staff_client, seeded) -> None:
    letter = seeded["letters"][0]
    response = staff_client.post("/tds-admin/dead-letters/retry", {"ids": [letter.pk], "confirm": "yes"}, follow=True)
    assert "Requeued 1 dead letter(s)." in response.content.decode()
    letter.refresh_from_db()
    assert letter.resolved and letter.resolution == "retried"
    assert SyncQueueItem.objects.filter(entity="items", zoho_id="Z1", status="pending").exists()
    assert "bad record 1" not in response.content.decode() and "bad record 2" in response.content.decode()


def test_retry_selected_and_retry_all(staff_client, seeded) -> None:
    a, b = seeded["letters"]
    response = staff_client.post("/tds-admin/dead-letters/retry", {"ids": [a.pk, b.pk, 999999], "confirm": "yes"})
    assert _messages(response) == ["Requeued 2 dead letter(s); 1 were already resolved or unknown."]
    c = DeadLetter.objects.create(entity="items", zoho_id="Z3", error_class="transient", error_message="x")
    response = staff_client.post("/tds-admin/dead-letters/retry", {"all": "1"})
    assert "every open dead letter" in response.content.decode()
    response = staff_client.post("/tds-admin/dead-letters/retry", {"all": "1", "confirm": "yes"})
    assert _messages(response) == ["Requeued 1 dead letter(s)."]
    c.refresh_from_db()
    assert c.resolved


def test_retry_with_nothing_selected_says_so(staff_client, seeded) -> None:
    response = staff_client.post("/tds-admin/dead-letters/retry", {"confirm": "yes"})
    assert _messages(response) == ["Nothing selected: tick the dead letters to retry."]


def test_discard_asks_then_discards(staff_client, seeded) -> None:
    letter = seeded["letters"][1]
    response = staff_client.post("/tds-admin/dead-letters/discard", {"ids": [letter.pk]})
    assert "Discard 1 dead letter(s)?" in response.content.decode()
    response = staff_client.post("/tds-admin/dead-letters/discard", {"ids": [letter.pk], "confirm": "yes"})
    assert _messages(response) == ["Discarded 1 dead letter(s)."]
    letter.refresh_from_db()
    assert letter.resolved and letter.resolution == "discarded"


def test_reaper_returns_expired_leases(staff_client) -> None:
    from datetime import timedelta

    from django.utils import timezone

    item = SyncQueueItem.objects.create(entity="items", zoho_id="Z9", status="processing", locked_by="w1",
                                        locked_until=timezone.now() - timedelta(minutes=5), payload={})
    assert "past their lease" in staff_client.post("/tds-admin/queue/reap").content.decode()
    item.refresh_from_db()
    assert item.status == "processing"
    response = staff_client.post("/tds-admin/queue/reap", {"confirm": "yes"})
    assert _messages(response) == ["Returned 1 item(s) past their lease to the queue; 0 moved to dead letters; "
                                   "failed 0 run(s) whose process stopped and 0 queued run(s) no worker picked up."]
    item.refresh_from_db()
    assert item.status == "pending"


def test_queue_page_shows_counts_and_drain_estimate(staff_client) -> None:
    SyncQueueItem.objects.create(entity="items", zoho_id="A", payload={}, priority=1)
    html = staff_client.get("/tds-admin/queue/").content.decode()
    assert "priority 1" in html and "stalled" in html  # pending work, nothing completed lately


def test_trigger_pull_enqueues_a_pending_run_on_the_cluster(staff_client, django_capture_on_commit_callbacks,
                                                            monkeypatch) -> None:
    sent = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: sent.append((func, kw)))
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post("/tds-admin/triggers/run", {"kind": "pull", "entity": "items", "mode": "full"})
    run = SyncRun.objects.get()
    assert (run.run_type, run.entity, run.status, run.trigger) == ("full", "items", "pending", "manual")
    assert sent and sent[0][0] == "sync.tasks.api_pull" and sent[0][1]["full"] is True
    [message] = _messages(response)
    assert message.startswith("Full pull of items queued") and f"/tds-admin/runs/{run.pk}/" in message


def test_second_press_while_running_says_so(staff_client, monkeypatch) -> None:
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: None)
    staff_client.post("/tds-admin/triggers/run", {"kind": "stock", "dry_run": "1"})
    response = staff_client.post("/tds-admin/triggers/run", {"kind": "stock"})
    assert SyncRun.objects.filter(entity="stock").count() == 1
    [message] = _messages(response)
    assert message.startswith("Already running") and "Not started again (its page can cancel it)." in message


@pytest.mark.parametrize(("data", "task", "run_type"), [
    ({"kind": "images"}, "sync.tasks.api_images", "images"),
    ({"kind": "compare"}, "sync.tasks.api_compare", "compare"),
    ({"kind": "compare", "deep": "1"}, "sync.tasks.api_compare", "compare"),
    ({"kind": "compare", "sync": "1", "dry_run": "1"}, "sync.tasks.api_compare", "compare_sync"),
])
def test_other_triggers_enqueue_their_task(staff_client, django_capture_on_commit_callbacks, monkeypatch,
                                           data, task, run_type) -> None:
    sent = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: sent.append((func, kw)))
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post("/tds-admin/triggers/run", {**data, "next": "/tds-admin/compare/"})
    assert response["Location"] == "/tds-admin/compare/"
    assert SyncRun.objects.get().run_type == run_type
    assert sent[0][0] == task
    assert "queued" in _messages(response)[0]


def test_unknown_trigger_or_entity_is_refused(staff_client) -> None:
    assert _messages(staff_client.post("/tds-admin/triggers/run", {"kind": "nope"})) == ["Unknown trigger 'nope'."]
    response = staff_client.post("/tds-admin/triggers/run", {"kind": "pull", "entity": "nope"})
    assert _messages(response) == ["Unknown entity 'nope'."]
    assert not SyncRun.objects.exists()


def test_alert_acknowledge_and_resolve(staff_client, seeded, monkeypatch) -> None:
    monkeypatch.setattr("sync.alerts.evaluate.alert_notify", lambda alert, kind: [])
    alert = seeded["alert"]
    response = staff_client.post(f"/tds-admin/alerts/{alert.pk}", {"action": "ack"})
    assert _messages(response) == ["Acknowledged alert queue_pending: no more reminders."]
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACKNOWLEDGED
    response = staff_client.post(f"/tds-admin/alerts/{alert.pk}", {"action": "resolve"})
    assert _messages(response) == ["Resolved alert queue_pending."]
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED
    assert _messages(staff_client.post("/tds-admin/alerts/999999", {"action": "ack"})) == ["No alert 999999."]


def test_configuration_saves_a_valid_value(staff_client) -> None:
    from sync.config import config_get

    response = staff_client.post("/tds-admin/configuration/set", {"key": "TDS_ALERT_INTERVAL_MINUTES", "value": "7"})
    assert _messages(response) == ["TDS_ALERT_INTERVAL_MINUTES set to 7."]
    assert config_get("TDS_ALERT_INTERVAL_MINUTES") == 7


def test_configuration_shows_the_error_and_keeps_the_value(staff_client) -> None:
    from sync.config import config_get

    before = config_get("TDS_ALERT_INTERVAL_MINUTES")
    response = staff_client.post("/tds-admin/configuration/set", {"key": "TDS_ALERT_INTERVAL_MINUTES", "value": "0"},
                                 follow=True)
    html = response.content.decode()
    assert "TDS_ALERT_INTERVAL_MINUTES not changed" in html and "must be a whole number" in html
    assert config_get("TDS_ALERT_INTERVAL_MINUTES") == before
