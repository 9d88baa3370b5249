"""Admin actions on dead letters and queue items."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sync.models import DeadLetter, SyncQueueItem
from sync.pipeline.inbox import inbox_promote
from sync.pipeline.queue import queue_claim
from sync.pipeline.workers import drain_queue
from tests.webhooks.factories import store_event
from tests.webhooks.helpers import RecordingApply

pytestmark = pytest.mark.django_db


def _act(client, model: str, action: str, ids: list[int]):
    return client.post(f"/admin/sync/{model}/", {"action": action, "_selected_action": ids}, follow=True)


def test_retry_and_discard_dead_letters_from_the_admin(staff_client):
    for zoho_id in ("A", "B"):
        store_event("items", zoho_id)
    drain_queue(apply=RecordingApply(fail_with=ValueError("bad")))
    first, second = DeadLetter.objects.order_by("id")
    page = _act(staff_client, "deadletter", "retry_dead_letters", [first.id])
    assert "Requeued 1" in page.content.decode()
    _act(staff_client, "deadletter", "discard_dead_letters", [second.id])
    assert dict(DeadLetter.objects.values_list("zoho_id", "resolution")) == {"A": "retried", "B": "discarded"}
    assert dict(SyncQueueItem.objects.values_list("zoho_id", "status")) == {"A": "pending", "B": "dead"}


def test_requeue_leaves_live_leases_alone_and_reaper_returns_expired(staff_client):
    for zoho_id in ("L", "E"):
        store_event("items", zoho_id)
    inbox_promote(limit=10)
    queue_claim(worker="w", limit=10, lease_seconds=300)
    SyncQueueItem.objects.filter(zoho_id="E").update(locked_until=timezone.now() - timedelta(seconds=5))
    ids = list(SyncQueueItem.objects.values_list("id", flat=True))
    page = _act(staff_client, "syncqueueitem", "requeue_items", ids)
    assert "Requeued 1 item(s)" in page.content.decode()
    assert dict(SyncQueueItem.objects.values_list("zoho_id", "status")) == {"L": "processing", "E": "pending"}
    SyncQueueItem.objects.filter(zoho_id="L").update(locked_until=timezone.now() - timedelta(seconds=5))
    page = _act(staff_client, "syncqueueitem", "reap_expired_leases", ids)
    assert "Returned 1 item(s)" in page.content.decode()
