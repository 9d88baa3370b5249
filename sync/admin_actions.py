"""Admin actions for the dead-letter queue and the sync queue; each calls a service."""
from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from sync.models import SyncQueueItem
from sync.pipeline.deadletter import deadletter_discard, deadletter_retry
from sync.pipeline.workers import reap_leases


@admin.action(description="Retry selected dead letters (back on the queue)")
def retry_dead_letters(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    outcome = deadletter_retry(ids=list(queryset.values_list("id", flat=True)))
    modeladmin.message_user(request, f"Requeued {outcome.requeued}; skipped {outcome.skipped} already resolved.",
                            messages.SUCCESS if outcome.requeued else messages.WARNING)


@admin.action(description="Discard selected dead letters (no retry)")
def discard_dead_letters(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    count = deadletter_discard(ids=list(queryset.values_list("id", flat=True)))
    modeladmin.message_user(request, f"Discarded {count} dead letter(s).", messages.SUCCESS)


@admin.action(description="Requeue selected items now (fresh attempts)")
def requeue_items(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    movable = queryset.exclude(status__in=[SyncQueueItem.Status.PENDING, SyncQueueItem.Status.COMPLETED])
    moving = movable.exclude(status=SyncQueueItem.Status.PROCESSING, locked_until__gt=timezone.now())
    count = moving.update(status=SyncQueueItem.Status.PENDING, attempts=0, next_attempt_at=timezone.now(),
                          locked_by="", locked_until=None, updated_at=timezone.now())
    modeladmin.message_user(request, f"Requeued {count} item(s); items with a live lease were left alone.",
                            messages.SUCCESS)


@admin.action(description="Return expired leases to the queue (run the reaper now)")
def reap_expired_leases(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    result = reap_leases()
    modeladmin.message_user(request, f"Returned {result['returned']} item(s); {result['dead']} dead-lettered.",
                            messages.SUCCESS)


DEAD_LETTER_ACTIONS = [retry_dead_letters, discard_dead_letters]
QUEUE_ACTIONS = [requeue_items, reap_expired_leases]
