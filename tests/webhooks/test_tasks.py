"""The django-q2 task functions (sync.tasks) behind the schedules and the webhook kick."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sync import tasks
from sync.models import DeadLetter, Product, SyncQueueItem
from sync.pipeline.workers import drain_queue
from tests.webhooks.factories import store_event
from tests.webhooks.helpers import RecordingApply
from zoho.errors import ZohoTransientError

pytestmark = pytest.mark.django_db


def test_drain_queue_task_applies_what_webhooks_stored(settings):
    settings.TDS_WEBHOOK_KICK_SECONDS = 0
    store_event("items", "7001", name="from a task")
    result = tasks.drain_queue()
    assert result["applied"] == 1 and result["errors"] == {}
    assert Product.objects.get(zoho_item_id="7001").name == "from a task"


def test_reaper_and_dead_letter_tasks(settings):
    settings.TDS_WEBHOOK_KICK_SECONDS = 0
    settings.TDS_RETRY_MAX_ATTEMPTS = 1
    store_event("items", "7002")
    drain_queue(apply=RecordingApply(fail_with=ZohoTransientError("down")))
    DeadLetter.objects.update(next_retry_at=timezone.now() - timedelta(seconds=1))
    assert tasks.retry_dead_letters() == {"requeued": 1, "skipped": 0}
    assert SyncQueueItem.objects.get().status == "pending"
    assert tasks.reap_leases() == {"returned": 0, "dead": 0, "rejected": 0, "purged_completed": 0, "runs_failed": 0,
                                   "runs_unclaimed": 0}
    assert tasks.drain_queue()["applied"] == 1
    assert DeadLetter.objects.get().resolution == "auto_retried"
