"""Queue events reach other applications through the Redis channel."""
from __future__ import annotations

import json
import random
import time

import pytest
from django.conf import settings

from sync.events import CHANNEL
from sync.pipeline.deadletter import deadletter_retry
from sync.pipeline.workers import drain_queue
from tests.webhooks.factories import store_event
from tests.webhooks.helpers import RecordingApply

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _messages(pubsub, zoho_id: str, count: int, timeout: float = 10.0) -> list[dict]:
    """This test's messages: a Redis channel is shared by every database number, so other processes'
    events (a parallel test worker's) arrive on it too."""
    out, deadline = [], time.monotonic() + timeout
    while len(out) < count and time.monotonic() < deadline:
        message = pubsub.get_message(timeout=0.2)
        if message and message["type"] == "message":
            event = json.loads(message["data"])
            if event.get("zoho_id") == zoho_id:
                out.append(event)
    return out


def test_dead_letter_and_retry_events_are_published_on_redis():
    import redis

    pubsub = redis.Redis.from_url(settings.REDIS_URL).pubsub()
    pubsub.subscribe(CHANNEL)
    pubsub.get_message(timeout=1)  # the subscribe confirmation
    zoho_id = str(random.randrange(10**15, 10**16))
    store_event("items", zoho_id)
    drain_queue(apply=RecordingApply(fail_with=ValueError("no mapper for this")))
    from sync.models import DeadLetter

    deadletter_retry(ids=list(DeadLetter.objects.values_list("id", flat=True)))
    queue_events = ("tds.deadletter.added", "tds.retry.scheduled")
    received = [m for m in _messages(pubsub, zoho_id, 2) if m["event"] in queue_events]
    pubsub.close()
    assert [m["event"] for m in received] == ["tds.deadletter.added", "tds.retry.scheduled"]
    assert received[0]["zoho_id"] == zoho_id and received[0]["error_class"] == "permanent"
