"""Run control on the dashboard: Cancel a pending or running run, Retry a failed, cancelled or partial one;
each asks first, says what it did, and a run in the wrong state gets one clear line."""
from __future__ import annotations

import uuid

import pytest
from django.contrib.messages import get_messages

from sync.models import SyncRun

pytestmark = pytest.mark.django_db


def _message(response) -> str:
    [message] = [str(m) for m in get_messages(response.wsgi_request)][-1:]
    return message


@pytest.fixture
def sent(monkeypatch):
    """The tasks handed to the cluster (none reaches a worker here: each run stays pending)."""
    tasks: list[tuple[str, dict]] = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: tasks.append((func, kw)))
    return tasks


def test_a_pending_run_that_never_reached_a_worker_no_longer_blocks_its_trigger(
        staff_client, sent, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post("/tds-admin/triggers/run", {"kind": "stock"})
    stuck = SyncRun.objects.get()
    assert _message(staff_client.post("/tds-admin/triggers/run", {"kind": "stock"})).startswith("Already running")

    page = staff_client.get(f"/tds-admin/runs/{stuck.pk}/").content.decode()
    assert f'action="/tds-admin/runs/{stuck.pk}/cancel"' in page and "/retry" not in page

    asked = staff_client.post(f"/tds-admin/runs/{stuck.pk}/cancel", {"next": f"/tds-admin/runs/{stuck.pk}/"})
    html = asked.content.decode()
    assert asked.status_code == 200 and f"Cancel the pending run {str(stuck.pk)[:8]} (stock)?" in html
    assert "It will not start." in html and 'name="confirm" value="yes"' in html
    stuck.refresh_from_db()
    assert stuck.status == "pending"

    done = staff_client.post(f"/tds-admin/runs/{stuck.pk}/cancel",
                             {"next": f"/tds-admin/runs/{stuck.pk}/", "confirm": "yes"})
    assert done["Location"] == f"/tds-admin/runs/{stuck.pk}/"
    assert "before it started: it will not run, and its trigger can be pressed again." in _message(done)
    stuck.refresh_from_db()
    assert stuck.status == "cancelled" and stuck.error_message == "cancelled by staff before it started"

    with django_capture_on_commit_callbacks(execute=True):
        again = staff_client.post("/tds-admin/triggers/run", {"kind": "stock"})
    assert "Stock sync queued" in _message(again)
    assert SyncRun.objects.filter(entity="stock", status="pending").count() == 1 and len(sent) == 2


def test_cancelling_a_running_run_asks_it_to_stop_and_the_page_says_so(staff_client) -> None:
    running = SyncRun.objects.create(run_type="full", entity="items", status="running", trigger="schedule")
    response = staff_client.post(f"/tds-admin/runs/{running.pk}/cancel", {"confirm": "yes"})
    assert response["Location"] == f"/tds-admin/runs/{running.pk}/"
    assert "Asked" in _message(response) and "it stops at its next batch" in _message(response)
    running.refresh_from_db()
    assert running.status == "running" and running.summary["cancel_requested"]["by"] == "staff"
    page = staff_client.get(f"/tds-admin/runs/{running.pk}/").content.decode()
    assert "stop asked by staff" in page


def test_history_offers_cancel_and_retry_only_where_they_apply(staff_client, seeded) -> None:
    pending = SyncRun.objects.create(run_type="images", entity="images", status="pending")
    partial = SyncRun.objects.create(run_type="stock", entity="stock", status="partial")
    drain = SyncRun.objects.create(run_type="queue", entity="", status="failed")
    html = staff_client.get("/tds-admin/runs/").content.decode()
    assert f"/tds-admin/runs/{pending.pk}/cancel" in html and f"/tds-admin/runs/{pending.pk}/retry" not in html
    for offered in (seeded["failed"], partial):
        assert f"/tds-admin/runs/{offered.pk}/retry" in html and f"/tds-admin/runs/{offered.pk}/cancel" not in html
    for neither in (seeded["done"], drain):
        assert f"/tds-admin/runs/{neither.pk}/" in html and f"/tds-admin/runs/{neither.pk}/retry" not in html
        assert f"/tds-admin/runs/{neither.pk}/cancel" not in html
    # the live fragment carries the same buttons, and they lead back to the list as filtered
    fragment = staff_client.get("/tds-admin/runs/?fragment=1&status=failed").content.decode()
    assert f"/tds-admin/runs/{seeded['failed'].pk}/retry" in fragment
    assert 'name="next" value="/tds-admin/runs/?status=failed"' in fragment


def test_retry_asks_then_queues_the_same_run_again(staff_client, seeded, sent,
                                                  django_capture_on_commit_callbacks) -> None:
    failed = seeded["failed"]
    asked = staff_client.post(f"/tds-admin/runs/{failed.pk}/retry", {"next": "/tds-admin/runs/"})
    assert f"Retry the failed run {str(failed.pk)[:8]} (full of customers) with the same parameters?" in \
        asked.content.decode()
    assert SyncRun.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"/tds-admin/runs/{failed.pk}/retry",
                                     {"next": "/tds-admin/runs/", "confirm": "yes"})
    assert response["Location"] == "/tds-admin/runs/"
    new = SyncRun.objects.get(status="pending")
    assert (new.run_type, new.entity, new.trigger) == ("full", "customers", "manual")
    assert sent[0][0] == "sync.tasks.api_pull" and sent[0][1]["entity"] == "customers" and sent[0][1]["full"] is True
    message = _message(response)
    assert message.startswith(f"Retry of run {str(failed.pk)[:8]} (full of customers) queued")
    assert f'href="/tds-admin/runs/{new.pk}/"' in message


def test_retry_while_another_run_of_the_entity_is_active_says_so(staff_client, seeded, sent) -> None:
    active = SyncRun.objects.create(run_type="incremental", entity="customers", status="running")
    response = staff_client.post(f"/tds-admin/runs/{seeded['failed'].pk}/retry", {"confirm": "yes"})
    message = _message(response)
    assert message.startswith("Already running") and f"/tds-admin/runs/{active.pk}/" in message
    assert "Not retried" in message and not sent
    assert SyncRun.objects.filter(entity="customers").count() == 2


@pytest.mark.parametrize(("action", "status", "run_type", "line"), [
    ("cancel", "completed", "full", "is completed: only a pending or running run can be cancelled."),
    ("cancel", "failed", "full", "is failed: only a pending or running run can be cancelled."),
    ("retry", "completed", "full", "is completed: only a failed, cancelled or partial run can be retried."),
    ("retry", "running", "full", "is running: only a failed, cancelled or partial run can be retried."),
    ("retry", "failed", "queue", "is not started on request: it runs again by itself."),
])
def test_a_run_in_the_wrong_state_gets_one_clear_line(staff_client, sent, action, status, run_type,
                                                      line) -> None:
    run = SyncRun.objects.create(run_type=run_type, entity="items" if run_type != "queue" else "", status=status)
    for data in ({}, {"confirm": "yes"}):  # no question asked, nothing done
        response = staff_client.post(f"/tds-admin/runs/{run.pk}/{action}", data)
        assert response.status_code == 302 and _message(response).endswith(line)
    run.refresh_from_db()
    assert run.status == status and SyncRun.objects.count() == 1 and not sent


@pytest.mark.parametrize("action", ["cancel", "retry"])
def test_an_unknown_run_gets_one_clear_line(staff_client, action) -> None:
    missing = uuid.uuid4()
    response = staff_client.post(f"/tds-admin/runs/{missing}/{action}", {"confirm": "yes", "next": "https://evil.example/"})
    assert response["Location"] == f"/tds-admin/runs/{missing}/"
    assert _message(response) == f"No run {missing}: nothing to {action}."


def test_cancel_needs_the_csrf_token(csrf_staff) -> None:
    run = SyncRun.objects.create(run_type="stock", entity="stock", status="pending")
    assert csrf_staff.post(f"/tds-admin/runs/{run.pk}/cancel", {"confirm": "yes"}).status_code == 403
    run.refresh_from_db()
    assert run.status == "pending"
