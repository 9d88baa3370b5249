"""Workers: promote inbox events, claim a batch, apply it, settle each item.

Exactly once in effect: a batch is applied and its items marked completed in
ONE transaction, and the mark is made first with ``locked_by = me`` in the WHERE
clause. A worker killed mid-batch leaves nothing behind (its transaction rolls
back, its lease runs out, the reaper returns the items, another worker applies
them); a worker whose lease was taken over finds fewer rows than it leased,
rolls back and applies nothing. Within a batch only the newest event per record
is applied (ON CONFLICT cannot touch one row twice in a statement), and an item
that a newer open item of its record outranks is settled as superseded; across
batches the upsert's stale-version guard keeps older data from winning.
"""
from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import DatabaseError, transaction
from django.utils import timezone

from sync import events
from sync.ledger import RunTracker, run_current, run_open
from sync.metrics.receivers import queue_applied
from sync.models import InboxEvent, RunType, SyncQueueItem
from sync.pipeline.deadletter import deadletter_add, deadletter_resolve_for
from sync.pipeline.inbox import inbox_mark_processed, inbox_promote, inbox_reject_unknown
from sync.pipeline.kick import queue_kick
from sync.pipeline.quarantine import inbox_sweep_unreadable, queue_quarantine, queue_sweep_unreadable
from sync.pipeline.queue import (
    LEASE_EXPIRED,
    WORKER_GONE,
    queue_complete,
    queue_lease,
    queue_load,
    queue_reap,
    queue_reap_gone,
    queue_release,
    worker_identity,
)
from sync.pipeline.retry import is_transient, retry_policy

logger = logging.getLogger("tds.workers")

# apply(entity=..., operation=..., source=..., items=[...]) writes the items' records; raises on failure.
ApplyFn = Callable[..., object]


class LeaseLost(Exception):
    """Some items of the batch are no longer leased to this worker: apply nothing."""


@dataclass
class DrainResult:
    promoted: int = 0
    claimed: int = 0
    applied: int = 0
    superseded: int = 0
    retried: int = 0
    dead: int = 0
    lost: int = 0
    batches: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def add(self, other: DrainResult) -> None:
        for name in ("promoted", "claimed", "applied", "superseded", "retried", "dead", "lost", "batches"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for key, count in other.errors.items():
            self.errors[key] = self.errors.get(key, 0) + count

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in (
            "promoted", "claimed", "applied", "superseded", "retried", "dead", "lost", "batches", "errors")}


def default_apply() -> ApplyFn:
    return apply_items


def drain_batch(*, worker: str, batch_size: int, apply: ApplyFn | None = None,
                lease_seconds: int | None = None, on_work: Callable[[], None] | None = None) -> DrainResult:
    """One round: promote received inbox events, claim up to `batch_size` items, settle them.

    ``on_work`` is called before anything is applied when the round promoted or claimed something.
    """
    result = DrainResult(promoted=inbox_promote(limit=batch_size))
    ids = queue_lease(worker=worker, limit=batch_size, lease_seconds=lease_seconds)
    if on_work and (ids or result.promoted):
        on_work()
    if not ids:
        return result
    items, unreadable = queue_load(worker=worker, ids=ids)
    result.claimed, result.batches = len(ids), 1
    result.dead += queue_quarantine(unreadable)
    newest, superseded = newest_per_record(items)
    newest, outranked = outranked_by_waiting(newest)
    superseded += outranked
    if superseded:
        result.superseded = _settle_superseded(worker, superseded)
    for group in _groups(newest):
        _apply_group(worker, group, apply or default_apply(), result)
    return result


LINGER_POLL_SECONDS = 0.1


def drain_queue(*, batch_size: int = 200, max_batches: int | None = None, apply: ApplyFn | None = None,
                worker: str | None = None, lease_seconds: int | None = None, trigger: str = "schedule",
                linger: float = 0.0) -> DrainResult:
    """Batches until the queue has nothing due (or `max_batches`): the django-q2 task body.

    With ``linger``, the drain ends only once it found nothing due for that many seconds, looking
    every LINGER_POLL_SECONDS: an event stored while this drain's kick is still held (sync.pipeline.kick)
    asks for no drain of its own, so this one must still be there to take it.

    Nothing is taken while the queue is paused (sync.pause). A drain that promoted or claimed
    something is one "queue" run in the ledger (one row, written when the work starts and once at
    the end); an idle drain writes nothing.
    """
    from sync.pause import QUEUE, is_paused

    total = DrainResult()
    if is_paused(QUEUE):
        logger.info("queue drain skipped: the queue is paused")
        return total
    leases_of_failed_drains_return()
    worker = worker or worker_identity()
    idle_since: float | None = None
    with queue_run(worker=worker, batch_size=batch_size, trigger=trigger) as run:
        try:
            while max_batches is None or total.batches < max_batches:
                result = drain_batch(worker=worker, batch_size=batch_size, apply=apply,
                                     lease_seconds=lease_seconds, on_work=run.begin)
                total.add(result)
                if result.claimed or result.promoted:
                    idle_since = None
                    run.checkpoint()  # heartbeat; an operator's stop takes effect between batches
                    continue
                idle_since = idle_since if idle_since is not None else time.monotonic()
                if time.monotonic() - idle_since >= linger:
                    break
                time.sleep(LINGER_POLL_SECONDS)
        except BaseException:
            _failed_drains.append(worker)
            raise
        queue_run_finish(run, total)
    return total


# Identities of this process's drains that ended in an error, perhaps holding leases: the process lives on
# and beats, so the reaper would leave their items until the lease ends; its next drain gives them back.
_failed_drains: list[str] = []


def leases_of_failed_drains_return() -> int:
    """Give back the items this process's failed drains still hold; kept for the next drain when the
    database is still away."""
    returned = 0
    for worker in list(_failed_drains):
        try:
            returned += queue_release(worker=worker)
        except DatabaseError:
            return returned
        _failed_drains.remove(worker)
    return returned


def queue_run(*, worker: str, batch_size: int, trigger: str) -> RunTracker:
    """A "queue" run in the ledger whose row is written only once a batch finds work (``run.begin``);
    no log rows on the worker's path."""
    return run_open(run_type=RunType.QUEUE, trigger=trigger, configuration={"worker": worker, "batch_size": batch_size},
                    deferred=True, summary_line=False)


def queue_run_finish(run: RunTracker, total: DrainResult) -> None:
    """One UPDATE at the end (none if the run found nothing)."""
    run.count(processed=total.claimed, updated=total.applied, skipped=total.superseded, failed=total.dead)
    run.finish(summary=total.as_dict())


# --- batch shaping -------------------------------------------------------------------------


def newest_per_record(items: list[SyncQueueItem]) -> tuple[list[SyncQueueItem], list[SyncQueueItem]]:
    """Keep the newest event per (entity, zoho_id): latest last-modified time, then latest arrival."""
    best: dict[tuple[str, str], SyncQueueItem] = {}
    for item in items:
        key = (item.entity, item.zoho_id)
        if key not in best or _rank(item) > _rank(best[key]):
            best[key] = item
    kept = {id(item) for item in best.values()}
    return list(best.values()), [item for item in items if id(item) not in kept]


def outranked_by_waiting(items: list[SyncQueueItem]) -> tuple[list[SyncQueueItem], list[SyncQueueItem]]:
    """Split off the items a newer open item of the same record (pending, or leased to another worker)
    outranks: that one is applied instead, so an older version never wins a record for a while just
    because the newer one's worker died holding it and its lease has not run out yet."""
    by_entity: dict[str, list[str]] = defaultdict(list)
    for item in items:
        by_entity[item.entity].append(item.zoho_id)
    best: dict[tuple[str, str], tuple[float, int]] = {}
    waiting = SyncQueueItem.objects.filter(status__in=[SyncQueueItem.Status.PENDING, SyncQueueItem.Status.PROCESSING])
    waiting = waiting.exclude(id__in=[i.id for i in items]).only("id", "entity", "zoho_id", "zoho_last_modified")
    for entity, zoho_ids in by_entity.items():
        for other in waiting.filter(entity=entity, zoho_id__in=zoho_ids):
            key = (other.entity, other.zoho_id)
            best[key] = max(best.get(key, _rank(other)), _rank(other))
    # An event still in the inbox (another worker's promotion not yet committed) counts by its stamp.
    for entity, zoho_ids in by_entity.items():
        rows = InboxEvent.objects.filter(status=InboxEvent.Status.RECEIVED, entity=entity, zoho_id__in=zoho_ids,
                                         zoho_last_modified__isnull=False)
        for zoho_id, stamp in rows.values_list("zoho_id", "zoho_last_modified"):
            key = (entity, zoho_id)
            best[key] = max(best.get(key, (float("-inf"), 0)), (stamp.timestamp() if stamp else float("-inf"), 0))
    kept: list[SyncQueueItem] = []
    outranked: list[SyncQueueItem] = []
    for item in items:
        rival = best.get((item.entity, item.zoho_id))
        (outranked if rival and rival > _rank(item) else kept).append(item)
    return kept, outranked


def _rank(item: SyncQueueItem) -> tuple[float, int]:
    stamp = item.zoho_last_modified.timestamp() if item.zoho_last_modified else float("-inf")
    return stamp, item.id


def _groups(items: list[SyncQueueItem]) -> list[list[SyncQueueItem]]:
    groups: dict[tuple[str, str, str], list[SyncQueueItem]] = defaultdict(list)
    for item in items:
        groups[(item.entity, item.operation, _source(item))].append(item)
    # Sorted by key so concurrent workers lock mirror rows in the same order (no deadlocks).
    return [sorted(group, key=lambda i: i.zoho_id) for _key, group in sorted(groups.items())]


def _source(item: SyncQueueItem) -> str:
    return getattr(item, "source", None) or "queue"


def _settle_superseded(worker: str, items: list[SyncQueueItem]) -> int:
    with transaction.atomic():
        done = queue_complete(worker=worker, ids=[i.id for i in items])
        inbox_mark_processed([i.inbox_event_id for i in items if i.inbox_event_id])
    return done


# --- applying and settling -------------------------------------------------------------------


def _apply_group(worker: str, items: list[SyncQueueItem], apply: ApplyFn, result: DrainResult) -> None:
    try:
        _apply_atomically(worker, items, apply)
        result.applied += len(items)
    except LeaseLost:
        result.lost += len(items)
        logger.warning("lease lost on %d %s items; another worker has them", len(items), items[0].entity)
    except Exception as exc:  # every failure is settled per item below
        if len(items) > 1 and not is_transient(exc):
            # One bad record must not sink the batch: apply them one by one to find it.
            for item in items:
                _apply_group(worker, [item], apply, result)
            return
        for item in items:
            _settle_failure(worker, item, exc, result)


def _apply_atomically(worker: str, items: list[SyncQueueItem], apply: ApplyFn) -> None:
    ids = [item.id for item in items]
    with transaction.atomic():
        if queue_complete(worker=worker, ids=ids) != len(ids):
            raise LeaseLost()
        first = items[0]
        apply(entity=first.entity, operation=first.operation, source=_source(first), items=items)
        queue_applied(items)  # metrics: apply latency, taken at commit
        inbox_mark_processed([i.inbox_event_id for i in items if i.inbox_event_id])
        deadletter_resolve_for(ids)


def _settle_failure(worker: str, item: SyncQueueItem, exc: BaseException, result: DrainResult) -> None:
    name = type(exc).__name__
    result.errors[name] = result.errors.get(name, 0) + 1
    policy = retry_policy()
    now = timezone.now()
    with transaction.atomic():
        if not SyncQueueItem.objects.select_for_update().filter(
                id=item.id, locked_by=worker, status=SyncQueueItem.Status.PROCESSING).exists():
            result.lost += 1
            return
        if is_transient(exc) and item.attempts < policy.max_attempts:
            _schedule_retry(item, exc, policy.delay(item.attempts), now)
            result.retried += 1
        else:
            deadletter_add(item=item, exc=exc, now=now)
            inbox_mark_processed([item.inbox_event_id] if item.inbox_event_id else [], failed=True, error=str(exc))
            result.dead += 1


def _schedule_retry(item: SyncQueueItem, exc: BaseException, delay: float, now) -> None:
    due = now + timedelta(seconds=delay)
    SyncQueueItem.objects.filter(id=item.id).update(
        status=SyncQueueItem.Status.PENDING, next_attempt_at=due, locked_by="", locked_until=None,
        last_error=f"{type(exc).__name__}: {exc}"[:2000], updated_at=now)
    events.publish(events.RetryScheduled(
        queue_item_id=item.id, dead_letter_id=None, entity=item.entity, zoho_id=item.zoho_id, attempt=item.attempts,
        delay_seconds=round(float(delay), 3), automatic=True, error_type=type(exc).__name__))


# --- the reaper -----------------------------------------------------------------------------


def reap_leases() -> dict[str, int]:
    """Expired leases and those of stopped workers back to pending; items that died holding a lease
    too often go to the DLQ."""
    returned = queue_reap()
    unreadable = queue_sweep_unreadable()
    inbox_sweep_unreadable()
    dead = _bury_exhausted()
    return {"returned": returned, "dead": dead + unreadable, "rejected": inbox_reject_unknown()}


def leases_of_stopped_workers_return() -> int:
    """What each worker cluster runs at every heartbeat: the batches of workers that stopped (a
    machine lost, a cluster killed) back to the queue, and a drain asked for when there were any."""
    returned = queue_reap_gone()
    if returned:
        queue_kick()
    return returned


class LeaseExpired(TimeoutError):
    """A worker held this item past its lease too many times (it may crash the worker)."""

    transient = True


def _bury_exhausted() -> int:
    limit = retry_policy().max_attempts
    stuck = SyncQueueItem.objects.filter(status=SyncQueueItem.Status.PENDING, attempts__gte=limit,
                                         last_error__in=[LEASE_EXPIRED, WORKER_GONE])
    count = 0
    with transaction.atomic():
        for item in stuck.select_for_update(skip_locked=True)[:500]:
            deadletter_add(item=item, exc=LeaseExpired(f"lease expired {item.attempts} times"))
            count += 1
    return count


# --- the default apply: the sync engine's one upsert -----------------------------------------


def apply_items(*, entity: str, operation: str, source: str, items: list[SyncQueueItem]) -> None:
    """Write the items' raw Zoho records through sync.upsert.records (mapper, stale guard, audit).

    A stock (or images) item carries an item record: the item is upserted (with the per-warehouse
    stock levels the record carries, where the entity has them: sync.upsert.records).
    Raises MappingError when any record of the batch could not be mapped, so the caller isolates it.
    """
    from sync.entities import spec_for
    from sync.pipeline.retry import MappingError
    from sync.upsert.records import upsert_records

    target = spec_for(entity).reads  # stock and images items carry item records
    if operation == SyncQueueItem.Operation.DELETE:
        _mark_deleted(target, items, source)
        return
    records = [item.payload for item in items]
    first = items[0]
    result = upsert_records(entity=target, records=records, source=source[:16], correlation_id=first.correlation_id,
                            inbox_event_id=first.inbox_event_id if len(items) == 1 else None)
    if result.failed:
        raise MappingError("; ".join(result.errors[:3]) or f"{result.failed} {entity} records could not be mapped")
    if result.undated_ids and source == "webhook":
        from sync.pipeline.refetch import refetch_later

        refetch_later(entity=target, zoho_ids=result.undated_ids)
    _announce(entity=entity, source=source, count=len(items), created=result.created, updated=result.updated,
              unchanged=result.unchanged, skipped=result.skipped)


def _mark_deleted(entity: str, items: list[SyncQueueItem], source: str) -> None:
    """A delete event: the record is kept and marked (is_active false, deleted_in_zoho_at), audited."""
    from sync.entities import get_spec
    from sync.pull.deletions import records_mark_deleted

    gone = records_mark_deleted(spec=get_spec(entity), zoho_ids=[i.zoho_id for i in items], source=source,
                                correlation_id=items[0].correlation_id)
    _announce(entity=entity, source=source, count=len(items), deleted=len(gone))


def _announce(*, entity: str, source: str, count: int, created: int = 0, updated: int = 0, unchanged: int = 0,
              skipped: int = 0, deleted: int = 0) -> None:
    """tds.entity.synced for one applied batch, after its transaction commits."""
    run = run_current()
    events.publish(events.EntitySynced(
        run_id=run.result.run_id if run else "", entity=entity, source=source, count=count, created=created,
        updated=updated, unchanged=unchanged, skipped=skipped, failed=0, deleted=deleted,
        correlation_id=run.correlation_id if run else ""))
