"""The run ledger and the event bus: every run is recorded, every event matches its documented payload,
is published only after commit, and every log line of a run carries the run's correlation id."""
from __future__ import annotations

import logging

import pytest
from django.db import transaction

from sync import events
from sync.ledger import run_open
from sync.logging import get_correlation_id
from sync.models import SyncLog, SyncRun
from sync.pipeline.deadletter import deadletter_retry
from sync.pipeline.workers import drain_queue
from tests.webhooks.factories import store_event
from tests.webhooks.helpers import RecordingApply
from zoho.errors import ZohoPermanentError, ZohoTransientError

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def published():
    seen: list[tuple[str, dict]] = []

    def receiver(sender, name, payload, **kwargs):
        seen.append((name, payload))

    events.tds_event.connect(receiver, dispatch_uid="ledger-tests")
    yield seen
    events.tds_event.disconnect(dispatch_uid="ledger-tests")


class _Correlations(logging.Handler):
    """Every log record of the sync code with the correlation id it was written under."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.seen: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith("zoho.sandbox"):  # the sandbox is the other side of the wire
            self.seen.append((record.name, get_correlation_id()))


@pytest.fixture
def correlations():
    handler = _Correlations()
    loggers = [logging.getLogger(name) for name in ("tds", "sync", "zoho")]  # they do not propagate
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    yield handler.seen
    for lg, level in zip(loggers, levels, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


def test_every_event_of_a_pull_a_drain_a_dead_letter_and_an_image_run_matches_its_payload(
        sb, zclient, published, settings, tmp_path, monkeypatch):
    from sync import entities
    from sync.images.run import images_sync
    from sync.pull.run import pull_entity

    settings.MEDIA_ROOT = tmp_path
    pulled = pull_entity(entity="items", client=zclient)
    spec = entities.REGISTRY["warehouses"]
    monkeypatch.setitem(entities.REGISTRY, "warehouses", type(spec)(**{**spec.__dict__, "path": "/nowhere"}))
    assert pull_entity(entity="warehouses", client=zclient).status == "failed"
    store_event("items", "7201", name="from a webhook", sku="W-1", rate=1, status="active")
    drain_queue()
    store_event("invoices", "7202")
    drain_queue(apply=RecordingApply(fail_with=ZohoPermanentError("invalid", code=1002, http_status=404)))
    deadletter_retry(all_open=True)
    store_event("items", "7203")
    drain_queue(apply=RecordingApply(fail_with=ZohoTransientError("down", http_status=503)))
    images = images_sync(client=zclient, concurrency=2)

    names = {name for name, _ in published}
    assert names == set(events.PAYLOADS)  # every documented event was seen at least once
    assert [(n, events.payload_errors(n, p)) for n, p in published if events.payload_errors(n, p)] == []
    runs = {p["run_id"] for n, p in published if n == events.SYNC_STARTED}
    assert {pulled.run_id, images.run_id} <= runs
    assert set(SyncRun.objects.values_list("run_type", flat=True)) == {"full", "queue", "images"}
    synced = [p for n, p in published if n == events.ENTITY_SYNCED]
    assert {p["source"] for p in synced} == {"pull", "webhook"} and all(p["run_id"] for p in synced)


def test_events_are_sent_after_commit_and_never_for_work_that_rolled_back(published):
    event = events.SyncStarted(run_id="r", run_type="odoo", entity="products", trigger="api", correlation_id="c")
    with transaction.atomic():
        events.publish(event)
        assert published == []  # not yet: the transaction may still roll back
    assert [name for name, _ in published] == [events.SYNC_STARTED]
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish(event)
        raise RuntimeError("rolled back")
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint that rolls back inside a transaction that commits
                events.publish(event)
                raise RuntimeError("savepoint rolled back")
        except RuntimeError:
            pass
    assert len(published) == 1


def test_a_payload_that_does_not_match_its_documentation_is_reported():
    assert events.payload_errors(events.SYNC_FAILED, {"run_id": 1, "extra": True})[:2] == [
        "missing correlation_id", "missing duration_seconds"]
    assert "unexpected extra" in events.payload_errors(events.SYNC_FAILED, {"extra": True})
    assert events.payload_errors("tds.nope", {}) == ["unknown event 'tds.nope'"]


def test_an_idle_drain_writes_nothing_and_a_busy_one_is_one_queue_run(published):
    assert drain_queue().claimed == 0
    assert not SyncRun.objects.exists() and published == []
    store_event("items", "7204")
    store_event("items", "7205")
    store_event("invoices", "7206")
    drain_queue(apply=RecordingApply(), batch_size=2)
    run = SyncRun.objects.get()
    assert (run.run_type, run.status, run.processed, run.updated, run.trigger) == (
        "queue", "completed", 3, 3, "schedule")
    assert run.summary["batches"] == 2 and run.correlation_id and run.finished_at is not None
    assert not SyncLog.objects.exists()  # no log rows on the worker's path
    assert [n for n, _ in published] == [events.SYNC_STARTED, events.SYNC_COMPLETED]


def test_every_log_line_of_a_pull_carries_the_runs_correlation_id(sb, zclient, correlations):
    from sync.pull.run import pull_all

    summary = pull_all(entities=["warehouses", "items"], client=zclient)
    cids = {cid for _, cid in correlations}
    assert correlations and cids == {summary.correlation_id}
    assert set(SyncRun.objects.values_list("correlation_id", flat=True)) == {summary.correlation_id}
    assert get_correlation_id() == "-"  # and it ends with the run


def test_the_ledger_api_for_a_new_kind_of_run(published, correlations):
    class Batch:
        created, updated, unchanged, skipped, failed = 2, 1, 0, 0, 1

    with run_open(run_type="odoo", entity="products", trigger="api", configuration={"batch": 3}) as run:
        run.add(Batch(), api_calls=4)
        run.progress(50)
        run.log("product 9 refused", level="WARNING", zoho_id="9")
        logging.getLogger("tds.odoo").info("pushing")
    row = SyncRun.objects.get(pk=run.result.run_id)
    assert (row.run_type, row.entity, row.status, row.created, row.failed, row.api_calls, row.progress) == (
        "odoo", "products", "partial", 2, 1, 4, 100.0)
    assert SyncLog.objects.filter(run=row, zoho_id="9", level="WARNING").exists()
    assert {cid for _, cid in correlations} == {row.correlation_id}
    assert [n for n, _ in published] == [events.SYNC_STARTED, events.ENTITY_SYNCED, events.SYNC_COMPLETED]

    with pytest.raises(ValueError), run_open(run_type="odoo", entity="contacts") as failing:
        raise ValueError("Odoo refused the login")
    assert SyncRun.objects.get(pk=failing.result.run_id).error_message == "ValueError: Odoo refused the login"
    assert published[-1][0] == events.SYNC_FAILED

    with run_open(run_type="odoo", entity="products", dry_run=True) as dry:
        dry.add(Batch())
    assert dry.result.run_id == "" and dry.result.created == 2 and SyncRun.objects.count() == 2


def test_a_standing_worker_records_each_busy_stretch_as_one_queue_run():
    from io import StringIO

    from django.core.management import call_command

    store_event("items", "7207", name="one", sku="S-1", rate=1, status="active")
    store_event("items", "7208", name="two", sku="S-2", rate=2, status="active")
    call_command("tds_worker", "--once", "--batch-size", "1", stdout=StringIO())
    run = SyncRun.objects.get()
    assert (run.run_type, run.trigger, run.status, run.processed, run.updated) == ("queue", "cli", "completed", 2, 2)
    assert run.summary["batches"] == 2
    call_command("tds_worker", "--once", stdout=StringIO())  # nothing due: nothing recorded
    assert SyncRun.objects.count() == 1
