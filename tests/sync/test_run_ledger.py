"""The run ledger is the one writer of tds_sync_runs and tds_sync_logs: queued runs are taken over by
the id passed to their service, cancelled before or while they run, retried with their parameters,
and every service settles its run the same way whatever ends it."""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from sync import tasks
from sync.ledger import RunActive, RunCancelled, RunStateError, run_cancel, run_current, run_open, run_queue, run_retry
from sync.models import RunStatus, RunType, SyncLog, SyncRun

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
WRITES = {"create", "bulk_create", "update", "bulk_update", "get_or_create", "update_or_create", "delete", "save"}


def _chain_names(node: ast.AST) -> set[str]:
    """Every bare name in an attribute/call chain: SyncRun.objects.filter(...).update -> {"SyncRun"}."""
    names: set[str] = set()
    while True:
        if isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            break
    if isinstance(node, ast.Name):
        names.add(node.id)
    return names


def _writers(path: Path) -> list[str]:
    found = []
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
            if _chain_names(node.func.value) & {"SyncRun", "SyncLog"}:
                found.append(f"{where}:{node.lineno} .{node.func.attr}()")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"SyncRun", "SyncLog"}:
            found.append(f"{where}:{node.lineno} {node.func.id}(...)")
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value.lower()
            if any(f"{verb} {table}" in text for verb in ("insert into", "update", "delete from")
                   for table in ("tds_sync_runs", "tds_sync_logs")):
                found.append(f"{where}:{node.lineno} SQL")
    return found


def test_no_module_but_the_ledger_writes_runs_or_their_log_lines() -> None:
    packages = ("sync", "odoo", "dashboard", "zoho", "tds_site", "scripts")
    sources = [p for package in packages for p in (ROOT / package).rglob("*.py")
               if "migrations" not in p.parts and p != ROOT / "sync" / "ledger.py"]
    assert len(sources) > 100
    assert [w for p in sources for w in _writers(p)] == []


def test_the_check_sees_each_way_of_writing(tmp_path: Path) -> None:
    probe = tmp_path / "writer.py"
    probe.write_text("from sync.models import SyncLog, SyncRun\n"
                     "SyncRun.objects.filter(pk=1).update(status='failed')\n"
                     "SyncLog.objects.bulk_create([SyncLog(message='x')])\n"
                     "SyncRun.objects.update_or_create(pk=1)\n"
                     "SQL = 'UPDATE tds_sync_runs SET status = 1'\n")
    assert len(_writers(probe)) == 5


def _queued(kind: str, entity: str, run_type: str, options: dict[str, Any], monkeypatch: Any) -> str:
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: None)
    return run_queue(kind=kind, entity=entity, run_type=run_type, options=options, trigger="manual").run_id


def test_a_pending_run_cancelled_is_skipped_by_its_task(monkeypatch: Any) -> None:
    run_id = _queued("pull", "items", RunType.INCREMENTAL, {"entity": "items"}, monkeypatch)
    assert run_cancel(run_id, by="ops") == RunStatus.CANCELLED
    monkeypatch.setattr("sync.pull.run._run_pass", lambda *a, **kw: pytest.fail("a cancelled run must not run"))
    answer = tasks.api_pull(run_id=run_id, entity="items")
    assert "not pending" in answer["skipped"]
    run = SyncRun.objects.get()
    assert (run.status, run.error_message) == ("cancelled", "cancelled by ops before it started")
    assert run.finished_at is not None and run.started_at is None
    # The entity is free again, and a finished run cannot be cancelled.
    assert run_queue(kind="pull", entity="items", run_type=RunType.INCREMENTAL, options={"entity": "items"}).run_id
    with pytest.raises(RunStateError, match="cancelled: nothing to cancel"):
        run_cancel(run_id, by="ops")


@pytest.mark.django_db(transaction=True)
def test_a_running_pull_stops_at_the_next_batch_when_cancelled(sb: Any, zclient: Any) -> None:
    from sync.pull.run import pull_entity

    batches: list[int] = []

    def progress(entity: str, count: int) -> None:
        batches.append(count)
        if len(batches) == 1:
            run = run_current()
            assert run is not None
            assert run_cancel(run.result.run_id, by="ops") == RunStatus.RUNNING

    result = pull_entity(entity="items", full=True, client=zclient, db_batch_size=20, progress=progress)
    assert (result.status, result.error) == ("cancelled", "RunCancelled: cancelled by ops")
    run = SyncRun.objects.get(pk=result.run_id)
    assert (run.status, run.processed) == ("cancelled", 40)  # the batch in flight was committed and counted
    assert len(batches) == 1 and run.finished_at is not None
    assert SyncLog.objects.filter(run=run, message__startswith="cancelled:").exists()


def test_a_block_left_on_any_exception_settles_the_run_once() -> None:
    with pytest.raises(KeyboardInterrupt), run_open(run_type=RunType.IMAGES, entity="images", contain=True) as run:
        raise KeyboardInterrupt  # never contained: Ctrl-C stops the process, the row says why
    assert SyncRun.objects.get(pk=run.result.run_id).status == "failed"
    with run_open(run_type=RunType.STOCK, entity="stock", contain=True) as contained:
        raise ValueError("bad page")
    row = SyncRun.objects.get(pk=contained.result.run_id)
    assert (row.status, row.error_message) == ("failed", "ValueError: bad page")
    with pytest.raises(ValueError), run_open(run_type=RunType.COMPARE) as raised:
        raise ValueError("no report")
    assert SyncRun.objects.get(pk=raised.result.run_id).status == "failed"


def test_a_cancelled_run_raises_at_a_checkpoint_only_when_asked() -> None:
    with run_open(run_type=RunType.QUEUE) as run:
        run.checkpoint()
        run_cancel(run.result.run_id, by="alice")
        with pytest.raises(RunCancelled, match="cancelled by alice"):
            run.checkpoint()
        run.finish(error=RunCancelled("cancelled by alice"))
    assert SyncRun.objects.get(pk=run.result.run_id).status == "cancelled"


def test_retry_queues_the_same_run_with_its_parameters(monkeypatch: Any,
                                                       django_capture_on_commit_callbacks: Any) -> None:
    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: sent.append((func, kw)))
    with django_capture_on_commit_callbacks(execute=True):
        first = run_queue(kind="stock", entity="stock", run_type=RunType.STOCK,
                          options={"batch_size": 50, "with_stock_only": True, "dry_run": True}).run_id
    with pytest.raises(RunStateError, match="once it has finished"):
        run_retry(first)
    SyncRun.objects.filter(pk=first).update(status=RunStatus.FAILED, configuration={
        "batch_size": 50, "db_batch_size": 100, "active_only": True, "with_stock_only": True, "item_ids": []})
    with django_capture_on_commit_callbacks(execute=True):
        again = run_retry(first)
    assert again.run_id != first and again.status == "pending"
    row = SyncRun.objects.get(pk=again.run_id)
    assert (row.run_type, row.entity, row.dry_run, row.trigger) == ("stock", "stock", True, "manual")
    func, kwargs = sent[-1]
    assert func == "sync.tasks.api_stock_sync" and kwargs["run_id"] == again.run_id
    assert {k: kwargs[k] for k in ("batch_size", "with_stock_only", "dry_run")} == {
        "batch_size": 50, "with_stock_only": True, "dry_run": True}
    with pytest.raises(RunActive):  # the retry itself is pending: one stock sync at a time
        run_retry(first)


@pytest.mark.parametrize(("run_type", "entity", "configuration", "task", "expected"), [
    (RunType.FULL, "items", {"full": True, "since": None, "params": {}}, "sync.tasks.api_pull",
     {"entity": "items", "full": True, "dry_run": False}),
    (RunType.COMPARE_SYNC, "", {"entities": "default", "deep": True, "sync": True}, "sync.tasks.api_compare",
     {"deep": True, "carry_out": True, "dry_run": False}),
    (RunType.IMAGES, "images", {"concurrency": 4, "force": True, "items": None}, "sync.tasks.api_images",
     {"force": True, "dry_run": False}),
])
def test_retry_takes_the_task_parameters_from_a_run_of_any_service(
        monkeypatch: Any, django_capture_on_commit_callbacks: Any, run_type: str, entity: str,
        configuration: dict[str, Any], task: str, expected: dict[str, Any]) -> None:
    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: sent.append((func, kw)))
    with run_open(run_type=run_type, entity=entity, configuration=configuration) as run:
        run.finish(error="boom")
    with django_capture_on_commit_callbacks(execute=True):
        job = run_retry(run.result.run_id)
    [(func, kwargs)] = sent
    assert func == task
    assert {k: v for k, v in kwargs.items() if k not in ("run_id", "q_options")} == expected
    assert kwargs["run_id"] == job.run_id


def test_a_queue_drain_is_not_retried() -> None:
    with run_open(run_type=RunType.QUEUE) as run:
        pass
    with pytest.raises(RunStateError, match="not started on request"):
        run_retry(run.result.run_id)


def test_the_reaper_fails_a_pending_run_no_worker_picked_up_and_frees_its_entity(monkeypatch: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    lost = _queued("pull", "items", RunType.INCREMENTAL, {"entity": "items"}, monkeypatch)
    fresh = _queued("pull", "customers", RunType.INCREMENTAL, {"entity": "customers"}, monkeypatch)
    now = timezone.now()
    running = SyncRun.objects.create(run_type=RunType.INCREMENTAL, entity="vendors", status=RunStatus.RUNNING,
                                     started_at=now - timedelta(minutes=20), heartbeat_at=now)
    SyncRun.objects.filter(pk=lost).update(created_at=now - timedelta(minutes=11))
    SyncRun.objects.filter(pk=fresh).update(created_at=now - timedelta(minutes=1))
    SyncRun.objects.filter(pk=running.pk).update(created_at=now - timedelta(minutes=20))
    with pytest.raises(RunActive):  # the lost run holds its entity
        _queued("pull", "items", RunType.INCREMENTAL, {"entity": "items"}, monkeypatch)

    assert tasks.reap_leases()["runs_unclaimed"] == 1  # the default: 10 minutes

    failed = SyncRun.objects.get(pk=lost)
    assert (failed.status, failed.finished_at is not None) == (RunStatus.FAILED, True)
    assert failed.error_message.startswith("no worker picked this run up within 10 minutes")
    assert SyncRun.objects.get(pk=fresh).status == RunStatus.PENDING
    assert SyncRun.objects.get(pk=running.pk).status == RunStatus.RUNNING
    assert _queued("pull", "items", RunType.INCREMENTAL, {"entity": "items"}, monkeypatch)  # free again
    # A task that reaches a worker after all finds its row failed and does nothing.
    monkeypatch.setattr("sync.pull.run._run_pass", lambda *a, **kw: pytest.fail("a failed run must not run"))
    assert "not pending" in tasks.api_pull(run_id=lost, entity="items")["skipped"]
