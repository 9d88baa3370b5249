""""Sync now" on each row of the overview's freshness table: queues that entity's run through the
trigger, and a second press while it is under way says so instead of queueing another."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from sync.models import SyncCursor, SyncRun

pytestmark = pytest.mark.django_db


def _sync_now_form(html: str, entity: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the "Sync now" form on ``entity``'s freshness row, as a browser sends it."""
    row = re.search(rf'<tr class="fresh-\w+"><td>{entity}</td>.*?</tr>', html, re.S)
    assert row, f"no freshness row for {entity}"
    form = re.search(r'<form method="post" action="([^"]+)".*?</form>', row.group(0), re.S)
    assert form and 'aria-label="Sync ' + entity + ' now">Sync now</button>' in form.group(0)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(0)))
    return form.group(1), fields


@pytest.fixture
def sent(monkeypatch):
    tasks: list[tuple[str, dict]] = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: tasks.append((func, kw)))
    return tasks


def _message(response) -> str:
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def test_sync_now_queues_the_entitys_pull_and_a_second_press_says_it_is_running(
        staff_client, sent, django_capture_on_commit_callbacks) -> None:
    long_ago = timezone.now() - timedelta(hours=5)
    for entity in ("items", "customers", "stock"):
        SyncCursor.objects.create(entity=entity, last_incremental_run_at=long_ago)
    action, fields = _sync_now_form(staff_client.get("/tds-admin/").content.decode(), "customers")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(action, fields)
    assert response["Location"] == "/tds-admin/"
    run = SyncRun.objects.get()
    assert (run.run_type, run.entity, run.status, run.trigger) == ("incremental", "customers", "pending", "manual")
    assert sent == [("sync.tasks.api_pull", sent[0][1])] and sent[0][1]["entity"] == "customers"
    assert _message(response).startswith("Incremental pull of customers queued")

    # the row now links to the run under way (the live fragment too), and pressing again queues nothing
    fragment = staff_client.get("/tds-admin/?fragment=1").content.decode()
    assert f'<a href="/tds-admin/runs/{run.pk}/">pending</a>' in fragment
    action, fields = _sync_now_form(fragment, "customers")
    again = staff_client.post(action, fields)
    assert _message(again).startswith("Already running") and f"/tds-admin/runs/{run.pk}/" in _message(again)
    assert SyncRun.objects.count() == 1 and len(sent) == 1

    # a derived name queues its own run (the stock sync), not a pull of "stock"
    action, fields = _sync_now_form(staff_client.get("/tds-admin/").content.decode(), "stock")
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(action, fields)
    stock = SyncRun.objects.get(entity="stock")
    assert stock.run_type == "stock" and sent[-1][0] == "sync.tasks.api_stock_sync"
