"""The dead-letter queue: what failed for good, or too often, and how it comes back.

A dead letter keeps the error class (transient/permanent), type, message,
traceback, attempts and the payload. Transient ones are retried automatically
(``deadletter_auto_retry``, on a schedule) with the same backoff, up to
TDS_DLQ_AUTO_RETRIES times; any can be retried by hand (one, some, all),
discarded, or purged once old. A retry puts the original queue item back to
pending with a fresh attempt count; if it fails again the same dead letter is
updated rather than a second one written.
"""
from __future__ import annotations

import logging
import traceback as tb
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sync import events
from sync.models import DeadLetter, SyncQueueItem
from sync.models.readable import json_stored
from sync.pipeline import kick
from sync.pipeline.kick import ATTEMPTS_CEILING, entity_priorities
from sync.pipeline.retry import error_class, retry_policy

logger = logging.getLogger("tds.deadletter")
_SECRET_SETTINGS = ("ZOHO_CLIENT_SECRET", "ZOHO_REFRESH_TOKEN", "ZOHO_WEBHOOK_SECRET")


def auto_retry_limit() -> int:
    return settings.TDS_DLQ_AUTO_RETRIES


def _redact(text: str) -> str:
    for name in _SECRET_SETTINGS:
        secret = getattr(settings, name)
        if secret and len(secret) >= 6:
            text = text.replace(secret, "***")
    return text


def deadletter_add(*, item: SyncQueueItem, exc: BaseException, now=None) -> DeadLetter:
    """Park `item` (status dead) with what went wrong; call inside the caller's transaction."""
    now = now or timezone.now()
    kind = error_class(exc)
    letter = DeadLetter.objects.filter(queue_item=item, resolved=False).first() or DeadLetter(queue_item=item)
    letter.entity, letter.zoho_id, letter.operation = item.entity, item.zoho_id, item.operation
    letter.payload, letter.correlation_id = json_stored(item.payload), item.correlation_id
    letter.error_class, letter.error_type = kind, f"{type(exc).__module__}.{type(exc).__qualname__}"[:128]
    letter.error_message = _redact(str(exc) or type(exc).__name__)[:4000]
    letter.traceback = _redact("".join(tb.format_exception(exc)))[-20000:]
    letter.attempts = item.attempts
    letter.next_retry_at = _next_auto_retry(letter, now) if kind == "transient" else None
    letter.save()
    SyncQueueItem.objects.filter(id=item.id).update(
        status=SyncQueueItem.Status.DEAD, locked_by="", locked_until=None, last_error=letter.error_message[:2000],
        updated_at=now)
    events.publish(events.DeadLetterAdded(
        dead_letter_id=letter.id, queue_item_id=item.id, entity=item.entity, zoho_id=item.zoho_id, error_class=kind,
        error_type=letter.error_type, attempts=item.attempts, correlation_id=item.correlation_id or ""))
    return letter


def _next_auto_retry(letter: DeadLetter, now):
    if letter.auto_retries >= auto_retry_limit():
        return None
    policy = retry_policy()
    return now + timedelta(seconds=policy.delay(policy.max_attempts + letter.auto_retries + 1))


# --- bringing letters back -------------------------------------------------------------


@dataclass(frozen=True)
class RetryOutcome:
    requeued: int
    skipped: int

    def as_dict(self) -> dict[str, int]:
        return {"requeued": self.requeued, "skipped": self.skipped}


def deadletter_retry(*, ids: list[int] | None = None, all_open: bool = False, automatic: bool = False) -> RetryOutcome:
    """Put dead letters' items back on the queue (fresh attempts); `all_open` takes every unresolved one.

    Whoever asks (the API, the admin action, tds_deadletter, the dashboard, the automatic retry),
    a drain is asked for once the requeue commits, so the items do not wait for the next round."""
    letters = DeadLetter.objects.filter(resolved=False)
    if not all_open:
        letters = letters.filter(id__in=ids or [])
    requeued = 0
    with transaction.atomic():
        for letter in letters.select_for_update().order_by("id"):
            _requeue(letter, automatic=automatic)
            requeued += 1
        if requeued:
            transaction.on_commit(kick.queue_kick)
    # Ids that were unknown or already resolved are reported as skipped.
    skipped = 0 if all_open else len(set(ids or [])) - requeued
    return RetryOutcome(requeued=requeued, skipped=skipped)


def _requeue(letter: DeadLetter, *, automatic: bool) -> None:
    now = timezone.now()
    item = _item_for(letter, now)
    events.publish(events.RetryScheduled(
        queue_item_id=item.id, dead_letter_id=letter.id, entity=letter.entity, zoho_id=letter.zoho_id,
        attempt=item.attempts, delay_seconds=0.0, automatic=automatic, error_type=letter.error_type))
    if automatic:
        # Stays open (with no due time) until the item succeeds or fails again.
        letter.auto_retries = min(letter.auto_retries + 1, ATTEMPTS_CEILING)  # a stored maximum must not overflow
        letter.next_retry_at = None
        letter.queue_item = item
        letter.save(update_fields=["auto_retries", "next_retry_at", "queue_item"])
        return
    letter.resolved, letter.resolved_at, letter.resolution = True, now, DeadLetter.Resolution.RETRIED
    letter.queue_item = item
    letter.save(update_fields=["resolved", "resolved_at", "resolution", "queue_item"])


def _item_for(letter: DeadLetter, now) -> SyncQueueItem:
    fields = {"status": SyncQueueItem.Status.PENDING, "attempts": 0, "next_attempt_at": now, "locked_by": "",
              "locked_until": None, "updated_at": now}
    if letter.queue_item_id and SyncQueueItem.objects.filter(id=letter.queue_item_id).update(**fields):
        return SyncQueueItem.objects.get(id=letter.queue_item_id)
    return SyncQueueItem.objects.create(
        entity=letter.entity, zoho_id=letter.zoho_id, operation=letter.operation, payload=json_stored(letter.payload),
        priority=entity_priorities().get(letter.entity, 5), correlation_id=letter.correlation_id,
        **{k: v for k, v in fields.items() if k != "updated_at"})


def deadletter_auto_retry(*, limit: int = 500) -> RetryOutcome:
    """Requeue transient dead letters whose backoff has passed (the schedule calls this)."""
    due = DeadLetter.objects.filter(resolved=False, error_class=DeadLetter.ErrorClass.TRANSIENT,
                                    next_retry_at__lte=timezone.now()).order_by("next_retry_at")
    ids = list(due.values_list("id", flat=True)[:limit])
    if not ids:
        return RetryOutcome(requeued=0, skipped=0)
    return deadletter_retry(ids=ids, automatic=True)


def deadletter_resolve_for(item_ids: list[int]) -> int:
    """Close open (auto-retried) letters of items that finally went through."""
    if not item_ids:
        return 0
    return DeadLetter.objects.filter(queue_item_id__in=item_ids, resolved=False).update(
        resolved=True, resolved_at=timezone.now(), resolution=DeadLetter.Resolution.AUTO_RETRIED, next_retry_at=None)


def deadletter_discard(*, ids: list[int]) -> int:
    """Give up on letters: resolved as discarded, their items stay dead."""
    return DeadLetter.objects.filter(id__in=ids, resolved=False).update(
        resolved=True, resolved_at=timezone.now(), resolution=DeadLetter.Resolution.DISCARDED, next_retry_at=None)


def deadletter_purge(*, older_than_days: float) -> int:
    """Delete letters older than N days (resolved or not) and return how many went."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = DeadLetter.objects.filter(created_at__lt=cutoff).delete()
    return deleted
