"""What the queue's neighbours share with it: a drain request, each entity's urgency, the attempt ceiling.

Dead letters, quarantine, the inbox and the webhook view need these without the claim machinery of
``queue.py``; kept below all of them, so none imports another for them.
"""
from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import caches

from sync.config import config_get
from sync.enqueue import task_enqueue
from sync.entities import queue_urgencies

logger = logging.getLogger("tds.queue")

KICK_KEY = "tds:queue:kick"
# The attempt counter stops at the largest PostgreSQL integer, so one worn-out row cannot make the
# claim's "attempts + 1" overflow and fail the whole batch (an item that far gone is dead-lettered anyway).
ATTEMPTS_CEILING = 2_147_483_647
_LAST_KICK = [float("-inf")]


def entity_priorities() -> dict[str, int]:
    """Each entity's queue urgency (the registry's, 1 first), overridden per entity by the
    TDS_QUEUE_PRIORITIES tunable (sync/config/); names the registry does not know are ignored."""
    value = queue_urgencies()
    value.update({name: urgency for name, urgency in config_get("TDS_QUEUE_PRIORITIES").items() if name in value})
    return value


def queue_kick() -> None:
    """Ask the django-q2 cluster to drain soon, at most once every few seconds; never waits.

    While the key is held, a drain asked for earlier is queued or running and lingers that long
    (``drain_queue``'s ``linger``), so it sees the event that found the key. The local gate closes
    only when this process did ask: closed after a refusal, it could outlast the drain that refusal
    counted on and leave an event to the next scheduled drain."""
    seconds = settings.TDS_WEBHOOK_KICK_SECONDS
    now = time.monotonic()
    # A local check first, so a busy web process does not ask the cache on every delivery.
    if seconds <= 0 or now - _LAST_KICK[0] < seconds:
        return
    try:
        if not caches["default"].add(KICK_KEY, 1, timeout=seconds):
            return
        _LAST_KICK[0] = now
        task_enqueue("sync.tasks.drain_queue", options={"task_name": "tds: drain queue"})
    except Exception as exc:  # the schedules and tds_worker pick the work up anyway
        logger.warning("could not enqueue a drain task (%s); the work waits for the next worker round", exc)
