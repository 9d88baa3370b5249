"""Queue mechanics with an injected apply: priorities, claims, batches, retries, dead letters, leases."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from sync.models import Configuration, DeadLetter, InboxEvent, SyncQueueItem
from sync.pipeline import retry as retry_service
from sync.pipeline.deadletter import deadletter_auto_retry, deadletter_retry
from sync.pipeline.inbox import inbox_promote
from sync.pipeline.queue import queue_claim, queue_reap
from sync.pipeline.workers import drain_batch, drain_queue, reap_leases
from tests.webhooks.factories import store_event
from tests.webhooks.helpers import RecordingApply
from zoho.errors import ZohoPermanentError, ZohoTransientError

pytestmark = pytest.mark.django_db


def _make_due() -> None:
    SyncQueueItem.objects.filter(status="pending").update(next_attempt_at=timezone.now())


def test_promotion_turns_inbox_events_into_prioritised_queue_items():
    store_event("stock", "S1")
    store_event("items", "I1")
    store_event("invoices", "INV1")
    store_event("sales_orders", "SO1")
    assert inbox_promote(limit=100) == 4
    assert set(InboxEvent.objects.values_list("status", flat=True)) == {"queued"}
    claimed = queue_claim(worker="w1", limit=10)
    assert [i.zoho_id for i in claimed] == ["INV1", "SO1", "I1", "S1"]  # orders+invoices, products, stock
    assert claimed[0].payload == {"invoice_id": "INV1", "last_modified_time": "2025-11-18T02:02:51+0300"}
    assert {i.status for i in claimed} == {"processing"} and {i.locked_by for i in claimed} == {"w1"}


def test_priorities_are_configurable_in_tds_configuration():
    Configuration.objects.create(key="TDS_QUEUE_PRIORITIES", value={"stock": 1, "invoices": 9})
    store_event("invoices", "INV1")
    store_event("stock", "S1")
    inbox_promote(limit=10)
    assert dict(SyncQueueItem.objects.values_list("entity", "priority")) == {"stock": 1, "invoices": 9}


def test_claims_are_disjoint_and_leased():
    for n in range(10):
        store_event("items", str(n))
    inbox_promote(limit=100)
    first = queue_claim(worker="a", limit=6, lease_seconds=60)
    second = queue_claim(worker="b", limit=6, lease_seconds=60)
    assert len(first) == 6 and len(second) == 4
    assert not {i.id for i in first} & {i.id for i in second}
    assert all(i.locked_until > timezone.now() + timedelta(seconds=50) for i in first)
    assert queue_claim(worker="c", limit=6) == []


def test_only_the_newest_event_per_record_is_applied_within_a_batch():
    store_event("items", "X", "2025-11-18T02:00:00+0300", rate=1)
    store_event("items", "X", "2025-11-18T04:00:00+0300", rate=3)
    store_event("items", "X", "2025-11-18T03:00:00+0300", rate=2)
    store_event("items", "Y")
    apply = RecordingApply()
    result = drain_queue(apply=apply, batch_size=50)
    assert sorted(apply.applied_ids) == ["X", "Y"]
    assert (result.applied, result.superseded) == (2, 2)
    newest = SyncQueueItem.objects.get(zoho_id="X", status="completed", payload__rate=3)
    assert newest.completed_at is not None
    assert set(SyncQueueItem.objects.values_list("status", flat=True)) == {"completed"}
    assert set(InboxEvent.objects.values_list("status", flat=True)) == {"processed"}


def test_an_older_version_loses_to_a_newer_one_that_a_dead_worker_still_holds():
    store_event("items", "D", "2025-11-18T05:00:00+0300", rate=5)
    inbox_promote(limit=10)
    assert [i.zoho_id for i in queue_claim(worker="dead", limit=10, lease_seconds=300)] == ["D"]
    store_event("items", "D", "2025-11-18T04:00:00+0300", rate=4)  # older, delivered late
    store_event("items", "E", "2025-11-18T04:00:00+0300", rate=1)
    apply = RecordingApply()
    result = drain_queue(apply=apply, worker="alive")
    assert apply.applied_ids == ["E"] and result.superseded == 1
    older = SyncQueueItem.objects.get(zoho_id="D", payload__rate=4)
    assert older.status == "completed" and older.inbox_event.status == "processed"
    SyncQueueItem.objects.filter(locked_by="dead").update(locked_until=timezone.now() - timedelta(seconds=1))
    reap_leases()
    drain_queue(apply=apply, worker="alive")
    assert apply.applied_ids == ["E", "D"]  # only the newest version of D, once
    assert set(SyncQueueItem.objects.values_list("status", flat=True)) == {"completed"}


def test_an_older_version_loses_to_a_newer_one_another_worker_is_still_promoting():
    from sync.pipeline.workers import outranked_by_waiting

    store_event("items", "P", "2025-11-18T04:00:00+0300", rate=4)
    inbox_promote(limit=10)
    store_event("items", "P", "2025-11-18T05:00:00+0300", rate=5)  # still in the inbox, as while uncommitted
    kept, outranked = outranked_by_waiting(queue_claim(worker="w", limit=10))
    assert kept == [] and [item.payload["rate"] for item in outranked] == [4]


@pytest.fixture
def fast_backoff(settings, monkeypatch):
    settings.TDS_RETRY_BACKOFF_SECONDS = 10
    settings.TDS_RETRY_BACKOFF_MAX_SECONDS = 60
    settings.TDS_RETRY_MAX_ATTEMPTS = 5
    # The top of the jitter range, so the growth of the delays is visible.
    monkeypatch.setattr(retry_service.random, "uniform", lambda low, high: high)


def test_transient_failure_backs_off_with_growing_delays_then_dead_letters(fast_backoff, published):
    store_event("items", "T1", name="flaky")
    apply = RecordingApply(fail_with=ZohoTransientError("Zoho said 503", http_status=503))
    delays = []
    for _ in range(5):
        before = timezone.now()
        drain_batch(worker="w", batch_size=10, apply=apply)
        item = SyncQueueItem.objects.get()
        if item.status == "pending":
            delays.append(round((item.next_attempt_at - before).total_seconds()))
            _make_due()
    assert delays == [10, 20, 40, 60]  # base × 2^(n-1), capped at the maximum
    item = SyncQueueItem.objects.get()
    assert (item.status, item.attempts) == ("dead", 5)
    letter = DeadLetter.objects.get()
    assert (letter.error_class, letter.attempts, letter.entity, letter.zoho_id) == ("transient", 5, "items", "T1")
    assert letter.error_type == "zoho.errors.ZohoTransientError"
    assert "Zoho said 503" in letter.error_message and "Traceback" in letter.traceback
    assert letter.payload["name"] == "flaky"
    assert letter.next_retry_at is not None  # transient letters come back on their own
    names = [name for name, _ in published]
    assert names == ["tds.retry.scheduled"] * 4 + ["tds.deadletter.added"]
    assert [p["delay_seconds"] for n, p in published if n == "tds.retry.scheduled"] == [10, 20, 40, 60]


def test_full_jitter_stays_under_the_ceiling(settings):
    settings.TDS_RETRY_BACKOFF_SECONDS = 60
    settings.TDS_RETRY_BACKOFF_MAX_SECONDS = 3600
    policy = retry_service.retry_policy()
    assert [policy.ceiling(n) for n in (1, 2, 3, 7, 8)] == [60, 120, 240, 3600, 3600]
    samples = [policy.delay(3) for _ in range(200)]
    assert all(0 <= s <= 240 for s in samples) and max(samples) > 120  # spread over the whole range


def test_permanent_failure_is_dead_lettered_at_once(published):
    store_event("invoices", "BAD")
    apply = RecordingApply(fail_with=ZohoPermanentError("invalid record", code=1002, http_status=404))
    result = drain_queue(apply=apply)
    assert (result.dead, result.retried) == (1, 0)
    letter = DeadLetter.objects.get()
    assert (letter.error_class, letter.attempts, letter.next_retry_at) == ("permanent", 1, None)
    assert InboxEvent.objects.get().status == "failed"
    assert [n for n, _ in published] == ["tds.deadletter.added"]


def test_one_bad_record_does_not_sink_its_batch():
    for zoho_id in ("A", "B", "C"):
        store_event("items", zoho_id)

    class FailOnB(RecordingApply):
        def __call__(self, *, items, **kwargs):
            super().__call__(items=items, **kwargs)
            if any(i.zoho_id == "B" for i in items):
                raise ValueError("cannot map B")

    apply = FailOnB()
    result = drain_queue(apply=apply)
    assert (result.applied, result.dead) == (2, 1)
    assert dict(SyncQueueItem.objects.values_list("zoho_id", "status")) == {"A": "completed", "B": "dead",
                                                                            "C": "completed"}


def test_retry_from_the_dead_letter_queue_succeeds_once_the_cause_is_fixed(published):
    store_event("items", "R1")
    drain_queue(apply=RecordingApply(fail_with=ValueError("mapper bug")))
    letter = DeadLetter.objects.get()
    outcome = deadletter_retry(ids=[letter.id, 999999])
    assert (outcome.requeued, outcome.skipped) == (1, 1)
    item = SyncQueueItem.objects.get()
    assert (item.status, item.attempts) == ("pending", 0)
    fixed = RecordingApply()
    drain_queue(apply=fixed)
    assert fixed.applied_ids == ["R1"]
    letter.refresh_from_db()
    assert (letter.resolved, letter.resolution) == (True, "retried")
    assert SyncQueueItem.objects.get().status == "completed"
    assert "tds.retry.scheduled" in [n for n, _ in published]


def test_transient_dead_letters_are_retried_automatically(fast_backoff):
    store_event("items", "AUTO")
    failing = RecordingApply(fail_with=ZohoTransientError("down"))
    for _ in range(5):
        drain_batch(worker="w", batch_size=10, apply=failing)
        _make_due()
    letter = DeadLetter.objects.get()
    assert deadletter_auto_retry().requeued == 0  # not due yet
    DeadLetter.objects.filter(id=letter.id).update(next_retry_at=timezone.now() - timedelta(seconds=1))
    assert deadletter_auto_retry().requeued == 1
    letter.refresh_from_db()
    assert (letter.resolved, letter.auto_retries, letter.next_retry_at) == (False, 1, None)
    drain_queue(apply=RecordingApply())
    letter.refresh_from_db()
    assert (letter.resolved, letter.resolution) == (True, "auto_retried")


def test_expired_leases_return_to_the_queue_and_a_late_worker_applies_nothing():
    store_event("items", "L1")
    inbox_promote(limit=10)
    slow = queue_claim(worker="slow", limit=10, lease_seconds=30)
    assert queue_reap() == 0  # lease still valid
    SyncQueueItem.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert reap_leases() == {"returned": 1, "dead": 0, "rejected": 0}
    fast = RecordingApply()
    drain_queue(apply=fast, worker="fast")
    assert fast.applied_ids == ["L1"]
    # The slow worker wakes up and tries to finish its (lost) batch: nothing happens.
    from sync.pipeline.workers import _apply_group, DrainResult  # noqa: I001

    late, result = RecordingApply(), DrainResult()
    _apply_group("slow", slow, late, result)
    assert (late.applied_ids, result.lost, result.applied) == ([], 1, 0)


def _beating(identity: str, *, ago: timedelta, stopped: bool = False) -> None:
    from sync.models import ProcessHeartbeat

    host, pid, _ = identity.split(":")
    now = timezone.now()
    ProcessHeartbeat.objects.create(key=f"{identity}:beat", kind=ProcessHeartbeat.Kind.CLUSTER_WORKER, host=host,
                                    pid=int(pid), started_at=now - timedelta(hours=1), beat_at=now - ago,
                                    stopped_at=now if stopped else None)


def test_a_stopped_workers_items_come_back_before_their_lease_ends_and_a_live_workers_stay():
    """Workers are matched to their heartbeat by host and pid (each drain takes a new token). The pids
    are of no process on this host, so only the rows decide."""
    from sync.heartbeats import DEAD_AFTER

    for n in range(4):
        store_event("items", f"G{n}")
    inbox_promote(limit=10)
    dead, silent, alive, unknown = "far:4000001:aa", "far:4000002:bb", "far:4000003:cc", "far:4000004:dd"
    held = {worker: queue_claim(worker=worker, limit=1, lease_seconds=300) for worker in (dead, silent, alive, unknown)}
    _beating(dead, ago=timedelta(0), stopped=True)                        # its cluster saw it go
    _beating(silent, ago=DEAD_AFTER + timedelta(seconds=1))               # killed with its cluster: fell silent
    _beating(alive, ago=DEAD_AFTER - timedelta(seconds=5))                # beating: keeps its lease
    _beating("far:4000003:old", ago=timedelta(days=1), stopped=True)      # an older process of the same pid
    # ``unknown`` has no heartbeat at all (a drain in a shell): only its lease's end returns its item.
    assert reap_leases()["returned"] == 2
    still = set(SyncQueueItem.objects.filter(status="processing").values_list("locked_by", flat=True))
    assert still == {alive, unknown}
    back = SyncQueueItem.objects.get(zoho_id=held[silent][0].zoho_id)
    assert (back.status, back.locked_by, back.last_error) == ("pending", "", "lease returned: its worker stopped")
    fast = RecordingApply()
    drain_queue(apply=fast, worker="fast")
    assert sorted(fast.applied_ids) == sorted(i.zoho_id for w in (dead, silent) for i in held[w])
    # The live worker finishes its batch normally.
    from sync.pipeline.workers import _apply_group, DrainResult  # noqa: I001

    mine, result = RecordingApply(), DrainResult()
    _apply_group(alive, held[alive], mine, result)
    assert (mine.applied_ids, result.applied) == ([held[alive][0].zoho_id], 1)


def test_each_cluster_beat_hands_back_a_stopped_workers_batch_and_asks_for_a_drain(monkeypatch):
    """What every cluster runs at each heartbeat (manage.py qcluster): no waiting for the reaper's schedule."""
    from sync.heartbeats import DEAD_AFTER
    from sync.pipeline import workers

    kicks = []
    monkeypatch.setattr(workers, "queue_kick", lambda: kicks.append(1))
    store_event("items", "B1")
    inbox_promote(limit=10)
    queue_claim(worker="far:4000006:gg", limit=10, lease_seconds=300)
    assert workers.leases_of_stopped_workers_return() == 0 and kicks == []  # no heartbeat row: not judged
    _beating("far:4000006:gg", ago=DEAD_AFTER + timedelta(seconds=1))
    assert workers.leases_of_stopped_workers_return() == 1 and kicks == [1]
    assert SyncQueueItem.objects.get().status == "pending"


def test_a_drain_the_database_cut_short_gives_its_batch_back_at_the_next_drain_of_its_process(monkeypatch):
    """Its process lives on and beats, so no reaper takes the batch back before the lease ends."""
    from django.db import OperationalError

    from sync.pipeline import workers
    from sync.pipeline.queue import queue_lease

    store_event("items", "D1")

    def cut_short(*, worker: str, **kwargs: object) -> None:
        inbox_promote(limit=10)
        queue_lease(worker=worker, limit=10)
        raise OperationalError("the server closed the connection")

    real = workers.drain_batch
    monkeypatch.setattr(workers, "drain_batch", cut_short)
    with pytest.raises(OperationalError):
        drain_queue(apply=RecordingApply())
    assert SyncQueueItem.objects.get().status == "processing" and queue_reap() == 0
    monkeypatch.setattr(workers, "drain_batch", real)
    drained = RecordingApply()
    drain_queue(apply=drained)
    assert drained.applied_ids == ["D1"] and workers._failed_drains == []


def test_a_worker_judged_stopped_by_mistake_applies_nothing():
    """A live worker whose heartbeat fell silent (its database writes failed a while) loses its batch to
    the reaper, and then its late apply changes nothing: the item is applied once, by another worker."""
    from sync.heartbeats import DEAD_AFTER
    from sync.pipeline.workers import DrainResult, _apply_group

    store_event("items", "M1")
    inbox_promote(limit=10)
    slow = queue_claim(worker="far:4000005:ee", limit=10, lease_seconds=300)
    _beating("far:4000005:ee", ago=DEAD_AFTER * 2)
    assert queue_reap() == 1
    fast = RecordingApply()
    drain_queue(apply=fast, worker="fast")
    late, result = RecordingApply(), DrainResult()
    _apply_group("far:4000005:ee", slow, late, result)
    assert (fast.applied_ids, late.applied_ids, result.lost) == (["M1"], [], 1)


def test_a_worker_on_this_host_whose_process_runs_keeps_its_lease_whatever_its_row_says():
    import os
    import socket

    from sync.heartbeats import DEAD_AFTER

    store_event("items", "H1")
    inbox_promote(limit=10)
    me = f"{socket.gethostname()}:{os.getpid()}:ff"
    queue_claim(worker=me, limit=10, lease_seconds=300)
    _beating(me, ago=DEAD_AFTER * 2)
    assert queue_reap() == 0


def test_an_item_that_keeps_killing_its_worker_is_dead_lettered(settings):
    settings.TDS_RETRY_MAX_ATTEMPTS = 2
    store_event("items", "POISON")
    inbox_promote(limit=10)
    for _ in range(2):
        queue_claim(worker="doomed", limit=10)
        SyncQueueItem.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
        reap = reap_leases()
    assert reap == {"returned": 1, "dead": 1, "rejected": 0}
    letter = DeadLetter.objects.get()
    assert letter.error_type.endswith("LeaseExpired") and letter.error_class == "transient"


def test_manual_and_poll_events_take_the_same_path():
    from sync.pipeline.inbox import inbox_add

    record = {"item_id": "M1", "name": "manual", "last_modified_time": "2025-11-18T02:02:51+0300"}
    first = inbox_add(source="manual", entity="items", record=record, zoho_id="M1")
    again = inbox_add(source="manual", entity="items", record=record, zoho_id="M1")
    assert first.event_id and again.duplicate
    apply = RecordingApply()
    drain_queue(apply=apply)
    assert apply.calls == [("items", "manual", ["M1"])]
    assert SyncQueueItem.objects.get().payload == record


def test_items_enqueued_without_a_due_time_are_claimed():
    SyncQueueItem.objects.create(entity="items", zoho_id="N1", payload={"item_id": "N1"}, priority=4)
    assert [i.zoho_id for i in queue_claim(worker="w", limit=5)] == ["N1"]


def test_a_burst_of_webhooks_enqueues_one_drain_task(settings, monkeypatch):
    from django.core.cache import caches

    from sync.pipeline import kick

    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: calls.append(func))
    monkeypatch.setattr(kick, "_LAST_KICK", [float("-inf")])
    caches["default"].delete(kick.KICK_KEY)
    settings.TDS_WEBHOOK_KICK_SECONDS = 60
    for _ in range(50):
        kick.queue_kick()
    assert calls == ["sync.tasks.drain_queue"]


def test_a_process_refused_a_kick_asks_again_once_the_held_drain_is_over(settings, monkeypatch):
    """The key held means another process's drain is coming; once it expired, the next event of this
    process asks again at once instead of waiting out a local gate that drain never covered."""
    from django.core.cache import caches

    from sync.pipeline import kick

    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: calls.append(func))
    monkeypatch.setattr(kick, "_LAST_KICK", [float("-inf")])
    settings.TDS_WEBHOOK_KICK_SECONDS = 60
    caches["default"].set(kick.KICK_KEY, 1, timeout=60)  # another web process asked a moment ago
    kick.queue_kick()
    assert calls == []
    caches["default"].delete(kick.KICK_KEY)  # that drain's time is over
    kick.queue_kick()
    assert calls == ["sync.tasks.drain_queue"]
    caches["default"].delete(kick.KICK_KEY)


def test_a_lingering_drain_takes_an_event_stored_after_it_found_the_queue_empty(monkeypatch):
    """The event came while this drain's kick was held, so it asked for no drain: this one takes it."""
    from sync.pipeline import workers

    store_event("items", "K1")
    later = ["K2"]

    def pause(_seconds: float) -> None:
        while later:
            store_event("items", later.pop())

    monkeypatch.setattr(workers.time, "sleep", pause)
    drained = RecordingApply()
    drain_queue(apply=drained, linger=0.3)
    assert drained.applied_ids == ["K1", "K2"]
    store_event("items", "K3")
    assert drain_queue(apply=RecordingApply()).applied == 1  # without linger, the same drain as before


def test_an_event_of_an_unknown_entity_is_rejected_not_queued():
    from sync.pipeline.inbox import inbox_add

    inbox_add(source="manual", entity="spaceships", record={"id": "1"}, zoho_id="1")
    store_event("items", "OK1")
    assert inbox_promote(limit=10) == 1
    reap_leases()  # promotion leaves it received; the reaper rejects it
    assert dict(InboxEvent.objects.values_list("zoho_id", "status")) == {"1": "rejected", "OK1": "queued"}


def test_promotion_rules_are_one_sql_for_every_database():
    """Unwrap a webhook body to its record, keep a manual payload whole, deletes by event type,
    the registry's urgency, inbox order; the same statements run on PostgreSQL and SQLite."""
    from sync.pipeline.inbox import inbox_add, inbox_store

    store_event("customers", "C1")
    vendor = {"contact": {"contact_id": "V1", "contact_type": "vendor", "last_modified_time": ""}}
    inbox_store(source="webhook", entity="vendors", zoho_id="V1", payload_json=json.dumps(vendor),
                dedupe_key="t:v1", last_modified=None, event_type="contact_deleted")
    inbox_add(source="manual", entity="invoices", record={"invoice_id": "INV9", "total": 5}, zoho_id="INV9")
    assert inbox_promote(limit=10) == 3
    rows = list(SyncQueueItem.objects.order_by("id").values_list("entity", "zoho_id", "operation", "payload",
                                                                  "priority", "status", "attempts"))
    assert rows == [
        ("customers", "C1", "upsert", {"contact_id": "C1", "last_modified_time": "2025-11-18T02:02:51+0300"}, 3,
         "pending", 0),
        ("vendors", "V1", "delete", vendor["contact"], 3, "pending", 0),
        ("invoices", "INV9", "upsert", {"invoice_id": "INV9", "total": 5}, 1, "pending", 0),
    ]
    assert SyncQueueItem.objects.filter(inbox_event__isnull=False, next_attempt_at__isnull=False).count() == 3
